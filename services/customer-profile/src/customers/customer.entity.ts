import type { ContactFrequency, Locale } from '@crm/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

const numeric = { to: (v: number) => v, from: (v: string | null) => (v === null ? 0 : Number(v)) };

/** Personal fields are stored only encrypted with the customer's data key (`*_enc`; keys: `customer_data_keys`). */
@Entity({ name: 'customers' })
export class CustomerEntity {
  @PrimaryColumn('uuid') id: string;
  @Column() externalRef: string;
  @Column() kind: 'person' | 'company';
  @Column({ type: 'text', nullable: true }) nameEnc: string | null;
  @Column({ type: 'text', nullable: true }) emailEnc: string | null;
  @Column({ type: 'text', nullable: true }) phoneEnc: string | null;
  @Column({ type: 'text', nullable: true }) contactsEnc: string | null;
  @Column({ type: 'text', nullable: true }) birthdayEnc: string | null;
  @Column({ type: 'text', nullable: true }) emailHash: string | null;
  /** The name's blind index (keyed hash), for exact search by name; null once erased. */
  @Column({ type: 'text', nullable: true }) nameHash: string | null;
  @Column({ type: 'text', nullable: true }) phoneHash: string | null;
  @Column({ type: 'text', nullable: true }) industry: string | null;
  @Column({ type: 'text', nullable: true }) companySize: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) needTags: string[];
  @Column({ type: 'text', nullable: true }) birthdayMonthDay: string | null;
  @Column({ type: 'timestamptz' }) registeredAt: Date;
  @Column({ type: 'timestamptz' }) relationshipStartedAt: Date;
  @Column({ type: 'text', nullable: true }) referredByCode: string | null;
  @Column({ type: 'text', nullable: true }) acquisitionChannel: string | null;
  @Column({
    type: 'numeric',
    precision: 16,
    scale: 2,
    nullable: true,
    transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  acquisitionCost: number | null;
  /** The account owner (an account manager's id), who gets the customer's tasks. */
  @Column({ type: 'text', nullable: true }) owner: string | null;
  /** IANA time zone, language of touches, and `reduced` when the customer asked for fewer contacts. */
  @Column({ type: 'text', nullable: true }) timeZone: string | null;
  @Column({ type: 'text', nullable: true }) locale: Locale | null;
  @Column({ type: 'text', default: 'normal' }) contactFrequency: ContactFrequency;
  @Column({ type: 'numeric', transformer: numeric }) lifetimeSpend: number;
  @Column({ type: 'int' }) lifetimePurchaseCount: number;
  @Column({ type: 'timestamptz', nullable: true }) firstPurchaseAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastPurchaseAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) erasedAt: Date | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
}
