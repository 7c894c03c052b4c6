import { existsSync } from 'node:fs';
import { localServiceUrls } from '@crm/contracts';
import { eventually, GiveUpWaiting, ManagedProcess, type ProcessExit } from './managed-process';
import { E2E_JWT_SECRET } from './platform-under-test';

export interface RunningConsole {
  /** The console's address, e.g. http://127.0.0.1:3210/console/ */
  url: string;
  process: ManagedProcess;
  /** SIGTERM, then SIGKILL 30 s later if it has not exited; answers how it ended. */
  stop(): Promise<ProcessExit>;
}

/** Starts the console service against the platform under test (same port offset, same token secret). */
export async function startConsole(
  portOffset = 100,
  env: Record<string, string> = {},
): Promise<RunningConsole> {
  const port = 3110 + portOffset;
  const process_ = ManagedProcess.start('console', 'services/console/src/main', [], {
    PORT: String(port),
    JWT_SECRET: E2E_JWT_SECRET,
    SERVICE_URLS: localServiceUrls(portOffset),
    LOG_LEVEL: 'warn',
    ...env,
  });
  await eventually(
    `console on ${port} ready`,
    async () => {
      if (!process_.running) throw new GiveUpWaiting(`console exited:\n${process_.output()}`);
      return (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok === true;
    },
    60_000,
    200,
  );
  return {
    url: `http://127.0.0.1:${port}/console/`,
    process: process_,
    stop: () => process_.kill('SIGTERM'),
  };
}

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * The Chromium the browser tests drive: CHROMIUM_PATH, or Debian's `chromium` package. Playwright's own
 * browser download is not used (it is not reachable from every machine that runs the tests).
 */
export function chromiumExecutable(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  const found = CHROMIUM_CANDIDATES.find((path) => existsSync(path));
  if (!found)
    throw new Error(
      "no Chromium found for the browser tests: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH",
    );
  return found;
}
