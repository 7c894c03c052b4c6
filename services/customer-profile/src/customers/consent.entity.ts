import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Channel, Purpose } from '@crm/contracts';

@Entity({ name: 'consents' })
export class ConsentEntity {
  @PrimaryColumn('uuid') customerId: string;
  @PrimaryColumn('text') channel: Channel;
  @PrimaryColumn('text') purpose: Purpose;
  @Column() granted: boolean;
  @Column({ type: 'timestamptz' }) changedAt: Date;
}
