import type { EntityManager } from 'typeorm';
import { lastOfEach } from '@crm/messaging';
import { execute, queryOne } from '@crm/persistence';
import { newReferralCode } from './referral-rules';

export interface MemberDetails {
  customerId: string;
  emailHash?: string | null;
  phoneHash?: string | null;
  registeredAt: string;
}

/** Codes tried before a registration fails (and is retried by the transport): a clash is 1 in 2^40 a try. */
const CODE_TRIES = 6;

/**
 * A registered customer as a member: an existing one (a purchase may have come first) keeps its code and gets
 * the contact hashes; a new one gets a fresh code. One statement and no savepoint: a code already taken, or the
 * member inserted meanwhile by a purchase in another transaction, stores nothing, and the next try (a new code,
 * a new snapshot) stores it.
 */
export async function storeMember(
  manager: EntityManager,
  member: MemberDetails,
  nextCode: () => string = newReferralCode,
): Promise<void> {
  for (let attempt = 1; attempt <= CODE_TRIES; attempt += 1) {
    const row = await queryOne<{ stored: boolean }>(
      manager,
      `WITH updated AS (
         UPDATE members SET email_hash = $3, phone_hash = $4, registered_at = $5 WHERE customer_id = $1 RETURNING 1
       ), inserted AS (
         INSERT INTO members (customer_id, code, email_hash, phone_hash, registered_at)
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM updated)
         ON CONFLICT DO NOTHING RETURNING 1
       )
       SELECT EXISTS (SELECT 1 FROM updated) OR EXISTS (SELECT 1 FROM inserted) AS stored`,
      [
        member.customerId,
        nextCode(),
        member.emailHash ?? null,
        member.phoneHash ?? null,
        member.registeredAt,
      ],
    );
    if (row?.stored) return;
  }
  throw new Error(`no free referral code for customer ${member.customerId} after ${CODE_TRIES} tries`);
}

/** Members' value-loyalty segments, from a run of re-scorings in order: each member takes its last. */
export async function storeSegments(
  db: EntityManager,
  rescored: { customerId: string; segment: string }[],
): Promise<void> {
  const last = lastOfEach(rescored, (r) => r.customerId.toLowerCase());
  if (last.length === 0) return;
  await execute(
    db,
    `UPDATE members m SET segment = r.segment FROM unnest($1::uuid[], $2::text[]) AS r(id, segment)
      WHERE m.customer_id = r.id`,
    [last.map((r) => r.customerId), last.map((r) => r.segment)],
  );
}
