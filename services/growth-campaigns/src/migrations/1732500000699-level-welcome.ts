import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A membership level up welcomes the customer to the level with its privileges (tagging's `membership
 * changed` carries them): a seeded journey entered on `membership-upgraded`, a service e-mail.
 */
export class LevelWelcome1732500000699 implements MigrationInterface {
  name = 'LevelWelcome1732500000699';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      INSERT INTO templates (id, locale, subject, body, updated_by) VALUES
        ('welcome-to-level', 'en', 'Welcome to {{ moment.level }}',
         'You are now a {{ moment.level }} member. What it brings you: {{ moment.privileges }}. All of it: {{ links.privileges }}', 'seed'),
        ('welcome-to-level', 'zh-CN', '欢迎成为{{ moment.level }}会员',
         '您已升级为{{ moment.level }}会员，专属权益：{{ moment.privileges }}。详情：{{ links.privileges }}', 'seed')
      ON CONFLICT DO NOTHING`);
    const taken = (await runner.query("SELECT 1 FROM journey_heads WHERE id = 'level-welcome'")) as unknown[];
    const id = taken.length > 0 ? 'playbook-level-welcome' : 'level-welcome';
    const definition = {
      name: 'Membership level up: welcome to the level and its privileges',
      description: 'Membership level up: welcome to the level and its privileges',
      playbook: 'level-welcome',
      entry: { trigger: 'membership-upgraded' },
      start: 'touch',
      steps: {
        touch: {
          type: 'action',
          action: { kind: 'touch', channel: 'email', purpose: 'service', template: 'welcome-to-level' },
        },
      },
    };
    await runner.query(
      `INSERT INTO journeys (id, version, definition, created_by) VALUES ($1, 1, $2, 'seed') ON CONFLICT DO NOTHING`,
      [id, JSON.stringify(definition)],
    );
    await runner.query(
      'INSERT INTO journey_heads (id, current_version) VALUES ($1, 1) ON CONFLICT DO NOTHING',
      [id],
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query("DELETE FROM journey_heads WHERE id IN ('level-welcome', 'playbook-level-welcome')");
    await runner.query(
      "DELETE FROM journeys WHERE created_by = 'seed' AND definition->>'playbook' = 'level-welcome'",
    );
    await runner.query("DELETE FROM templates WHERE id = 'welcome-to-level' AND updated_by = 'seed'");
  }
}
