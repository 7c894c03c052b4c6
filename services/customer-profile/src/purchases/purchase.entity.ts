import { Column, Entity, PrimaryColumn } from 'typeorm';

const numeric = { to: (v: number) => v, from: (v: string) => Number(v) };

export interface PurchaseItem {
  sku: string;
  category: string;
  quantity: number;
  unitPrice: number;
}

@Entity({ name: 'purchases' })
export class PurchaseEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') customerId: string;
  @Column() orderId: string;
  @Column({ type: 'numeric', transformer: numeric }) amount: number;
  @Column() currency: string;
  @Column({ type: 'timestamptz' }) occurredAt: Date;
  @Column({ type: 'jsonb' }) items: PurchaseItem[];
  @Column('uuid') eventId: string;
  @Column({ type: 'timestamptz', nullable: true }) paymentDueAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) warrantyUntil: Date | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) recordedAt: Date;
}
