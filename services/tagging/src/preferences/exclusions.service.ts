import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CategoryExclusionsChanged, type CategoryExclusionsChangedV1 } from '@crm/contracts';
import { causedBy, OutboxPublisher, type Cause } from '@crm/messaging';
import { execute, queryOne } from '@crm/persistence';

/**
 * Negative preferences: categories a customer complained about or dismissed are never offered again. The
 * list lives on the customer; every change is an event that campaign targeting applies.
 */
@Injectable()
export class ExclusionsService {
  constructor(private readonly outbox: OutboxPublisher) {}

  async change(
    manager: EntityManager,
    customerId: string,
    next: (current: string[]) => string[],
    reason: CategoryExclusionsChangedV1['reason'],
    cause: Cause,
  ): Promise<string[]> {
    await execute(manager, 'INSERT INTO customers (customer_id) VALUES ($1) ON CONFLICT DO NOTHING', [
      customerId,
    ]);
    const row = await queryOne<{ excluded_categories: string[] | null }>(
      manager,
      'SELECT excluded_categories FROM customers WHERE customer_id = $1 FOR UPDATE',
      [customerId],
    );
    const current = row?.excluded_categories ?? [];
    const updated = [
      ...new Set(
        next(current)
          .map((c) => c.trim())
          .filter(Boolean),
      ),
    ].sort();
    if (updated.join('\u0000') === [...current].sort().join('\u0000')) return current;
    await execute(
      manager,
      'UPDATE customers SET excluded_categories = $2, updated_at = now() WHERE customer_id = $1',
      [customerId, updated],
    );
    await this.outbox.publish(
      manager,
      CategoryExclusionsChanged,
      {
        customerId,
        excludedCategories: updated,
        reason,
        causedByEventId: cause.eventId,
        changedAt: new Date().toISOString(),
      },
      causedBy(customerId, cause),
    );
    return updated;
  }
}
