import fc from 'fast-check';
import { COMPARATORS } from './segment-tokens';
import { FIELDS, WINDOW_FUNCTIONS } from './segment-syntax';

/** Well-formed segment expressions, generated from the grammar (shared by unit and integration specs). */
const numberFields = [...FIELDS].filter(([, kind]) => kind === 'number').map(([name]) => name);
const textFields = [...FIELDS].filter(([, kind]) => kind === 'text').map(([name]) => name);

const quoted = fc.string({ maxLength: 12 }).map((text) => `'${text.replace(/'/g, "''")}'`);
const windowText = fc
  .tuple(fc.integer({ min: 1, max: 3650 }), fc.constantFrom('d', 'm'))
  .map(([n, unit]) => (unit === 'm' ? `${Math.max(1, Math.floor(n / 31))}m` : `${n}d`));
const numberText = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }).map(String),
  fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((n) => n.toFixed(3)),
);
const numberOperand = fc.oneof(
  fc.constantFrom(...numberFields),
  fc.tuple(fc.constantFrom(...WINDOW_FUNCTIONS), windowText).map(([f, w]) => `${f}(${w})`),
);

const predicate = fc.oneof(
  fc.tuple(numberOperand, fc.constantFrom(...COMPARATORS), numberText).map(([o, op, n]) => `${o} ${op} ${n}`),
  fc
    .tuple(fc.constantFrom(...textFields), fc.constantFrom('=', '!='), quoted)
    .map(([f, op, t]) => `${f} ${op} ${t}`),
  quoted.map((t) => `has_tag(${t})`),
  fc.tuple(quoted, fc.option(windowText)).map(([t, w]) => (w ? `bought(${t}, ${w})` : `bought(${t})`)),
);

export const segmentExpression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    predicate,
    tie('expr').map((e) => `not ${e}`),
    tie('expr').map((e) => `(${e})`),
    fc
      .tuple(tie('expr'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('expr'))
      .map(([a, op, b]) => `${a} ${op} ${b}`),
  ),
})).expr;
