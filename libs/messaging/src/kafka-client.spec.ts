import { kafkaJsRequestQueue, patchKafkaRequestQueue } from './kafka-client';

class FakeQueue {
  pending: unknown[] = [];
  throttledUntil = -1;
  throttleCheckTimeoutId: NodeJS.Timeout | null = null;
  checks = 0;
  /** As kafkajs does: sends what waits unless throttled, then schedules the next look. */
  checkPendingRequests(): void {
    this.checks += 1;
    if (this.throttledUntil <= Date.now()) this.pending = [];
    this.scheduleCheckPendingRequests();
  }
  scheduleCheckPendingRequests(): void {
    throw new Error('not patched');
  }
}

describe("kafkajs's request queue, patched", () => {
  beforeAll(() => patchKafkaRequestQueue(FakeQueue));
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('arms no timer when nothing waits and nothing is throttled (the idle spin of kafkajs 2.2.4)', () => {
    const queue = new FakeQueue();
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
    jest.advanceTimersByTime(1000);
    expect(queue.checks).toBe(1);
  });

  it('looks again after 10 ms while requests wait, and at the end of a throttle', () => {
    const queue = new FakeQueue();
    queue.pending.push({});
    queue.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(9);
    expect(queue.checks).toBe(0);
    jest.advanceTimersByTime(1);
    expect(queue.checks).toBe(1);
    queue.pending = [];
    queue.throttledUntil = Date.now() + 500;
    queue.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(499);
    expect(queue.checks).toBe(1);
    jest.advanceTimersByTime(1);
    expect(queue.checks).toBe(2);
    jest.advanceTimersByTime(10_000);
    expect(queue.checks).toBe(2);
  });

  it("is applied to kafkajs's own class when the client module loads", () => {
    const { prototype } = kafkaJsRequestQueue;
    const queue = Object.assign(Object.create(prototype) as Record<string, unknown>, {
      pending: [],
      throttledUntil: -1,
      throttleCheckTimeoutId: null,
    });
    (queue.scheduleCheckPendingRequests as () => void).call(queue);
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });
});
