import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Skills in automatic assignment: staff have skills, a rule may match a ticket's product category and name
 * the skills its owner needs; only owners of its pool who have them all can take the ticket.
 */
export class AssignmentSkills1732500000495 implements MigrationInterface {
  name = 'AssignmentSkills1732500000495';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE staff ADD COLUMN skills text[] NOT NULL DEFAULT '{}'`);
    await runner.query(`
      ALTER TABLE assignment_rules
        ADD COLUMN category text,
        ADD COLUMN skills text[] NOT NULL DEFAULT '{}'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE assignment_rules DROP COLUMN skills, DROP COLUMN category');
    await runner.query('ALTER TABLE staff DROP COLUMN skills');
  }
}
