import stringWidth from 'string-width';

/** A column of a table printed on the console: its header and which side its cells keep to. */
export interface TableColumn {
  header: string;
  /** 'right' for numbers, so their digits line up; default 'left'. */
  align?: 'left' | 'right';
}

/**
 * Lays out rows as aligned text columns, two spaces apart, for a terminal: widths are display
 * widths, so a full-width character (離反, ＡＢ) counts as two columns and Japanese names line
 * up with Latin ones. Returns the lines, the header first, each indented by `indent` spaces,
 * with no trailing spaces.
 *
 *   formatTable([{ header: 'segment' }, { header: 'customers', align: 'right' }], [['離反 Churned', '1,204']]);
 *   // ['segment       customers', '離反 Churned      1,204']
 */
export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[], indent = 2): string[] {
  const lines = [columns.map((column) => column.header), ...rows];
  const widths = columns.map((_, index) => Math.max(...lines.map((line) => displayWidth(line[index] ?? ''))));
  const margin = ' '.repeat(indent);
  return lines.map(
    (line) =>
      margin +
      columns
        .map((column, index) => {
          const cell = line[index] ?? '';
          const padding = ' '.repeat(widths[index]! - displayWidth(cell));
          return column.align === 'right' ? padding + cell : cell + padding;
        })
        .join('  ')
        .trimEnd(),
  );
}

/** Columns a string takes in a terminal: 2 for full-width and wide characters, 0 for combining marks. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}
