import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const FORMAT = 'v1';

export class PersonalDataKeyMissingError extends Error {
  constructor() {
    super("the customer's data key was destroyed (erased); personal data cannot be read");
    this.name = 'PersonalDataKeyMissingError';
  }
}

function decodeKey(name: string, base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32)
    throw new Error(`${name} must be 32 bytes, base64-encoded (got ${key.length} bytes)`);
  return key;
}

function seal(key: Buffer, plain: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return [
    FORMAT,
    iv.toString('base64'),
    cipher.getAuthTag().toString('base64'),
    body.toString('base64'),
  ].join(':');
}

function open(key: Buffer, sealed: string): Buffer {
  const [format, iv, tag, body] = sealed.split(':');
  if (format !== FORMAT || !iv || !tag || body === undefined)
    throw new Error('not an encrypted value of this platform');
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]);
}

/**
 * Envelope encryption of personal data: one random data key per customer, stored only wrapped by the
 * master key. Destroying a customer's wrapped key makes all their ciphertext unreadable (crypto-shredding).
 */
export class PiiCipher {
  private readonly masterKey: Buffer;
  private readonly hashKey: Buffer;

  constructor(masterKeyBase64: string, hashKeyBase64: string) {
    this.masterKey = decodeKey('PII_MASTER_KEY', masterKeyBase64);
    this.hashKey = decodeKey('PII_HASH_KEY', hashKeyBase64);
  }

  /** A new data key for a customer, returned wrapped (for storage) and plain (for this request only). */
  newDataKey(): { wrapped: string; key: Buffer } {
    const key = randomBytes(32);
    return { wrapped: seal(this.masterKey, key), key };
  }

  unwrap(wrapped: string | null | undefined): Buffer {
    if (!wrapped) throw new PersonalDataKeyMissingError();
    return open(this.masterKey, wrapped);
  }

  encrypt(dataKey: Buffer, value: string | null | undefined): string | null {
    return value === null || value === undefined ? null : seal(dataKey, Buffer.from(value, 'utf8'));
  }

  decrypt(dataKey: Buffer, sealed: string | null | undefined): string | null {
    return sealed ? open(dataKey, sealed).toString('utf8') : null;
  }

  /** A keyed hash for equality checks (duplicates, self-referral) without storing the value. */
  hashEmail(email: string | null | undefined): string | null {
    return email ? this.keyedHash(email.trim().toLowerCase()) : null;
  }

  hashPhone(phone: string | null | undefined): string | null {
    if (!phone) return null;
    const digits = phone.replace(/[^\d+]/g, '');
    return this.keyedHash(digits);
  }

  private keyedHash(value: string): string {
    return createHmac('sha256', this.hashKey).update(value).digest('hex');
  }
}

/** Masks a value for roles that may know it exists but not read it. */
export function mask(value: string | null): string | null {
  if (!value) return value;
  return value.length <= 4
    ? '****'
    : `${value.slice(0, 2)}${'*'.repeat(Math.min(value.length - 4, 8))}${value.slice(-2)}`;
}
