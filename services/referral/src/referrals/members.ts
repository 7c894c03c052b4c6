import type { EntityManager } from 'typeorm';
import { lastOfEach } from '@crm/messaging';
import { execute, queryRows } from '@crm/persistence';
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
  await storeMembers(manager, [member], nextCode);
}

/**
 * Registered customers (each at most once) as members, as `storeMember` does each, with one statement for all
 * of them; only those a try did not store (a code taken, a member inserted meanwhile) are tried again, each
 * with a new code.
 */
export async function storeMembers(
  manager: EntityManager,
  members: readonly MemberDetails[],
  nextCode: () => string = newReferralCode,
): Promise<void> {
  let left = [...members];
  for (let attempt = 1; attempt <= CODE_TRIES && left.length > 0; attempt += 1) {
    const stored = await queryRows<{ customer_id: string }>(
      manager,
      `WITH r AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
           AS r(customer_id, code, email_hash, phone_hash, registered_at)
       ), updated AS (
         UPDATE members m SET email_hash = r.email_hash, phone_hash = r.phone_hash, registered_at = r.registered_at
           FROM r WHERE m.customer_id = r.customer_id RETURNING m.customer_id
       ), inserted AS (
         INSERT INTO members (customer_id, code, email_hash, phone_hash, registered_at)
         SELECT * FROM r WHERE r.customer_id NOT IN (SELECT customer_id FROM updated) ORDER BY r.customer_id
         ON CONFLICT DO NOTHING RETURNING customer_id
       )
       SELECT customer_id FROM updated UNION ALL SELECT customer_id FROM inserted`,
      [
        left.map((m) => m.customerId),
        left.map(() => nextCode()),
        left.map((m) => m.emailHash ?? null),
        left.map((m) => m.phoneHash ?? null),
        left.map((m) => m.registeredAt),
      ],
    );
    const done = new Set(stored.map((s) => s.customer_id));
    left = left.filter((m) => !done.has(m.customerId.toLowerCase()));
  }
  if (left.length > 0)
    throw new Error(`no free referral code for customer ${left[0].customerId} after ${CODE_TRIES} tries`);
}

/**
 * First purchases (each customer at most once) on their members: a member keeps the first order it was told
 * of; a customer not yet a member (the purchase overtook the registration) becomes one with a fresh code.
 */
export async function storeFirstPurchases(
  manager: EntityManager,
  purchases: readonly { customerId: string; orderId: string }[],
): Promise<void> {
  if (purchases.length === 0) return;
  await execute(
    manager,
    `INSERT INTO members (customer_id, code, registered_at, first_purchase_order_id)
     SELECT c, code, now(), o FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r(c, code, o) ORDER BY c
     ON CONFLICT (customer_id) DO UPDATE SET first_purchase_order_id = coalesce(members.first_purchase_order_id, EXCLUDED.first_purchase_order_id)`,
    [
      purchases.map((p) => p.customerId),
      purchases.map(() => newReferralCode()),
      purchases.map((p) => p.orderId),
    ],
  );
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
