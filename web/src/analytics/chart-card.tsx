import { useId, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { downloadCsv, toCsv, type CsvValue } from './csv.ts';

/** A column of a card's table and CSV: the cell as shown, and the value written to the file. */
export interface Column<Row> {
  label: string;
  /** The raw value for the CSV: numbers unformatted, dates as YYYY-MM-DD. */
  value(row: Row): CsvValue;
  /** The cell as shown; default: the raw value. */
  cell?(row: Row): ReactNode;
  numeric?: boolean;
}

interface ChartCardProps<Row> {
  title: string;
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  /** The file name without .csv. */
  filename: string;
  /** The chart; without one the card is a table with its CSV. */
  chart?: () => ReactNode;
  rowKey?(row: Row, index: number): string;
  /** Controls shown in the card's header, before the view switch. */
  controls?: ReactNode;
  note?: ReactNode;
  /** Rows drawn in the table beyond those shown in full (a "load more" button, a footer). */
  footer?: ReactNode;
}

/**
 * A chart with its numbers one click away: a グラフ | 表 switch showing the same rows as a
 * table, and a CSV of those rows built in the browser (csv.ts). Every analytics chart is one.
 */
export function ChartCard<Row>({ title, rows, columns, filename, chart, rowKey, controls, note, footer }: ChartCardProps<Row>) {
  const { t } = useI18n();
  const v = t.analytics.view;
  const headingId = useId();
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const showTable = !chart || view === 'table';
  const download = () =>
    downloadCsv(
      `${filename}.csv`,
      toCsv(
        columns.map((c) => c.label),
        rows.map((row) => columns.map((c) => c.value(row))),
      ),
    );
  return (
    <section className="card chart-card" aria-labelledby={headingId}>
      <div className="card-header">
        <h2 id={headingId}>{title}</h2>
        <div className="actions">
          {controls}
          {chart && (
            <div className="segmented" role="group" aria-label={v.label}>
              <button type="button" aria-pressed={view === 'chart'} onClick={() => setView('chart')}>
                {v.chart}
              </button>
              <button type="button" aria-pressed={view === 'table'} onClick={() => setView('table')}>
                {v.table}
              </button>
            </div>
          )}
          <button type="button" className="button button-small" title={v.csvTitle(title)} onClick={download} disabled={rows.length === 0}>
            ⤓ {v.csv}
          </button>
        </div>
      </div>
      {note && <div className="chart-note">{note}</div>}
      {showTable ? <DataTable title={title} rows={rows} columns={columns} rowKey={rowKey} /> : chart()}
      {footer}
    </section>
  );
}

function DataTable<Row>({
  title,
  rows,
  columns,
  rowKey,
}: {
  title: string;
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  rowKey?: (row: Row, index: number) => string;
}) {
  return (
    <div className="table-wrap">
      <table className="table-compact" aria-label={title}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.label} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={rowKey ? rowKey(row, index) : index}>
              {columns.map((c) => (
                <td key={c.label} className={c.numeric ? 'num' : undefined}>
                  {c.cell ? c.cell(row) : String(c.value(row) ?? '')}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
