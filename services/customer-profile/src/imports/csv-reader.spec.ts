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
