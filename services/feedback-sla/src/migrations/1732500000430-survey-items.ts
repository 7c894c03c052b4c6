import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Surveys with several items, each scored (the handbook's satisfaction form: speed, solution, attitude,
 * expertise), as data per survey kind; an answer keeps its item scores, and the low ones are named in the
 * follow-up.
 */
export class SurveyItems1732500000430 implements MigrationInterface {
  name = 'SurveyItems1732500000430';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE survey_items (
        kind text NOT NULL CHECK (kind IN ('csat', 'nps')),
        item text NOT NULL CHECK (item ~ '^[a-z][a-z0-9-]{0,31}$'),
        label text NOT NULL,
        position int NOT NULL,
        PRIMARY KEY (kind, item)
      )`);
    await runner.query(`
      INSERT INTO survey_items (kind, item, label, position) VALUES
        ('csat', 'speed', 'speed of response', 1),
        ('csat', 'solution', 'quality of the solution', 2),
        ('csat', 'attitude', 'friendliness', 3),
        ('csat', 'expertise', 'expertise', 4)`);
    await runner.query('ALTER TABLE survey_requests ADD COLUMN item_scores jsonb');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE survey_requests DROP COLUMN item_scores');
    await runner.query('DROP TABLE survey_items');
  }
}
