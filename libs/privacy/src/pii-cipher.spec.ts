import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { mask, MasterKeyUnknownError, PersonalDataKeyMissingError, PiiCipher } from './pii-cipher';

const key = () => randomBytes(32).toString('base64');
const hashKey = key();
const oldMaster = key();
const newMaster = key();
const cipher = new PiiCipher({ currentId: 'k1', current: oldMaster }, hashKey);

describe('PiiCipher', () => {
  it('round-trips a value through the customer data key and never stores plaintext', () => {
    const customer = randomUUID();
    const { stored, fields } = cipher.newDataKey(customer);
    const sealed = fields.seal('email', 'director@a-co.example')!;
    expect(sealed).not.toContain('director');
    expect(stored.masterKeyId).toBe('k1');
    expect(cipher.fields(customer, stored).open('email', sealed)).toBe('director@a-co.example');
  });

  it('binds every ciphertext to its customer and field, and every wrapped key to its customer', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.uuid(), fc.uuid(), (value, customer, other) => {
        fc.pre(customer !== other);
        const { stored, fields } = cipher.newDataKey(customer);
        const sealed = fields.seal('name', value)!;
        expect(cipher.fields(customer, stored).open('name', sealed)).toBe(value);
        // Moved to another field or presented as another customer's, it no longer opens.
        expect(() => fields.open('email', sealed)).toThrow();
        expect(() => cipher.fields(other, stored)).toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('cannot read anything once the data key is destroyed', () => {
    expect(() => cipher.fields(randomUUID(), null)).toThrow(PersonalDataKeyMissingError);
  });

  it('rejects ciphertext that was tampered with', () => {
    const { fields } = cipher.newDataKey(randomUUID());
    const parts = fields.seal('phone', 'secret')!.split(':');
    parts[3] = Buffer.from('other!').toString('base64');
    expect(() => fields.open('phone', parts.join(':'))).toThrow();
  });

  it('re-wraps a data key under a new master key without touching the ciphertexts', () => {
    const customer = randomUUID();
    const { stored, fields } = cipher.newDataKey(customer);
    const sealed = fields.seal('name', 'Ada Lovelace')!;
    const rotating = new PiiCipher(
      { currentId: 'k2', current: newMaster, previous: `k1:${oldMaster}` },
      hashKey,
    );
    const rewrapped = rotating.rewrap(customer, stored);
    expect(rewrapped.masterKeyId).toBe('k2');
    expect(rewrapped.wrapped).not.toBe(stored.wrapped);
    const rotated = new PiiCipher({ currentId: 'k2', current: newMaster }, hashKey);
    expect(rotated.fields(customer, rewrapped).open('name', sealed)).toBe('Ada Lovelace');
    expect(() => rotated.fields(customer, stored)).toThrow(MasterKeyUnknownError);
  });

  it('still reads values sealed before associated data (v1), so upgrades need no re-encryption', () => {
    const master = Buffer.from(oldMaster, 'base64');
    const legacySeal = (k: Buffer, plain: Buffer) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', k, iv);
      const body = Buffer.concat([c.update(plain), c.final()]);
      return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(
        ':',
      );
    };
    const dataKey = randomBytes(32);
    const stored = { masterKeyId: 'k1', wrapped: legacySeal(master, dataKey) };
    const sealed = legacySeal(dataKey, Buffer.from('Grace Hopper'));
    expect(cipher.fields(randomUUID(), stored).open('name', sealed)).toBe('Grace Hopper');
  });

  it('keys held as KeyObjects write and read what raw keys did: the same hashes, v2 values both ways', () => {
    const rawHash = Buffer.from(hashKey, 'base64');
    const rawMaster = Buffer.from(oldMaster, 'base64');
    const rawSeal = (k: Buffer, plain: Buffer, context: string) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', k, iv);
      c.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return ['v2', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(
        ':',
      );
    };
    const rawOpen = (k: Buffer, sealed: string, context: string) => {
      const [, iv, tag, body] = sealed.split(':');
      const d = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64'));
      d.setAAD(Buffer.from(context, 'utf8'));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]);
    };
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), fc.uuid(), (value, customer) => {
        const digits = value.replace(/[^\d+]/g, '');
        if (digits)
          expect(cipher.hashPhone(value)).toBe(createHmac('sha256', rawHash).update(digits).digest('hex'));
        // Sealed by the cipher, read with raw keys ...
        const { stored, fields } = cipher.newDataKey(customer);
        const dataKey = rawOpen(rawMaster, stored.wrapped, `data-key/${customer}/k1`);
        expect(rawOpen(dataKey, fields.seal('email', value)!, `${customer}/email`).toString('utf8')).toBe(
          value,
        );
        // ... and sealed with raw keys, read by the cipher.
        const wrapped = {
          masterKeyId: 'k1',
          wrapped: rawSeal(rawMaster, dataKey, `data-key/${customer}/k1`),
        };
        const sealed = rawSeal(dataKey, Buffer.from(value, 'utf8'), `${customer}/name`);
        expect(cipher.fields(customer, wrapped).open('name', sealed)).toBe(value);
      }),
      { numRuns: 200 },
    );
  });

  it('hashes e-mails case- and space-insensitively and phones by digits', () => {
    expect(cipher.hashEmail(' A@B.example ')).toBe(cipher.hashEmail('a@b.example'));
    expect(cipher.hashPhone('+49 (30) 123-45')).toBe(cipher.hashPhone('+493012345'));
    expect(cipher.hashEmail('a@b.example')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('indexes names blind: case, width and spacing aside, apart from e-mails, never the name itself', () => {
    expect(cipher.hashName('  Wang   LEI ')).toBe(cipher.hashName('wang lei'));
    expect(cipher.hashName('ＷＡＮＧ Lei')).toBe(cipher.hashName('wang lei'));
    expect(cipher.hashName('王磊')).not.toBe(cipher.hashName('王 磊'));
    expect(cipher.hashName('a@b.example')).not.toBe(cipher.hashEmail('a@b.example'));
    expect(cipher.hashName('   ')).toBeNull();
    expect(cipher.hashName(null)).toBeNull();
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), (name) => {
        const hash = cipher.hashName(name);
        if (hash === null) return expect(name.normalize('NFKC').trim()).toBe('');
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(cipher.hashName(` ${name.toUpperCase()} `)).toBe(cipher.hashName(name.toLowerCase()));
      }),
    );
  });

  it('refuses bad master keys naming the setting, never printing a key', () => {
    const short = Buffer.alloc(16).toString('base64');
    expect(() => new PiiCipher({ currentId: 'k1', current: short }, hashKey)).toThrow(
      /PII_MASTER_KEY must be 32 bytes/,
    );
    expect(() => new PiiCipher({ currentId: 'bad id!', current: oldMaster }, hashKey)).toThrow(
      /PII_MASTER_KEY_ID/,
    );
    let message = '';
    try {
      new PiiCipher({ currentId: 'k2', current: newMaster, previous: `k1=${oldMaster}` }, hashKey);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PII_PREVIOUS_MASTER_KEYS must be comma-separated id:base64 pairs/);
    expect(message).not.toContain(oldMaster);
    expect(
      () => new PiiCipher({ currentId: 'k1', current: newMaster, previous: `k1:${oldMaster}` }, hashKey),
    ).toThrow(/names master key "k1" twice/);
  });

  it('masks all but the ends of a value', () => {
    expect(mask('+49301234567')).toBe('+4********67');
  });
});
