import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
/** Before associated data: `v1:iv:tag:body`. Still read, never written. */
const LEGACY = 'v1';
/** Ciphertext bound to its context as AES-GCM associated data: `v2:iv:tag:body`. */
const BOUND = 'v2';

export class PersonalDataKeyMissingError extends Error {
  constructor() {
    super("the customer's data key was destroyed (erased); personal data cannot be read");
    this.name = 'PersonalDataKeyMissingError';
  }
}

export class MasterKeyUnknownError extends Error {
  constructor(keyId: string) {
    super(
      `data key wrapped by master key "${keyId}", which is not configured (set it in PII_PREVIOUS_MASTER_KEYS until the rotation has re-wrapped every data key)`,
    );
    this.name = 'MasterKeyUnknownError';
  }
}

/**
 * Keys are held as KeyObjects: Node checks a raw Buffer key against every key kind on each use (about 10 µs
 * per cipher or HMAC on Node 24, five to seven times the work itself), and a KeyObject once.
 */
function decodeKey(name: string, base64: string): KeyObject {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32)
    throw new Error(`${name} must be 32 bytes, base64-encoded (got ${key.length} bytes)`);
  return createSecretKey(key);
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

function checkKeyId(name: string, id: string): string {
  if (!KEY_ID.test(id)) throw new Error(`${name} must be 1-64 letters, digits, '.', '_' or '-'`);
  return id;
}

function seal(key: KeyObject, plain: Buffer, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return [BOUND, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(
    ':',
  );
}

function open(key: KeyObject, sealed: string, context: string): Buffer {
  const [format, iv, tag, body] = sealed.split(':');
  if ((format !== BOUND && format !== LEGACY) || !iv || !tag || body === undefined)
    throw new Error('not an encrypted value of this platform');
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64'));
  if (format === BOUND) decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]);
}

/** A customer's data key as stored: wrapped by one master key, named by its id. */
export interface WrappedDataKey {
  masterKeyId: string;
  wrapped: string;
}

/**
 * The master keys: the current one wraps new data keys; previous ones (by id) still unwrap until a rotation
 * has re-wrapped every data key under the current one.
 */
export interface MasterKeys {
  currentId: string;
  current: string;
  /** `id:base64` pairs, comma-separated (PII_PREVIOUS_MASTER_KEYS). */
  previous?: string;
}

/** One customer's personal fields, sealed with their data key and bound to customer and field. */
export class CustomerFields {
  private readonly dataKey: KeyObject;

  constructor(
    private readonly customerId: string,
    dataKey: Buffer,
  ) {
    this.dataKey = createSecretKey(dataKey);
  }

  seal(field: string, value: string | null | undefined): string | null {
    return value === null || value === undefined
      ? null
      : seal(this.dataKey, Buffer.from(value, 'utf8'), `${this.customerId}/${field}`);
  }

  open(field: string, sealed: string | null | undefined): string | null {
    return sealed ? open(this.dataKey, sealed, `${this.customerId}/${field}`).toString('utf8') : null;
  }
}

/**
 * Envelope encryption of personal data: one random data key per customer, stored apart from the ciphertexts
 * and only wrapped by a master key that has an id. Destroying a customer's data key makes all their
 * ciphertext unreadable (crypto-shredding); rotating the master key re-wraps data keys and never touches a
 * ciphertext. AES-GCM binds each ciphertext to its customer and field, and each wrapped key to its customer,
 * so nothing can be copied from one customer or field to another.
 */
export class PiiCipher {
  private readonly masterKeys = new Map<string, KeyObject>();
  private readonly currentId: string;
  private readonly hashKey?: KeyObject;

