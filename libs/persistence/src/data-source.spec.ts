import { DEFAULT_POOL_IDLE_SECONDS, serviceDataSourceOptions } from './data-source';

describe('a service data source', () => {
  const base = { url: 'postgres://localhost/db', schema: 'tagging', entities: [], migrations: [] };

  it('sets the schema search path and the session limits on every connection', () => {
    const options = serviceDataSourceOptions({
      ...base,
      timeouts: { statementMs: 60_000, lockMs: 15_000, idleInTransactionMs: 120_000 },
    });
    expect((options.extra as { options: string }).options).toBe(
      '-c search_path=tagging,public -c statement_timeout=60000 -c lock_timeout=15000 -c idle_in_transaction_session_timeout=120000',
    );
  });

  it('leaves the limits to the server when none are given', () => {
    expect((serviceDataSourceOptions(base).extra as { options: string }).options).toBe(
      '-c search_path=tagging,public',
    );
  });

  it('keeps an unused pooled connection open for the seconds given, five minutes by default, 0 for good', () => {
    const idle = (idleSeconds?: number) =>
      (serviceDataSourceOptions({ ...base, idleSeconds }).extra as { idleTimeoutMillis: number })
        .idleTimeoutMillis;
    expect(DEFAULT_POOL_IDLE_SECONDS).toBe(300);
    expect(idle()).toBe(300_000);
    expect(idle(0)).toBe(0);
    expect(idle(2)).toBe(2_000);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => serviceDataSourceOptions({ ...base, schema: 'x; DROP TABLE y' })).toThrow(/must match/);
  });
});
