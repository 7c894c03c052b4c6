import fc from 'fast-check';
import { ConfigurationError, loadConfig, ServiceConfig } from './service-config';

const valid = {
  DATABASE_URL: 'postgres://localhost/crm',
  KAFKA_BROKERS: '127.0.0.1:9092',
  PORT: '3001',
  JWT_SECRET: 'x'.repeat(32),
};

describe('loadConfig', () => {
  it('converts numbers and booleans from the environment', () => {
    const config = loadConfig(ServiceConfig, { ...valid, KAFKA_CREATE_TOPICS: 'true' });
    expect(config.PORT).toBe(3001);
    expect(config.KAFKA_CREATE_TOPICS).toBe(true);
  });

  it('takes the hours sent outbox rows are kept, 0 to a year, and names a bad value', () => {
    expect(loadConfig(ServiceConfig, valid).OUTBOX_KEEP_PUBLISHED_HOURS).toBeUndefined();
    expect(
      loadConfig(ServiceConfig, { ...valid, OUTBOX_KEEP_PUBLISHED_HOURS: '0' }).OUTBOX_KEEP_PUBLISHED_HOURS,
    ).toBe(0);
    expect(
      loadConfig(ServiceConfig, { ...valid, OUTBOX_KEEP_PUBLISHED_HOURS: '72' }).OUTBOX_KEEP_PUBLISHED_HOURS,
    ).toBe(72);
    for (const bad of ['-1', '8761', 'soon', '1.5'])
      expect(() => loadConfig(ServiceConfig, { ...valid, OUTBOX_KEEP_PUBLISHED_HOURS: bad })).toThrow(
        /OUTBOX_KEEP_PUBLISHED_HOURS/,
      );
  });

  it('takes the seconds an unused pooled connection stays open, 0 to a day, and names a bad value', () => {
    expect(loadConfig(ServiceConfig, valid).DATABASE_POOL_IDLE_SECONDS).toBeUndefined();
    expect(
      loadConfig(ServiceConfig, { ...valid, DATABASE_POOL_IDLE_SECONDS: '0' }).DATABASE_POOL_IDLE_SECONDS,
    ).toBe(0);
    expect(
      loadConfig(ServiceConfig, { ...valid, DATABASE_POOL_IDLE_SECONDS: '86400' }).DATABASE_POOL_IDLE_SECONDS,
    ).toBe(86_400);
    // Any text: taken when it reads as a whole number of seconds from 0 to 86,400, else refused by name.
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -100_000, max: 200_000 }).map(String),
          fc.double({ min: -10, max: 100_000, noNaN: true }).map(String),
          fc.string({ maxLength: 12 }),
        ),
        (value) => {
          const seconds = Number(value);
          const load = () => loadConfig(ServiceConfig, { ...valid, DATABASE_POOL_IDLE_SECONDS: value });
          if (value === '') expect(load().DATABASE_POOL_IDLE_SECONDS).toBeUndefined();
          else if (Number.isInteger(seconds) && seconds >= 0 && seconds <= 86_400)
            expect(load().DATABASE_POOL_IDLE_SECONDS).toBe(seconds);
          else expect(load).toThrow(/DATABASE_POOL_IDLE_SECONDS/);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fails fast naming every bad variable', () => {
    expect(() => loadConfig(ServiceConfig, { ...valid, PORT: 'abc', JWT_SECRET: 'short' })).toThrow(
      ConfigurationError,
    );
    try {
      loadConfig(ServiceConfig, { ...valid, PORT: 'abc', JWT_SECRET: 'short' });
    } catch (error) {
      const problems = (error as ConfigurationError).problems.join('\n');
      expect(problems).toContain('PORT');
      expect(problems).toContain('JWT_SECRET must be at least 32 characters');
      expect(problems).not.toContain('DATABASE_URL');
    }
  });

  it('refuses a controllable clock in production, and allows it elsewhere', () => {
    expect(loadConfig(ServiceConfig, { ...valid, CLOCK_CONTROL: 'true' }).CLOCK_CONTROL).toBe(true);
    expect(loadConfig(ServiceConfig, valid).CLOCK_CONTROL).toBeUndefined();
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const problems = () => {
        try {
          loadConfig(ServiceConfig, { ...valid, CLOCK_CONTROL: 'true' });
          return '';
        } catch (error) {
          return (error as ConfigurationError).problems.join('\n');
        }
      };
      expect(problems()).toContain('CLOCK_CONTROL may not be enabled in production');
    } finally {
      process.env.NODE_ENV = before;
    }
  });

  it('uses defaults only where the environment is silent', () => {
    const config = loadConfig(ServiceConfig, { ...valid, PORT: undefined }, { PORT: '4000' });
    expect(config.PORT).toBe(4000);
  });
});
