import { eventually } from '@crm/testing';
import { call } from './http';
import type { E2eSession } from './session';

/** Registers a company customer (`<ref>` made unique by the caller) and answers its id. */
export async function registerCompany(
  e2e: E2eSession,
  externalRef: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const response = await call('POST', `${e2e.platform.url('customer-profile')}/customers`, e2e.agent, {
    externalRef,
    kind: 'company',
    name: `${externalRef} Co`,
    ...extra,
  });
  if (response.status !== 201)
    throw new Error(`registering ${externalRef}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

/** A customer's referral code, once referral has issued it (it follows the registration event). */
export async function referralCodeOf(e2e: E2eSession, customerId: string): Promise<string> {
  let code = '';
  await eventually(`the referral code of ${customerId}`, async () => {
    const response = await call(
      'GET',
      `${e2e.platform.url('referral')}/customers/${customerId}/code`,
      e2e.agent,
    );
    code = response.body?.code;
    return response.status === 200;
  });
  return code;
}

/**
 * The bodies of the observed events of a type that match, each once: the relay publishes at least once, so
 * a redelivered record (same `ce_id`) counts once, as consumers count it.
 */
export function eventsOnce<T = Record<string, unknown>>(
  e2e: E2eSession,
  type: string,
  match: (body: Record<string, unknown>) => boolean,
): T[] {
  const seen = new Map<string, T>();
  for (const e of e2e.observer.events)
    if (e.type === type && match(e.body)) seen.set(String(e.message.headers?.ce_id), e.body as T);
  return [...seen.values()];
}
