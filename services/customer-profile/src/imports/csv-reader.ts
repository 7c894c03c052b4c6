/**
 * One CSV record and the 1-based line it starts on (a quoted field may span lines). A malformed record
 * comes with `error` and no fields: the reader skips to the end of its line and carries on.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
  error?: string;
}

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'afterCr' | 'skipLine';

/**
 * Streams RFC 4180 records from byte chunks without holding the file: quoted fields, doubled quotes,
 * CRLF or LF line ends, newlines inside quotes, a leading byte-order mark. Blank lines are skipped; a
 * malformed line is reported as such and never stops the lines after it.
 * A character-level state machine, so a chunk boundary may fall anywhere.
 */
export async function* readCsv(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let state: State = 'fieldStart';
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  const ready: CsvRecord[] = [];

  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) ready.push({ line: recordLine, fields });
    fields = [];
    line++;
    recordLine = line;
  };

  const malformed = (reason: string) => {
    ready.push({ line: recordLine, fields: [], error: reason });
    fields = [];
    field = '';
    state = 'skipLine';
  };

  const feed = (text: string) => {
    for (const c of text) {
      if (state === 'afterCr') {
        state = 'fieldStart';
        if (c === '\n') continue;
      }
      switch (state) {
        case 'skipLine':
          if (c === '\n' || c === '\r') {
            line++;
            recordLine = line;
            state = c === '\r' ? 'afterCr' : 'fieldStart';
          }
          continue;
        case 'quoted':
          if (c === '"') state = 'quoteInQuoted';
          else {
            if (c === '\n') line++;
            field += c;
          }
          continue;
        case 'quoteInQuoted':
          if (c === '"') {
            field += '"';
            state = 'quoted';
            continue;
          }
          if (c !== ',' && c !== '\n' && c !== '\r') {
            malformed('text after the closing quote of a field');
            continue;
          }
          break;
        case 'fieldStart':
          if (c === '"') {
            state = 'quoted';
            continue;
          }
          break;
        case 'unquoted':
          if (c === '"') {
            malformed('a quote inside an unquoted field');
            continue;
          }
          break;
      }
      if (c === ',') {
        endField();
        state = 'fieldStart';
      } else if (c === '\n') {
        endRecord();
        state = 'fieldStart';
      } else if (c === '\r') {
        endRecord();
        state = 'afterCr';
      } else {
        field += c;
        state = 'unquoted';
      }
    }
  };

  for await (const chunk of chunks) {
    feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    yield* ready.splice(0);
  }
  feed(decoder.decode());
  const end = state as State; // set inside feed(), which the compiler cannot see
  if (end === 'quoted') ready.push({ line: recordLine, fields: [], error: 'a quoted field is never closed' });
  else if (end !== 'skipLine' && (field !== '' || fields.length > 0 || end === 'quoteInQuoted')) endRecord();
  yield* ready.splice(0);
}
