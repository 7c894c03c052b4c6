import { serviceDataSourceOptions } from './data-source';

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

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => serviceDataSourceOptions({ ...base, schema: 'x; DROP TABLE y' })).toThrow(/must match/);
  });
});
