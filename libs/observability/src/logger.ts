import pino, { type Logger as PinoLogger } from 'pino';
import { activeTraceIds } from './telemetry';

/**
 * Paths pino replaces with "[redacted]" wherever a log line carries them: credentials in requests, and the
 * personal data fields of this platform, in case a caller passes an object that holds them (callers must
 * never log personal data on purpose; customer ids are fine).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'email',
  'phone',
  'contacts',
  'contactName',
  'password',
  'token',
  '*.email',
  '*.phone',
  '*.contacts',
  '*.contactName',
  '*.password',
  '*.token',
];

/** Nest's level names (LOG_LEVEL) to pino's. */
const LEVELS: Record<string, pino.LevelWithSilent> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

const loggers = new Map<string, PinoLogger>();

/**
 * The process's pino logger for a service: one JSON object a line with `service`, ISO `time`, the level by
 * name and the active trace and span ids, sensitive paths redacted. Nest's logger (nestjs-pino) and HTTP
 * request logging (pino-http) both write through it.
 */
export function serviceLogger(service: string, level = process.env.LOG_LEVEL ?? 'log'): PinoLogger {
  const key = `${service}:${level}`;
  let logger = loggers.get(key);
  if (!logger) {
    logger = pino({
      level: LEVELS[level] ?? 'info',
      base: { service },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => activeTraceIds(),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    });
    loggers.set(key, logger);
  }
  return logger;
}
