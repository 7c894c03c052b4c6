import { observeTopics, startPlatform, type RunningPlatform, type TopicObserver } from '@crm/testing';

/** What an end-to-end test file works with: the six services, a token per role and an observer. */
export interface E2eSession {
  platform: RunningPlatform;
  observer: TopicObserver;
  agent: string;
  admin: string;
  analyst: string;
  integration: string;
}

/**
 * Starts the platform (with `env` on top of its defaults) and an observer of `topics` from the beginning
 * before the file's tests, and stops both after them (`beforeStop` first, while the services still answer).
 * The session's fields are set once `beforeAll` has run.
 */
export function e2eSession(
  name: string,
  topics: string[],
  options: {
    env?: Record<string, string>;
    beforeStop?: () => Promise<void>;
    /** Schemas of their own (`<prefix>_<schema>`): for a file that moves service clocks or changes rules. */
    schemaPrefix?: string;
  } = {},
): E2eSession {
  const session = {} as E2eSession;
  beforeAll(async () => {
    session.platform = await startPlatform(options.env, 100, options.schemaPrefix);
    for (const role of ['agent', 'admin', 'analyst', 'integration'] as const)
      session[role] = session.platform.token(role);
    session.observer = await observeTopics(name, topics, true);
  });
  afterAll(async () => {
    if (session.platform) await options.beforeStop?.();
    await session.observer?.stop();
    await session.platform?.stop();
  });
  return session;
}