  /** Without a hash key the cipher seals, opens and re-wraps, but cannot hash (the rotation command). */
  constructor(masterKeys: MasterKeys, hashKeyBase64?: string) {
    this.currentId = checkKeyId('PII_MASTER_KEY_ID', masterKeys.currentId);
    this.masterKeys.set(this.currentId, decodeKey('PII_MASTER_KEY', masterKeys.current));
    for (const entry of (masterKeys.previous ?? '').split(',').filter((e) => e.trim() !== '')) {
      const [id, key, ...rest] = entry.trim().split(':');
      if (!id || !key || rest.length > 0)
        throw new Error('PII_PREVIOUS_MASTER_KEYS must be comma-separated id:base64 pairs');
      checkKeyId('a PII_PREVIOUS_MASTER_KEYS id', id);
      if (this.masterKeys.has(id))
        throw new Error(`PII_PREVIOUS_MASTER_KEYS names master key "${id}" twice (or the current one)`);
      this.masterKeys.set(id, decodeKey(`PII_PREVIOUS_MASTER_KEYS "${id}"`, key));
    }
    if (hashKeyBase64 !== undefined) this.hashKey = decodeKey('PII_HASH_KEY', hashKeyBase64);
  }

  get currentMasterKeyId(): string {
    return this.currentId;
  }

  /** A new data key for a customer: wrapped under the current master key (to store), and its fields. */
  newDataKey(customerId: string): { stored: WrappedDataKey; fields: CustomerFields } {
    const key = randomBytes(32);
    return { stored: this.wrap(customerId, key), fields: new CustomerFields(customerId, key) };
  }

  /** A customer's fields from their stored data key; an erased customer (no key) cannot be read. */
  fields(customerId: string, stored: WrappedDataKey | null | undefined): CustomerFields {
    return new CustomerFields(customerId, this.unwrap(customerId, stored));
  }

  /** The same data key wrapped under the current master key; ciphertexts stay as they are. */
  rewrap(customerId: string, stored: WrappedDataKey): WrappedDataKey {
    return this.wrap(customerId, this.unwrap(customerId, stored));
  }

  /** A keyed hash for equality checks (duplicates, self-referral) without storing the value. */
  hashEmail(email: string | null | undefined): string | null {
    return email ? this.keyedHash(email.trim().toLowerCase()) : null;
  }

  /**
   * A name's blind index, for exact search by name without storing it readable: Unicode-normalised (NFKC),
   * case-folded and with runs of white space made one; a separate domain from the e-mail and phone hashes.
   */
  hashName(name: string | null | undefined): string | null {
    const normalised = normaliseName(name);
    return normalised ? this.keyedHash(`name\u0000${normalised}`) : null;
  }

  hashPhone(phone: string | null | undefined): string | null {
    if (!phone) return null;
    const digits = phone.replace(/[^\d+]/g, '');
    return this.keyedHash(digits);
  }

  private wrap(customerId: string, key: Buffer): WrappedDataKey {
    const master = this.masterKeys.get(this.currentId)!;
    return {
      masterKeyId: this.currentId,
      wrapped: seal(master, key, `data-key/${customerId}/${this.currentId}`),
    };
  }

  private unwrap(customerId: string, stored: WrappedDataKey | null | undefined): Buffer {
    if (!stored) throw new PersonalDataKeyMissingError();
    const master = this.masterKeys.get(stored.masterKeyId);
    if (!master) throw new MasterKeyUnknownError(stored.masterKeyId);
    return open(master, stored.wrapped, `data-key/${customerId}/${stored.masterKeyId}`);
  }

  private keyedHash(value: string): string {
    if (!this.hashKey) throw new Error('PII_HASH_KEY is not configured');
    return createHmac('sha256', this.hashKey).update(value).digest('hex');
  }
}

/** A name as the blind index sees it: `  Wang   LEI ` and `wang lei` are one name. */
export function normaliseName(name: string | null | undefined): string {
  return (name ?? '').normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Masks a value for roles that may know it exists but not read it. */
export function mask(value: string | null): string | null {
  if (!value) return value;
  return value.length <= 4
    ? '****'
    : `${value.slice(0, 2)}${'*'.repeat(Math.min(value.length - 4, 8))}${value.slice(-2)}`;
}
