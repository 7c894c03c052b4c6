import fc from 'fast-check';
import {
  MAX_PREPARED_PER_CONNECTION,
  PLAN_EACH_TIME,
  PREPARE_AFTER_USES,
  PreparingClient,
} from './preparing-client';

describe('PreparingClient.statementName', () => {
  it('prepares a text from its third use on, always under the same name, and two texts never under one', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.string({ minLength: 1, maxLength: 200 }).filter((t) => !t.includes('*')), // no all-columns `*`
          { minLength: 1, maxLength: 20 },
        ),
        (texts) => {
          const client = new PreparingClient();
          const names = new Map<string, string>();
          for (let use = 1; use <= PREPARE_AFTER_USES + 2; use += 1)
            for (const text of texts) {
              const name = client.statementName(text);
              if (use < PREPARE_AFTER_USES) expect(name).toBeUndefined();
              else {
                expect(name).toMatch(/^crm_[0-9a-f]{40}$/); // within Postgres's 63-byte identifiers
                if (names.has(text)) expect(name).toBe(names.get(text));
                names.set(text, name!);
              }
            }
          expect(new Set(names.values()).size).toBe(texts.length);
        },
      ),
    );
  });

  it('keeps at most its share of prepared statements; the rest run unprepared', () => {
    const client = new PreparingClient();
    const prepared = new Set<string>();
    for (let i = 0; i < MAX_PREPARED_PER_CONNECTION + 50; i += 1)
      for (let use = 0; use < PREPARE_AFTER_USES; use += 1) {
        const name = client.statementName(`SELECT $1::int + ${i}`);
        if (name) prepared.add(name);
      }
    expect(prepared.size).toBe(MAX_PREPARED_PER_CONNECTION);
    expect(client.statementName(`SELECT $1::int + ${MAX_PREPARED_PER_CONNECTION + 10}`)).toBeUndefined();
    expect(client.statementName('SELECT $1::int + 0')).toMatch(/^crm_/); // one already prepared stays so
  });

  it("never prepares a statement whose result follows a table's shape", () => {
    const client = new PreparingClient();
    const shaped = [
      'SELECT * FROM journey_runs WHERE id = $1',
      'SELECT d.*, p.time_zone FROM customer_dates d WHERE d.customer_id = $1',
      'UPDATE points_entries SET balance_after = $2 WHERE id = $1 RETURNING *',
      'SELECT x FROM (SELECT *) AS s WHERE $1',
      'select *from t where a = $1',
    ];
    const plain = [
      'SELECT count(*) FROM t WHERE a = $1',
      'SELECT $1::int * 2',
      'SELECT a*b FROM t WHERE c = $1',
    ];
    for (let use = 0; use < PREPARE_AFTER_USES + 1; use += 1) {
      for (const text of shaped) expect(client.statementName(text)).toBeUndefined();
      for (const text of plain)
        if (use + 1 >= PREPARE_AFTER_USES) expect(client.statementName(text)).toMatch(/^crm_/);
        else expect(client.statementName(text)).toBeUndefined();
    }
  });

  it('never prepares a statement marked to be planned at each use', () => {
    const client = new PreparingClient();
    const marked = `${PLAN_EACH_TIME} SELECT sum(amount) FROM purchases WHERE customer_id = ANY($1)`;
    const same = marked.slice(PLAN_EACH_TIME.length + 1);
    for (let use = 0; use < PREPARE_AFTER_USES * 3; use += 1)
      expect(client.statementName(marked)).toBeUndefined();
    // The mark is the statement's start; the same text without it is prepared as any other.
    const names = Array.from({ length: PREPARE_AFTER_USES }, () => client.statementName(same));
    expect(names.at(-1)).toMatch(/^crm_/);
    expect(client.statementName(`SELECT 1 WHERE $1 ${PLAN_EACH_TIME}`)).toBeUndefined(); // first use
  });

  it('prepares a retired statement afresh under a new name', () => {
    const client = new PreparingClient();
    const text = 'SELECT a FROM v WHERE $1::int > 0';
    let name: string | undefined;
    for (let use = 0; use < PREPARE_AFTER_USES; use += 1) name = client.statementName(text);
    expect(name).toMatch(/^crm_/);
    client.retire(text);
    const again = Array.from({ length: PREPARE_AFTER_USES }, () => client.statementName(text));
    expect(again.slice(0, -1)).toEqual(Array(PREPARE_AFTER_USES - 1).fill(undefined));
    expect(again.at(-1)).toMatch(/^crm_/);
    expect(again.at(-1)).not.toBe(name);
  });
});
