import { randomBytes } from 'node:crypto';

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * An 8-character code without look-alike characters (no 0/O, 1/I): 40 random bits. The alphabet has 32
 * letters, which divide 256, so the low five bits of each random byte pick one without bias.
 */
export function newReferralCode(): string {
  let code = '';
  for (const byte of randomBytes(8)) code += ALPHABET[byte & 31];
  return code;
}

export interface Party {
  customerId: string;
  emailHash?: string | null;
  phoneHash?: string | null;
}

/** The same customer, or the same e-mail or phone (compared by keyed hash), on both sides is self-referral. */
export function isSelfReferral(referrer: Party, referee: Party): boolean {
  if (referrer.customerId === referee.customerId) return true;
  if (referrer.emailHash && referrer.emailHash === referee.emailHash) return true;
  return Boolean(referrer.phoneHash && referrer.phoneHash === referee.phoneHash);
}

export function rewardPoints(
  base: number,
  role: 'referrer' | 'referee',
  referrerSegment: string | null,
  coreBonusPercent: number,
): number {
  if (role === 'referrer' && referrerSegment === 'core')
    return Math.round(base * (1 + coreBonusPercent / 100));
  return base;
}
