import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Date triggers of an order (a payment due, a warranty ending): a schedule per customer, trigger and order
 * (`ref`, empty for the customer's own dates). Playbooks and templates for the payment reminder, the thank-you
 * after payment and warranty care. Custom segment memberships for journey branches.
 */
export class OrderDates1732500000695 implements MigrationInterface {
  name = 'OrderDates1732500000695';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE date_schedules ADD COLUMN ref text NOT NULL DEFAULT ''`);
    // Journeys branch on custom segment membership too (from the state topic).
    await runner.query(
      `ALTER TABLE customer_attributes ADD COLUMN custom_segments text[] NOT NULL DEFAULT '{}'`,
    );
    await runner.query('ALTER TABLE date_schedules DROP CONSTRAINT date_schedules_pkey');
    await runner.query('ALTER TABLE date_schedules ADD PRIMARY KEY (customer_id, trigger, ref)');
    await runner.query(`
      INSERT INTO playbooks (id, trigger, action, purpose, channel, contact_due_hours, description) VALUES
        ('payment-reminder', 'date:payment-due', 'payment-reminder', 'service', 'email', NULL, 'Payment due in 3 days: a reminder'),
        ('payment-thanks', 'payment-recorded', 'payment-thanks', 'service', 'email', NULL, 'An order paid in full: a thank-you'),
        ('warranty-care', 'date:warranty-expiry', 'warranty-care', 'service', 'email', NULL, 'A warranty ends in 30 days: care and an extension')`);
    await runner.query(`
      INSERT INTO templates (id, locale, subject, body, updated_by) VALUES
        ('payment-reminder', 'en', 'A friendly reminder', 'A payment on your order is due in a few days. Thank you!', 'seed'),
        ('payment-reminder', 'zh-CN', '付款提醒', '您的订单付款即将到期，感谢您的支持！', 'seed'),
        ('payment-thanks', 'en', 'Thank you for your payment', 'We have received your payment. Thank you!', 'seed'),
        ('payment-thanks', 'zh-CN', '感谢您的付款', '我们已收到您的付款，谢谢！', 'seed'),
        ('warranty-care', 'en', 'Your warranty ends soon', 'Your warranty ends in 30 days. Here is what we can do: {{ links.guide }}', 'seed'),
        ('warranty-care', 'zh-CN', '保修即将到期', '您的保修将在 30 天后到期，我们可以为您提供：{{ links.guide }}', 'seed')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DELETE FROM templates WHERE id IN ('payment-reminder', 'payment-thanks', 'warranty-care')`,
    );
    await runner.query(
      `DELETE FROM playbooks WHERE id IN ('payment-reminder', 'payment-thanks', 'warranty-care')`,
    );
    await runner.query(`DELETE FROM date_schedules WHERE ref <> ''`);
    await runner.query('ALTER TABLE date_schedules DROP CONSTRAINT date_schedules_pkey');
    await runner.query('ALTER TABLE date_schedules ADD PRIMARY KEY (customer_id, trigger)');
    await runner.query('ALTER TABLE date_schedules DROP COLUMN ref');
    await runner.query('ALTER TABLE customer_attributes DROP COLUMN custom_segments');
  }
}
