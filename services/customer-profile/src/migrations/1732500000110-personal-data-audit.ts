import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every reveal and erasure of personal data: who, when, which customer, which fields, the stated reason. */
const UP = [
  `CREATE TABLE personal_data_audit (id bigserial PRIMARY KEY, actor text NOT NULL, action text NOT NULL CHECK (action IN ('reveal', 'erase')), customer_id uuid NOT NULL, fields text[] NOT NULL DEFAULT '{}', reason text NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX personal_data_audit_customer_idx ON personal_data_audit (customer_id, at DESC)',
  'CREATE INDEX personal_data_audit_at_idx ON personal_data_audit (at DESC)',
];

export class PersonalDataAudit1732500000110 implements MigrationInterface {
  name = 'PersonalDataAudit1732500000110';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of UP) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE personal_data_audit');
  }
}
