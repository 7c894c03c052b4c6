import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customer needs register (descriptions and solutions sealed with the customer's text key), and
 * improvement plans with their cross-team tasks and progress notes (about the organisation, not a person).
 */
export class NeedsPlans1732500000310 implements MigrationInterface {
  name = 'NeedsPlans1732500000310';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE needs (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('product', 'service', 'price', 'support', 'other')),
        description_sealed text NOT NULL,
        priority text NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
        owner text NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in-progress', 'solved', 'cancelled')),
        solution_sealed text,
        customer_confirmed_at timestamptz,
        overdue_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX needs_customer_idx ON needs (customer_id, created_at)');
    await runner.query(
      `CREATE INDEX needs_due_idx ON needs (due_at) WHERE status IN ('open', 'in-progress') AND overdue_at IS NULL`,
    );
    await runner.query(`
      CREATE TABLE plans (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        goal text NOT NULL,
        owner text NOT NULL,
        starts_on date NOT NULL,
        ends_on date NOT NULL CHECK (ends_on >= starts_on),
        kpi_goal_ids text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE plan_tasks (
        id uuid PRIMARY KEY,
        plan_id uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        title text NOT NULL,
        owner text NOT NULL,
        department text NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in-progress', 'done', 'cancelled')),
        progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        last_progress_at timestamptz NOT NULL,
        delayed_at timestamptz,
        escalation_level text CHECK (escalation_level IN ('department', 'executive')),
        escalated_at timestamptz,
        created_at timestamptz NOT NULL,
        done_at timestamptz
      )`);
    await runner.query('CREATE INDEX plan_tasks_plan_idx ON plan_tasks (plan_id, due_at)');
    await runner.query(
      `CREATE INDEX plan_tasks_open_idx ON plan_tasks (owner, due_at) WHERE status IN ('open', 'in-progress')`,
    );
    await runner.query(`
      CREATE TABLE plan_task_notes (
        id bigserial PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES plan_tasks (id) ON DELETE CASCADE,
        note text NOT NULL,
        progress smallint NOT NULL,
        status text NOT NULL,
        author text NOT NULL,
        noted_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX plan_task_notes_task_idx ON plan_task_notes (task_id, noted_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE plan_task_notes');
    await runner.query('DROP TABLE plan_tasks');
    await runner.query('DROP TABLE plans');
    await runner.query('DROP TABLE needs');
  }
}
