import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A survey answer's free-text comment, sealed with the customer's text key (`personal_text_keys`). */
export class SurveyComments1732500000440 implements MigrationInterface {
  name = 'SurveyComments1732500000440';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE survey_requests ADD COLUMN comment_sealed text');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE survey_requests DROP COLUMN comment_sealed');
  }
}
