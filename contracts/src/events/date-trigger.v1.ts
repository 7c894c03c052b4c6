import { IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

/**
 * The handbook's time triggers (§5): a birthday and a membership anniversary (announced ahead, in the
 * customer's time zone), N days after registration, N days without a purchase, a payment due (a reminder
 * ahead), a warranty expiring (care ahead).
 */
export const DATE_TRIGGERS = [
  'birthday',
  'membership-anniversary',
  'days-since-registration',
  'days-without-purchase',
  'payment-due',
  'warranty-expiry',
] as const;
export type DateTrigger = (typeof DATE_TRIGGERS)[number];

/** A durable date schedule of a customer came due: journeys enter on it, playbooks act on it. */
export class DateTriggerDueV1 {
  @IsUUID() customerId: string;
  @IsOneOf(DATE_TRIGGERS) trigger: DateTrigger;
  /** The moment the trigger is about: the birthday's local midnight, the 30th day after registration… */
  @IsTimestamp() occursAt: string;
  /** When it came due (ahead of `occursAt` by the notice, for birthdays and anniversaries). */
  @IsTimestamp() dueAt: string;
  /** E.g. `30 days since registration`. */
  @IsString() @TextLength(1, 200) detail: string;
  /** For a payment due or a warranty expiring: the order. */
  @IsOptional() @IsString() @TextLength(1, 64) orderId?: string;
}

export const DateTriggerDue = defineEvent({
  type: 'crm.date-trigger.due.v1',
  topic: Topics.careActions,
  description:
    "A customer's date came due (birthday or membership anniversary ahead, days since registration, days without a purchase).",
  payload: DateTriggerDueV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    trigger: 'birthday',
    occursAt: '2026-05-19T16:00:00.000Z',
    dueAt: '2026-05-18T16:00:00.000Z',
    detail: 'birthday on 05-20 (Asia/Shanghai), 24 h notice',
  },
});
