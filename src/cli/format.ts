// Readable output: aligned tables and short timestamps. Values are shown as the API gave them
// (it masks secrets); nothing here sees a token.

/** Columns padded to their widest cell; the last column is not padded (it may be long text). */
export function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd(),
  );
}

/** `2026-11-25 13:00:05` in UTC: sortable, the same on every machine. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A JSON value on one line: strings bare, the rest as JSON. */
export function inlineValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export { plural } from '../domain/text.js';

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
