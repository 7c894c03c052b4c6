import { randomBytes } from 'node:crypto';
import { mask, PersonalDataKeyMissingError, PiiCipher } from './pii-cipher';

const cipher = new PiiCipher(randomBytes(32).toString('base64'), randomBytes(32).toString('base64'));

describe('PiiCipher', () => {
  it('round-trips a value through the customer data key and never stores plaintext', () => {
    const { wrapped, key } = cipher.newDataKey();
    const sealed = cipher.encrypt(key, 'director@a-co.example')!;
    expect(sealed).not.toContain('director');
    expect(cipher.decrypt(cipher.unwrap(wrapped), sealed)).toBe('director@a-co.example');
  });

  it('cannot read anything once the wrapped key is destroyed', () => {
    expect(() => cipher.unwrap(null)).toThrow(PersonalDataKeyMissingError);
  });

  it('rejects ciphertext that was tampered with', () => {
    const { key } = cipher.newDataKey();
    const sealed = cipher.encrypt(key, 'secret')!;
    const parts = sealed.split(':');
    parts[3] = Buffer.from('other!').toString('base64');
    expect(() => cipher.decrypt(key, parts.join(':'))).toThrow();
  });

  it('hashes e-mails case- and space-insensitively and phones by digits', () => {
    expect(cipher.hashEmail(' A@B.example ')).toBe(cipher.hashEmail('a@b.example'));
    expect(cipher.hashPhone('+49 (30) 123-45')).toBe(cipher.hashPhone('+493012345'));
    expect(cipher.hashEmail('a@b.example')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a master key of the wrong size', () => {
    expect(
      () => new PiiCipher(Buffer.alloc(16).toString('base64'), randomBytes(32).toString('base64')),
    ).toThrow(/PII_MASTER_KEY must be 32 bytes/);
  });

  it('masks all but the ends of a value', () => {
    expect(mask('+49301234567')).toBe('+4********67');
  });
});
