import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A one-purpose capability in a link (a survey's answer link): `<subject>.<expiry seconds>.<HMAC-SHA256>`,
 * signed with a secret the minting and the checking service share. It names no person, works without a
 * staff token and stops working at its expiry.
 */
const SUBJECT = /^[A-Za-z0-9-]{1,64}$/;

const signature = (secret: string, payload: string) =>
  createHmac('sha256', secret).update(payload).digest('base64url');

export function signLinkToken(secret: string, subject: string, expiresAt: Date): string {
  if (!SUBJECT.test(subject))
    throw new Error(`a link subject is 1 to 64 letters, digits and -, not ${subject}`);
  const payload = `${subject}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${signature(secret, payload)}`;
}

export type LinkTokenCheck =
  { ok: true; subject: string; expiresAt: Date } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

export function verifyLinkToken(secret: string, token: string, now: Date): LinkTokenCheck {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || !SUBJECT.test(parts[0]) || !/^\d{1,12}$/.test(parts[1]) || !parts[2])
    return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(signature(secret, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'forged' };
  const expiresAt = new Date(Number(parts[1]) * 1000);
  if (expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, subject: parts[0], expiresAt };
}
