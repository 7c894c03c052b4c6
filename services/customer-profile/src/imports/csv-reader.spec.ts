import fc from 'fast-check';
import { readCsv, type CsvRecord } from './csv-reader';

async function read(...chunks: (string | Buffer)[]): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of readCsv(
    (async function* () {
      yield* chunks;
    })(),
  ))
    records.push(record);
  return records;
}

describe('readCsv', () => {
  it('reads plain records with LF or CRLF line ends and skips blank lines', async () => {
    expect(await read('a,b\r\n1,2\n\n3,\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 4, fields: ['3', ''] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and newlines, and numbers lines from the record start', async () => {
    expect(await read('name,note\n"A, Co.","said ""hi""\ntwice"\nB,x')).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['A, Co.', 'said "hi"\ntwice'] },
      { line: 4, fields: ['B', 'x'] },
    ]);
  });

  it('is indifferent to where chunk boundaries fall, even inside a multi-byte character or a doubled quote', async () => {
    const text = '\uFEFFname,city\n"Wang ""Lei""",Zürich\r\nB,北京\n';
    const bytes = Buffer.from(text, 'utf8');
    const whole = await read(bytes);
    expect(whole).toEqual([
      { line: 1, fields: ['name', 'city'] },
      { line: 2, fields: ['Wang "Lei"', 'Zürich'] },
      { line: 3, fields: ['B', '北京'] },
    ]);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await read(bytes.subarray(0, cut), bytes.subarray(cut))).toEqual(whole);
    }
  });

  it('reports a malformed line by number and carries on with the next one', async () => {
    expect(await read('a,b\nx"y,2\n"q"z,3\r\nok,4\n"open\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: [], error: 'a quote inside an unquoted field' },
      { line: 3, fields: [], error: 'text after the closing quote of a field' },
      { line: 4, fields: ['ok', '4'] },
      { line: 5, fields: [], error: 'a quoted field is never closed' },
    ]);
  });
});

describe('readCsv limits', () => {
  const limits = { maxFieldChars: 20, maxFields: 3 };
  async function readLimited(text: string): Promise<CsvRecord[]> {
    const records: CsvRecord[] = [];
    for await (const record of readCsv(
      (async function* () {
        yield text;
      })(),
      limits,
    ))
      records.push(record);
    return records;
  }

  it('reports an unclosed quote at the line it started, as soon as the field passes the limit, and reads on', async () => {
    const records = await readLimited(`a,b\n1,"never closed\n${'x'.repeat(30)}\n2,ok\n`);
    expect(records[1]).toEqual({
      line: 2,
      fields: [],
      error: 'a quoted field is longer than 20 characters: is its closing quote missing?',
    });
    expect(records[records.length - 1]).toEqual({ line: 4, fields: ['2', 'ok'] });
  });

  it('reports a field that is too long and a record with too many fields, by line', async () => {
    expect(await readLimited(`${'y'.repeat(25)},1\na,b,c,d\ne,f\n`)).toEqual([
      { line: 1, fields: [], error: 'a field is longer than 20 characters' },
      { line: 2, fields: [], error: 'more than 3 fields' },
      { line: 3, fields: ['e', 'f'] },
    ]);
  });

  it('never holds more than one field of the limit, whatever the input (generated)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', 'é'), maxLength: 200 }),
        async (text) => {
          const records = await readLimited(text);
          for (const record of records) {
            expect(record.fields.length).toBeLessThanOrEqual(limits.maxFields);
            for (const field of record.fields) expect(field.length).toBeLessThanOrEqual(limits.maxFieldChars);
            expect(record.line).toBeGreaterThanOrEqual(1);
          }
          const lines = records.map((r) => r.line);
          expect([...lines].sort((a, b) => a - b)).toEqual(lines);
        },
      ),
      { numRuns: 1000, seed: 7 },
    );
  });
});
