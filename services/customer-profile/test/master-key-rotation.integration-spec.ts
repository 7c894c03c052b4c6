import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { execute, initialiseServiceDataSource, queryRows, serviceDataSourceOptions } from '@crm/persistence';
import { MasterKeyUnknownError, PiiCipher } from '@crm/privacy';
import { ManagedProcess } from '@crm/testing';
import { PROFILE_MIGRATIONS } from '../src/app.module';
import { DataKeys } from '../src/customers/data-keys';

/**
 * Crypto-shredding against the real Postgres: data keys live in their own table under a named master key;
 * the upgrade moves keys out of the customer row; the rotation command re-wraps every data key under a new
 * master key without touching a ciphertext; erasure destroys the key.
 */
const schema = `profile_keys_${randomUUID().slice(0, 8)}`;
const hashKey = randomBytes(32).toString('base64');
const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const options = (migrations: (new () => unknown)[]) =>
  serviceDataSourceOptions({ url: process.env.DATABASE_URL!, schema, entities: [], migrations });
let dataSource: DataSource;

function legacySeal(key: Buffer, plain: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(
    ':',
  );
}

async function insertCustomer(db: DataSource, id: string, nameEnc: string, extra = ''): Promise<void> {
  await execute(
    db,
    `INSERT INTO customers (id, external_ref, kind, name_enc, registered_at, relationship_started_at, lifetime_spend, lifetime_purchase_count${extra ? ', wrapped_key' : ''})
     VALUES ($1, $2, 'person', $3, now(), now(), 0, 0${extra ? ', $4' : ''})`,
    extra ? [id, `KEYS-${id}`, nameEnc, extra] : [id, `KEYS-${id}`, nameEnc],
  );
}

/** The rotation command an operator runs, as its own process, against this test's schema. */
const rotation = (env: Record<string, string>) =>
  ManagedProcess.start('rotate-master-key', 'services/customer-profile/src/rotate-master-key', [], {
    DATABASE_URL: process.env.DATABASE_URL,
    DATABASE_SCHEMA: schema,
    ...env,
  });

afterAll(async () => {
  await dataSource?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await dataSource?.destroy();
});

describe('customer data keys', () => {
  it('move out of the customer row on upgrade, rotate to a new master key without touching ciphertexts, and die with erasure', async () => {
    // Before the upgrade: one customer whose (legacy, v1) data key sits in the customer row.
    const before = await initialiseServiceDataSource(options(PROFILE_MIGRATIONS.slice(0, 2)));
    const legacyId = randomUUID();
    const legacyKey = randomBytes(32);
    await insertCustomer(
      before,
      legacyId,
      legacySeal(legacyKey, Buffer.from('Legacy Lovelace')),
      legacySeal(Buffer.from(keyA, 'base64'), legacyKey),
    );
    await before.destroy();

    dataSource = await initialiseServiceDataSource(options(PROFILE_MIGRATIONS));
    const columns = await queryRows<{ column_name: string }>(
      dataSource,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'customers'`,
      [schema],
    );
    expect(columns.map((c) => c.column_name)).not.toContain('wrapped_key');
    const keysA = new DataKeys(dataSource, new PiiCipher({ currentId: 'initial', current: keyA }, hashKey));
    expect(await keysA.countByMasterKey()).toEqual({ initial: 1 });
    expect((await keysA.fields(dataSource, legacyId))!.open('name', (await names())[legacyId])).toBe(
      'Legacy Lovelace',
    );

    // Four customers registered under master key A, bound to customer and field.
    const ids = [0, 1, 2, 3].map(() => randomUUID());
    for (const [i, id] of ids.entries()) {
      const { fields, stored } = keysA.create(id);
      await dataSource.transaction(async (manager) => {
        await insertCustomer(dataSource, id, fields.seal('name', `Customer ${i}`)!);
        await keysA.storeAll(manager, [stored]);
      });
    }
    const ciphertextsBefore = await names();

    // Rotation to master key B, in batches of two, as the command an operator runs.
    const command = rotation({
      PII_MASTER_KEY: keyB,
      PII_MASTER_KEY_ID: 'k2',
      PII_PREVIOUS_MASTER_KEYS: `initial:${keyA}`,
      PII_HASH_KEY: hashKey,
      ROTATE_BATCH_SIZE: '2',
      NODE_ENV: 'production',
    });
    const exit = await command.exited;
    const output = command.output(100);
    expect({ exit, output }).toEqual({
      exit: { code: 0, signal: null },
      output: expect.stringContaining('5 re-wrapped'),
    });
    expect(output).toContain('re-wrapped 2, 3 to go');
    for (const secret of [keyA, keyB, hashKey]) expect(output).not.toContain(secret);

    const keysB = new DataKeys(dataSource, new PiiCipher({ currentId: 'k2', current: keyB }, hashKey));
    expect(await keysB.countByMasterKey()).toEqual({ k2: 5 });
    expect(await names()).toEqual(ciphertextsBefore);
    for (const [i, id] of ids.entries())
      expect((await keysB.fields(dataSource, id))!.open('name', ciphertextsBefore[id])).toBe(`Customer ${i}`);
    expect((await keysB.fields(dataSource, legacyId))!.open('name', ciphertextsBefore[legacyId])).toBe(
      'Legacy Lovelace',
    );
    // Master key A alone can read nothing any more.
    await expect(keysA.fields(dataSource, ids[0])).rejects.toThrow(MasterKeyUnknownError);

    // A second run has nothing to do.
    const again = rotation({ PII_MASTER_KEY: keyB, PII_MASTER_KEY_ID: 'k2' });
    expect((await again.exited).code).toBe(0);
    expect(again.output()).toContain('0 re-wrapped');

    // Erasure destroys the data key: the ciphertext is still there and can never be read again.
    await keysB.destroy(dataSource, ids[1]);
    expect(await keysB.fields(dataSource, ids[1])).toBeNull();
    expect(await keysB.countByMasterKey()).toEqual({ k2: 4 });
  }, 60_000);

  it('refuses to rotate with a previous key list it cannot read, naming the variable and printing no key', async () => {
    const command = rotation({
      PII_MASTER_KEY: keyB,
      PII_MASTER_KEY_ID: 'k3',
      PII_PREVIOUS_MASTER_KEYS: keyA,
    });
    expect((await command.exited).code).toBe(1);
    expect(command.output()).toContain('PII_PREVIOUS_MASTER_KEYS must be comma-separated id:base64 pairs');
    expect(command.output()).not.toContain(keyA);
  });
});

async function names(): Promise<Record<string, string>> {
  const rows = await queryRows<{ id: string; name_enc: string }>(
    dataSource,
    'SELECT id, name_enc FROM customers',
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.name_enc]));
}
