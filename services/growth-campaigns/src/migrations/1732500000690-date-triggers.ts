import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The handbook's time triggers as durable schedules: the dates of each customer (from profile and purchase
 * events) and one row per customer and trigger with its next due time, fired by the campaign timers worker.
 * Playbooks and templates for them, in en and zh-CN.
 */
export class DateTriggers1732500000690 implements MigrationInterface {
  name = 'DateTriggers1732500000690';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE customer_dates (
        customer_id uuid PRIMARY KEY,
        birthday_md text,
        relationship_started_at timestamptz,
        registered_at timestamptz,
        last_purchase_at timestamptz
      )`);
    await runner.query(`
      CREATE TABLE date_schedules (
        customer_id uuid NOT NULL,
        trigger text NOT NULL,
        occurs_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        detail text NOT NULL,
        PRIMARY KEY (customer_id, trigger)
      )`);
    await runner.query('CREATE INDEX date_schedules_due_idx ON date_schedules (due_at)');
    await runner.query(`
      INSERT INTO playbooks (id, trigger, action, purpose, channel, contact_due_hours, description) VALUES
        ('birthday-care', 'date:birthday', 'birthday-benefit', 'marketing', 'email', NULL, 'Birthday: a benefit, announced 24 h ahead'),
        ('membership-day', 'date:membership-anniversary', 'membership-day-benefit', 'marketing', 'email', NULL, 'Membership anniversary: a benefit, announced 24 h ahead'),
        ('registration-care', 'date:days-since-registration', 'registration-care', 'service', 'email', NULL, 'Registration + 30 days: how is it going?'),
        ('reengagement', 'date:days-without-purchase', 'reengagement-nudge', 'marketing', 'email', NULL, 'Days without a purchase: a re-engagement nudge')`);
    await runner.query(`
      INSERT INTO templates (id, locale, subject, body, updated_by) VALUES
        ('birthday-benefit', 'en', 'Happy birthday from us', 'A birthday benefit is waiting for you: {{ links.offer }}', 'seed'),
        ('birthday-benefit', 'zh-CN', '生日快乐', '您的生日礼遇已备好：{{ links.offer }}', 'seed'),
        ('membership-day-benefit', 'en', 'Happy membership day', 'Thank you for another year together: {{ links.privileges }}', 'seed'),
        ('membership-day-benefit', 'zh-CN', '会员日快乐', '感谢一路相伴：{{ links.privileges }}', 'seed'),
        ('registration-care', 'en', 'How is it going?', 'It has been a month. Anything we can help with? {{ links.guide }}', 'seed'),
        ('registration-care', 'zh-CN', '使用还顺利吗？', '注册已满一个月，有什么可以帮您？{{ links.guide }}', 'seed'),
        ('reengagement-nudge', 'en', 'Something new for you', 'Have a look at what is new: {{ links.offer }}', 'seed'),
        ('reengagement-nudge', 'zh-CN', '为您准备的新品', '看看最新推荐：{{ links.offer }}', 'seed')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DELETE FROM playbooks WHERE id IN ('birthday-care', 'membership-day', 'registration-care', 'reengagement')`,
    );
    await runner.query(
      `DELETE FROM templates WHERE id IN ('birthday-benefit', 'membership-day-benefit', 'registration-care', 'reengagement-nudge')`,
    );
    await runner.query('DROP TABLE date_schedules');
    await runner.query('DROP TABLE customer_dates');
  }
}
