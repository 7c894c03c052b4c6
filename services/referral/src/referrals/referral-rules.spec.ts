import { isSelfReferral, newReferralCode, rewardPoints } from './referral-rules';

describe('referral rules', () => {
  it('issues 8-character codes without look-alike characters', () => {
    for (let i = 0; i < 200; i += 1) expect(newReferralCode()).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
  });

  it('catches self-referral by id, e-mail hash or phone hash', () => {
    expect(isSelfReferral({ customerId: 'a' }, { customerId: 'a' })).toBe(true);
    expect(isSelfReferral({ customerId: 'a', emailHash: 'h1' }, { customerId: 'b', emailHash: 'h1' })).toBe(
      true,
    );
    expect(isSelfReferral({ customerId: 'a', phoneHash: 'p1' }, { customerId: 'b', phoneHash: 'p1' })).toBe(
      true,
    );
    expect(isSelfReferral({ customerId: 'a', emailHash: 'h1' }, { customerId: 'b', emailHash: 'h2' })).toBe(
      false,
    );
    expect(isSelfReferral({ customerId: 'a', emailHash: null }, { customerId: 'b', emailHash: null })).toBe(
      false,
    );
  });

  it('gives a core referrer the bonus and everyone else the base', () => {
    expect(rewardPoints(500, 'referrer', 'core', 50)).toBe(750);
    expect(rewardPoints(500, 'referee', 'core', 50)).toBe(500);
    expect(rewardPoints(500, 'referrer', 'general', 50)).toBe(500);
  });
});
