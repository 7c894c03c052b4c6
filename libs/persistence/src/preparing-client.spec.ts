import fc from 'fast-check';
import { MAX_PREPARED_PER_CONNECTION, PREPARE_AFTER_USES, PreparingClient } from './preparing-client';

describe('PreparingClient.statementName', () => {
  it('prepares a text from its third use on, always under the same name, and two texts never under one', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 20 }),
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
});
