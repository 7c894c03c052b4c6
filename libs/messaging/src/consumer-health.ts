import { gauge } from '@crm/observability';

/**
 * Consumers that kafkajs has stopped for good. kafkajs restarts a consumer after a retriable crash (a
 * coordinator still loading, a broker restarting) but not after any other (a group the service may not join, a
 * session timeout the broker refuses): the process then stays up, its HTTP routes and probes answer, and it
 * consumes nothing. The liveness probe reads this, so that the orchestrator restarts the pod (and keeps
 * restarting it, visibly, while the cause lasts) instead of leaving a deaf replica in service.
 */
export interface StoppedConsumer {
  group: string;
  /** The error kafkajs stopped on: its name and message, never a record's content. */
  reason: string;
  since: Date;
}

const stopped = new Map<string, StoppedConsumer>();

const consumerRunning = () =>
  gauge(
    'crm_consumer_running',
    "1 while the group's consumer runs in this process, 0 once kafkajs stopped it",
    ['group'],
  );

/** What kafkajs says with its CRASH instrumentation event. */
export interface ConsumerCrash {
  groupId: string;
  error: Error;
  /** Whether kafkajs starts the consumer again. */
  restart: boolean;
}

/** The log a crash deserves, and the stopped consumer it leaves behind when kafkajs does not restart it. */
export function recordConsumerCrash(
  crash: ConsumerCrash,
  logger: { warn(line: object): void; error(line: object): void },
): void {
  const reason = `${crash.error.name}: ${crash.error.message}`;
  if (crash.restart) {
    logger.warn({ msg: 'consumer crashed; kafkajs starts it again', group: crash.groupId, error: reason });
    return;
  }
  stopped.set(crash.groupId, { group: crash.groupId, reason, since: new Date() });
  consumerRunning().set({ group: crash.groupId }, 0);
  logger.error({
    msg: 'consumer stopped: kafkajs does not restart it after this error; the liveness probe now fails',
    group: crash.groupId,
    error: reason,
  });
}

/** The group's consumer has joined its group (at start, or after kafkajs restarted it). */
export function recordConsumerJoined(group: string): void {
  stopped.delete(group);
  consumerRunning().set({ group }, 1);
}

/** The consumers of this process that kafkajs stopped for good, oldest first. */
export function stoppedConsumers(): StoppedConsumer[] {
  return [...stopped.values()].sort((a, b) => a.since.getTime() - b.since.getTime());
}

/** The liveness probe's answer body when a consumer has stopped for good (503), or undefined while all run. */
export function consumersDown():
  { status: 'down'; consumers: Array<{ group: string; stoppedAt: string; reason: string }> } | undefined {
  const list = stoppedConsumers();
  if (list.length === 0) return undefined;
  return {
    status: 'down',
    consumers: list.map((c) => ({ group: c.group, stoppedAt: c.since.toISOString(), reason: c.reason })),
  };
}

/** A consumer closed on purpose (shutdown) is neither running nor failed. */
export function forgetConsumer(group: string): void {
  stopped.delete(group);
}
