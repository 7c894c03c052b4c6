import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The membership program's privileges per level, as data beside the rules that assign the levels. */
export class MembershipPrivileges1732500000250 implements MigrationInterface {
  name = 'MembershipPrivileges1732500000250';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE membership_privileges (
        level text PRIMARY KEY CHECK (level IN ('gold', 'silver', 'bronze')),
        privileges jsonb NOT NULL CHECK (jsonb_typeof(privileges) = 'array'),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'seed'
      )`);
    await runner.query(`
      INSERT INTO membership_privileges (level, privileges) VALUES
        ('gold', '["a dedicated account manager", "first response within 1 hour", "a birthday gift", "free delivery", "early access to new products"]'),
        ('silver', '["priority service", "a birthday coupon", "member prices"]'),
        ('bronze', '["member prices", "care points on every purchase"]')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE membership_privileges');
  }
}
