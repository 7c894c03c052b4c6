/** A mistake in a segment expression, at a 1-based position. */
export class SegmentExpressionError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`at position ${position}: ${reason}`);
  }
}

export interface Token {
  type: 'word' | 'number' | 'text' | 'op' | 'punct' | 'window' | 'end';
  value: string;
  /** 1-based position of the first character. */
  position: number;
  /** 0-based index just past the last character. */
  end: number;
}

export const COMPARATORS = ['=', '!=', '<', '<=', '>', '>='] as const;
export type Comparator = (typeof COMPARATORS)[number];

const isComparator = (value: string): value is Comparator =>
  (COMPARATORS as readonly string[]).includes(value);

/** Splits an expression into tokens; the last is always `end`. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (type: Token['type'], value: string, start: number) =>
    tokens.push({ type, value, position: start + 1, end: i });
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new SegmentExpressionError(start + 1, 'a quoted text is never closed');
        if (source[i] === c && source[i + 1] === c) {
          value += c;
          i += 2;
        } else if (source[i] === c) break;
        else value += source[i++];
      }
      i++;
      push('text', value, start);
    } else if (/\d/.test(c)) {
      while (i < source.length && /[\d.]/.test(source[i])) i++;
      if (i < source.length && /[dm]/.test(source[i]) && !/[a-z_]/i.test(source[i + 1] ?? '')) {
        i++;
        push('window', source.slice(start, i), start);
      } else push('number', source.slice(start, i), start);
    } else if (/[a-z_]/i.test(c)) {
      while (i < source.length && /[a-z0-9_]/i.test(source[i])) i++;
      push('word', source.slice(start, i).toLowerCase(), start);
    } else if (/[<>!=]/.test(c)) {
      const two = source.slice(i, i + 2);
      const op = isComparator(two) || /^[<>!=]{2}$/.test(two) ? two : c;
      if (!isComparator(op)) throw new SegmentExpressionError(start + 1, `unknown operator "${op}"`);
      i += op.length;
      push('op', op, start);
    } else if (c === '(' || c === ')' || c === ',') {
      i++;
      push('punct', c, start);
    } else throw new SegmentExpressionError(start + 1, `unexpected character "${c}"`);
  }
  tokens.push({ type: 'end', value: '', position: source.length + 1, end: source.length });
  return tokens;
}
