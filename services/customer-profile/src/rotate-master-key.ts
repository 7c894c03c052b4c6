/**
 * `npm run pii:rotate-master-key`: re-wraps every customer data key under the current master key
 * (PII_MASTER_KEY / PII_MASTER_KEY_ID), unwrapping with the earlier keys named in PII_PREVIOUS_MASTER_KEYS.
 * Ciphertexts are not touched. Runs in batches with progress on stderr, can be interrupted and run again,
 * and exits 0 only when no data key is left under another master key.
 */
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { Type } from 'class-transformer';
import { DataSource } from 'typeorm';
import { serviceIdentity } from '@crm/contracts';
import { ConfigurationError, loadConfig } from '@crm/config';
import { serviceDataSourceOptions } from '@crm/persistence';
import { DataKeys, KEY_TABLES, type KeyTable } from './customers/data-keys';
import { cipherFromConfig } from './customers/pii-cipher.provider';
import {
  PROFILE_DEFAULTS,
  PROFILE_LOCAL_SECRETS,
  ValidatesMasterKeys,
  type MasterKeySettings,
} from './profile.config';

/** What the command needs: the database and the master keys (no Kafka, port or tokens). */
@ValidatesMasterKeys()
class RotationConfig implements MasterKeySettings {
  PII_MASTER_KEY: string;
  PII_MASTER_KEY_ID: string;
  PII_PREVIOUS_MASTER_KEYS?: string;
  @IsString() @MinLength(1) DATABASE_URL: string;
  @IsOptional() @IsString() DATABASE_SCHEMA?: string;
  @Type(() => Number) @IsInt() @Min(1) @Max(10_000) ROTATE_BATCH_SIZE: number;
  /**
   * customer_data_keys (customer-profile's schema, the default) or personal_text_keys (the customers' text
   * keys in feedback-sla's and interaction-log's schemas: run once per schema with DATABASE_SCHEMA).
   */
  @IsIn(KEY_TABLES) ROTATE_KEY_TABLE: KeyTable;
}

const say = (line: string) => process.stderr.write(`rotate-master-key: ${line}\n`);

async function main(): Promise<number> {
  const identity = serviceIdentity('customer-profile');
  const config = loadConfig(RotationConfig, process.env, {
    ...PROFILE_DEFAULTS,
    ROTATE_BATCH_SIZE: '500',
    ROTATE_KEY_TABLE: 'customer_data_keys',
    ...(process.env.NODE_ENV === 'production'
      ? {}
      : { PII_MASTER_KEY: PROFILE_LOCAL_SECRETS.PII_MASTER_KEY }),
  });
  const batchSize = config.ROTATE_BATCH_SIZE;
  const cipher = cipherFromConfig(config);
  const dataSource = new DataSource(
    serviceDataSourceOptions({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA ?? identity.schema,
      entities: [],
      migrations: [],
      poolSize: 2,
    }),
  );
  await dataSource.initialize();
  try {
    const keys = new DataKeys(dataSource, cipher, config.ROTATE_KEY_TABLE);
    say(
      `current master key "${cipher.currentMasterKeyId}"; data keys by master key before: ${JSON.stringify(await keys.countByMasterKey())}`,
    );
    const started = Date.now();
    const result = await keys.rotate(batchSize, (p) =>
      say(`re-wrapped ${p.rewrapped}, ${p.remaining} to go`),
    );
    say(
      `done in ${Date.now() - started} ms: ${result.rewrapped} re-wrapped; data keys by master key after: ${JSON.stringify(await keys.countByMasterKey())}`,
    );
    if (result.remaining > 0) {
      say(`${result.remaining} data keys were busy (locked); run the command again`);
      return 2;
    }
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    say(error instanceof ConfigurationError ? error.message : `failed: ${error.message}`);
    process.exit(1);
  },
);
