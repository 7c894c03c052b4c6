import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One contact budget and written touches: customers' contact preferences (from profile events), frequency
 * caps per segment as data, templates per locale, the channel per segment (the handbook's multi-channel
 * matrix), what each touch was written with, and satisfaction surveys sent through the same policy.
 */
export class ContactBudget1732500000670 implements MigrationInterface {
  name = 'ContactBudget1732500000670';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE contact_preferences (
        customer_id uuid PRIMARY KEY,
        time_zone text,
        locale text,
        contact_frequency text NOT NULL DEFAULT 'normal'
      )`);
    // First match wins (by precedence); '*' is everyone else. Touches of every channel and purpose count.
    await runner.query(`
      CREATE TABLE contact_caps (
        key text PRIMARY KEY,
        precedence int NOT NULL,
        touches int NOT NULL CHECK (touches BETWEEN 0 AND 100),
        window_days int NOT NULL CHECK (window_days BETWEEN 1 AND 90),
        description text NOT NULL
      )`);
    await runner.query(`
      INSERT INTO contact_caps (key, precedence, touches, window_days, description) VALUES
        ('value-loyalty:core', 1, 4, 7, 'Core customers: up to 4 touches a week (exclusive events, holiday care)'),
        ('value-loyalty:churn-warning', 2, 3, 7, 'Churn warning: recall benefits without crowding'),
        ('tier:silent', 3, 2, 7, 'Silent: a light touch'),
        ('*', 99, 3, 7, 'Everyone else: 3 touches a week across all channels')`);
    await runner.query(`
      CREATE TABLE templates (
        id text NOT NULL,
        locale text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, locale)
      )`);
    await runner.query(`
      INSERT INTO templates (id, locale, subject, body, updated_by) VALUES
        ('onboarding-path', 'en', 'Welcome aboard', 'Thank you for your first order. Here is how to get the most from it: {{ links.guide }}', 'seed'),
        ('onboarding-path', 'zh-CN', '欢迎加入', '感谢您的首次购买。使用指南：{{ links.guide }}', 'seed'),
        ('welcome-to-tier', 'en', 'Welcome to {{ customer.membershipLevel | default: "your new level" }}', 'Your new level brings new privileges: {{ links.privileges }}', 'seed'),
        ('welcome-to-tier', 'zh-CN', '欢迎升级为{{ customer.membershipLevel | default: "新等级" }}会员', '您的新等级权益：{{ links.privileges }}', 'seed'),
        ('win-back-offer', 'en', 'We miss you', 'It has been a while. A recall benefit is waiting for you: {{ links.offer }}', 'seed'),
        ('win-back-offer', 'zh-CN', '好久不见', '我们为您准备了回归礼遇：{{ links.offer }}', 'seed'),
        ('satisfaction-survey', 'en', 'How did we do?', 'Please rate us from 1 to 5: {{ links.survey }}', 'seed'),
        ('satisfaction-survey', 'zh-CN', '请评价我们的服务', '请为本次服务打分（1-5 分）：{{ links.survey }}', 'seed')`);
    await runner.query(`
      CREATE TABLE segment_channels (
        key text PRIMARY KEY,
        precedence int NOT NULL,
        channel text NOT NULL,
        description text NOT NULL
      )`);
    await runner.query(`
      INSERT INTO segment_channels (key, precedence, channel, description) VALUES
        ('value-loyalty:core', 1, 'phone', 'Core: the exclusive advisor calls'),
        ('tier:high-value', 2, 'email', 'High-value: a personal e-mail'),
        ('value-loyalty:potential', 3, 'app-push', 'Potential: personalised offers in the app'),
        ('value-loyalty:churn-warning', 4, 'sms', 'Churn warning: recall benefits by SMS'),
        ('*', 99, 'email', 'Everyone else: e-mail')`);
    await runner.query(`ALTER TABLE care_actions ADD COLUMN template text, ADD COLUMN variant text, ADD COLUMN locale text,
      ADD COLUMN variables jsonb NOT NULL DEFAULT '{}'`);
    await runner.query(`
      INSERT INTO playbooks (id, trigger, action, purpose, channel, contact_due_hours, description) VALUES
        ('satisfaction-survey', 'survey-requested', 'satisfaction-survey', 'service', 'email', NULL,
         'A satisfaction survey from feedback-sla, sent through the one contact budget (a service message)')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM playbooks WHERE id = 'satisfaction-survey'`);
    await runner.query(
      'ALTER TABLE care_actions DROP COLUMN template, DROP COLUMN variant, DROP COLUMN locale, DROP COLUMN variables',
    );
    for (const table of ['segment_channels', 'templates', 'contact_caps', 'contact_preferences'])
      await runner.query(`DROP TABLE ${table}`);
  }
}
