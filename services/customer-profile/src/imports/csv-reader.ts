/**
 * One CSV record and the 1-based line it starts on (a quoted field may span lines). A malformed record
 * comes with `error` and no fields: the reader skips to the end of its line and carries on.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
  error?: string;
}

/** What one record may hold: beyond these a record is malformed, so no input can grow memory without bound. */
export interface CsvLimits {
  /** Characters in one field (a quoted field that never closes runs into this at once). */
  maxFieldChars: number;
  /** Fields in one record. */
  maxFields: number;
}

export const DEFAULT_CSV_LIMITS: CsvLimits = { maxFieldChars: 10_000, maxFields: 100 };

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'afterCr' | 'skipLine';

/**
 * Streams RFC 4180 records from byte chunks without holding the file: quoted fields, doubled quotes,
 * CRLF or LF line ends, newlines inside quotes, a leading byte-order mark. Blank lines are skipped; a
 * malformed line is reported as such and never stops the lines after it.
 * A character-level state machine, so a chunk boundary may fall anywhere.
 */
export async function* readCsv(
  chunks: AsyncIterable<Buffer | string>,
  limits: CsvLimits = DEFAULT_CSV_LIMITS,
): AsyncGenerator<CsvRecord> {
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
    if (fields.length > limits.maxFields) malformed(`more than ${limits.maxFields} fields`);
  };
  /** Adds a character to the field; answers false (the record is then malformed) past the field limit. */
  const append = (c: string): boolean => {
    if (field.length >= limits.maxFieldChars) {
      malformed(
        state === 'quoted'
          ? `a quoted field is longer than ${limits.maxFieldChars} characters: is its closing quote missing?`
          : `a field is longer than ${limits.maxFieldChars} characters`,
      );
      return false;
    }
    field += c;
    return true;
  };
  // A function, so the compiler does not narrow `state` across the calls that change it.
  const skipping = () => state === 'skipLine';
  const endRecord = () => {
    endField();
    if (!skipping() && !(fields.length === 1 && fields[0] === '')) ready.push({ line: recordLine, fields });
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
          else if (append(c)) {
            if (c === '\n') line++;
          } else if (c === '\n') {
            // The field overflowed on a line end: that line is over, the next record starts after it.
            line++;
            recordLine = line;
            state = 'fieldStart';
          }
          continue;
        case 'quoteInQuoted':
          if (c === '"') {
            state = 'quoted';
            append('"');
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
        if (!skipping()) state = 'fieldStart';
      } else if (c === '\n') {
        endRecord();
        state = 'fieldStart';
      } else if (c === '\r') {
        endRecord();
        state = 'afterCr';
      } else if (append(c)) {
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
