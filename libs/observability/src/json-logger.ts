import type { LoggerService, LogLevel } from '@nestjs/common';
import { activeTraceIds } from './telemetry';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * One JSON object a line, with the active trace and span ids. Callers must never pass personal data:
 * customer ids are fine, names and contacts are not.
 */
export class JsonLogger implements LoggerService {
  private readonly maxLevel: number;

  constructor(
    private readonly service: string,
    level: LogLevel = (process.env.LOG_LEVEL as LogLevel) ?? 'log',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {
    this.maxLevel = Math.max(0, LEVELS.indexOf(level));
  }

  log(message: unknown, ...rest: unknown[]) {
    this.emit('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.emit('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.emit('fatal', message, rest);
  }

  private emit(level: LogLevel, message: unknown, rest: unknown[]) {
    if (LEVELS.indexOf(level) > this.maxLevel) return;
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const entry: Record<string, unknown> = {
      level: level === 'log' ? 'info' : level,
      time: new Date().toISOString(),
      service: this.service,
      context,
      ...activeTraceIds(),
    };
    if (message instanceof Error) {
      entry.msg = message.message;
      entry.stack = message.stack;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, message);
    } else {
      entry.msg = String(message);
    }
    const stack = rest.find((item) => typeof item === 'string' && item.includes('\n    at '));
    if (stack) entry.stack = stack;
    this.write(`${JSON.stringify(entry)}\n`);
  }
}
