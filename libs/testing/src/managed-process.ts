import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeCommandFor, workspaceRoot } from '@crm/local-infra';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A compiled workspace program run as its own OS process, the way `npm start` runs services. */
export class ManagedProcess {
  private readonly lines: string[] = [];
  readonly exited: Promise<ProcessExit>;
  private exit?: ProcessExit;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) this.lines.push(line);
      if (this.lines.length > 5000) this.lines.splice(0, this.lines.length - 5000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /** Starts dist/<relativeScript>.js with the @crm/* alias hook; `npm run build` must have run. */
  static start(
    name: string,
    relativeScript: string,
    args: string[],
    env: Record<string, string | undefined>,
  ): ManagedProcess {
    const { command, args: nodeArgs } = nodeCommandFor(relativeScript);
    const child = spawn(command, [...nodeArgs, ...args], {
      cwd: workspaceRoot(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ManagedProcess(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  output(last = 40): string {
    return this.lines.slice(-last).join('\n');
  }

  async waitForLine(text: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.lines.some((line) => line.includes(text))) return;
      if (this.exit)
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.exit)}) before "${text}":\n${this.output()}`,
        );
      await sleep(50);
    }
    throw new Error(`${this.name} did not print "${text}" within ${timeoutMs} ms:\n${this.output()}`);
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

/** Thrown by a probe when waiting longer cannot help (the process under test has exited). */
export class GiveUpWaiting extends Error {}

/** Polls until probe() returns true, or throws with the description. */
export async function eventually(
  description: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      if (error instanceof GiveUpWaiting) throw error;
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${description}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}
