export interface Column {
  header: string;
  /** Numbers read best right-aligned. @default 'left' */
  align?: 'left' | 'right';
}

/** Width in terminal cells, counting code points (no wide-character or ANSI handling: we print neither). */
function width(text: string): number {
  return [...text].length;
}

function pad(text: string, size: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * Aligns rows under upper-case headers with two spaces between columns and no trailing spaces, like
 * `kubectl get`. Rows shorter than the header are padded with empty cells; line breaks in cells are
 * shown as spaces so each row stays on one line.
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => columns.map((_, i) => (row[i] ?? '').replace(/[\r\n\t]+/g, ' ')));
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = columns.map((_, i) =>
    Math.max(width(headers[i] ?? ''), ...cells.map((row) => width(row[i] ?? ''))),
  );
  const render = (row: readonly string[]): string =>
    columns
      .map((column, i) => pad(row[i] ?? '', widths[i] ?? 0, column.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [render(headers), ...cells.map(render)].join('\n') + '\n';
}

/** `key: value` lines with the values aligned, for one record (e.g. `headstart get`). */
export function formatFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const keyWidth = Math.max(0, ...fields.map(([key]) => width(key) + 1));
  return (
    fields.map(([key, value]) => `${pad(`${key}:`, keyWidth, 'left')}  ${value}`.trimEnd()).join('\n') + '\n'
  );
}
