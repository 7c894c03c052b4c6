/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; text that a spreadsheet would
 * run as a formula (a leading =, +, -, @, tab or carriage return) is defused with a leading apostrophe.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document: the header and one line per row, CRLF line ends. */
export function toCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [columns.map((c) => csvField(c)).join(',')];
  for (const row of rows)
    lines.push(row.map((v) => csvField(v as string | number | boolean | null | undefined)).join(','));
  return lines.join('\r\n') + '\r\n';
}
