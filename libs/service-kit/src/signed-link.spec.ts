import fc from 'fast-check';
import { signLinkToken, verifyLinkToken } from './signed-link';

const secret = 'a-survey-link-secret-that-is-long-enough';
const now = new Date('2026-06-01T12:00:00Z');
const later = new Date('2026-06-08T12:00:00Z');

describe('signed links', () => {
  it('answers the subject of a good token until it expires, and refuses a forged or changed one', () => {
    const token = signLinkToken(secret, '5d4c3b2a-1908-4f7e-8d6c-5b4a39281706', later);
    expect(verifyLinkToken(secret, token, now)).toEqual({
      ok: true,
      subject: '5d4c3b2a-1908-4f7e-8d6c-5b4a39281706',
      expiresAt: later,
    });
    expect(verifyLinkToken(secret, token, later)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLinkToken('another-secret-that-is-long-enough-too', token, now)).toEqual({
      ok: false,
      reason: 'forged',
    });
    const [subject, exp, sig] = token.split('.');
    expect(verifyLinkToken(secret, `${subject}.${Number(exp) + 86400}.${sig}`, now)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('never accepts a token it did not sign, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (token) => {
        const check = verifyLinkToken(secret, token, now);
        return !check.ok;
      }),
    );
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.integer({ min: 0, max: 42 }),
        fc.string({ minLength: 1, maxLength: 3 }),
        (id, at, junk) => {
          const token = signLinkToken(secret, id, later);
          const tampered = token.slice(0, at) + junk + token.slice(at);
          return !verifyLinkToken(secret, tampered, now).ok;
        },
      ),
    );
  });
});
