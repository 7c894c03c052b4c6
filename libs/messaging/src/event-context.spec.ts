import fc from 'fast-check';
import type { EntityManager } from 'typeorm';
import { CustomerUpdated, type EventEnvelope } from '@crm/contracts';
import { EventBatchContext } from './event-context';
import type { OutboxPublisher } from './outbox.publisher';

/** An outbox that records what it was asked to publish. */
function recordingOutbox() {
  const published: {
    manager: EntityManager;
    subject: string;
    causationId?: string;
    correlationId: string;
  }[] = [];
  const outbox = {
    publish: async (
      manager: EntityManager,
      _definition: unknown,
      _payload: unknown,
      meta: { subject: string; causationId?: string; correlationId: string },
    ) => {
      published.push({ manager, ...meta });
      return { id: 'published' };
    },
  } as unknown as OutboxPublisher;
  return { outbox, published };
}

const envelope = (id: string, correlationId: string, subject: string): EventEnvelope =>
  ({
    id,
    correlationId,
    subject,
    type: CustomerUpdated.type,
    data: CustomerUpdated.fixture,
  }) as EventEnvelope;

describe('EventBatchContext.record', () => {
  const manager = { name: 'the run transaction' } as unknown as EntityManager;

  it("gives any record of any run its own delivery, in the run's transaction, as the cause of what it publishes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.uuid(), fc.string(), fc.uuid()), { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        async (records, pick, attempt) => {
          const events = records.map(([id, correlation, subject]) => envelope(id, correlation, subject));
          const offsets = records.map((_, i) => String(1000 + i * 3));
          const run = new EventBatchContext(events, manager, { topic: 't', partition: 4, offsets, attempt });
          const index = pick % events.length;
          const { outbox, published } = recordingOutbox();
          const context = run.record(index, outbox);
          expect(context.event).toBe(events[index]);
          expect(context.manager).toBe(manager);
          expect(context.delivery).toEqual({ topic: 't', partition: 4, offset: offsets[index], attempt });
          await context.publish(CustomerUpdated, CustomerUpdated.fixture);
          expect(published).toEqual([
            {
              manager,
              subject: events[index].subject,
              causationId: events[index].id,
              correlationId: events[index].correlationId,
            },
          ]);
        },
      ),
    );
  });

  it('refuses an index outside the run, naming the run length', () => {
    const run = new EventBatchContext([envelope('e-1', 'c-1', 's-1')], manager, {
      topic: 't',
      partition: 0,
      offsets: ['7'],
      attempt: 1,
    });
    const { outbox } = recordingOutbox();
    expect(() => run.record(1, outbox)).toThrow('record 1 is not in a run of 1');
    expect(() => run.record(-1, outbox)).toThrow(RangeError);
  });
});
