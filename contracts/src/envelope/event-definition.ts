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
}

const TYPE_PATTERN = /^crm\.[a-z-]+(\.[a-z-]+)+\.v(\d+)$/;

export function defineEvent<T extends object>(
  definition: Omit<EventDefinition<T>, 'version'>,
): EventDefinition<T> {
  const match = TYPE_PATTERN.exec(definition.type);
  if (!match) throw new Error(`Event type "${definition.type}" must look like crm.<subject>.<verb>.v<N>`);
  return { ...definition, version: Number(match[2]) };
}
