/** Plain text tables for the terminal (`stats`, `servers`): padded columns, numbers right-aligned. Pure. */

type Align = 'left' | 'right';

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? cell.length;
        return align[column] === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `0.953` → `95.3%`; null → `-`. */
export function percent(value: number | null): string {
  return value === null ? '-' : `${(Math.round(value * 1000) / 10).toFixed(1)}%`;
}

/** `12345` → `12,345` (fixed grouping, whatever the locale). */
export function count(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function ms(value: number | null): string {
  return value === null ? '-' : String(value);
}
