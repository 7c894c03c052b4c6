import 'reflect-metadata';
import type { TopicName } from '../topics';

export type PayloadClass<T> = new () => T;

export interface EventDefinition<T extends object = object> {
  /** Versioned wire type (`ce_type`), e.g. `crm.purchase.recorded.v1`. */
  type: string;
  version: number;
  topic: TopicName;
  description: string;
  payload: PayloadClass<T>;
  /** A valid example payload; used in docs and round-trip tests. */
  fixture: T;
  /** Set when a newer version replaces this one; both are published until `sunset` (see docs/building-on-events.md). */
  deprecated?: EventDeprecation;
}

export interface EventDeprecation {
  /** The event type that replaces this one, e.g. `crm.purchase.recorded.v2`. */
  replacedBy: string;
  /** The day (YYYY-MM-DD) the deprecation was announced. */
  since: string;
  /** The first day (YYYY-MM-DD) the old version may stop being published: at least 90 days after `since`. */
  sunset: string;
}

const TYPE_PATTERN = /^crm\.[a-z-]+(\.[a-z-]+)+\.v(\d+)$/;

export function defineEvent<T extends object>(
  definition: Omit<EventDefinition<T>, 'version'>,
): EventDefinition<T> {
  const match = TYPE_PATTERN.exec(definition.type);
  if (!match) throw new Error(`Event type "${definition.type}" must look like crm.<subject>.<verb>.v<N>`);
  return { ...definition, version: Number(match[2]) };
}
