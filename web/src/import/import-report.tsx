import { Stat } from '../components/stat.tsx';
import { displayValue } from '../customers/profile-card.tsx';
import type { Format } from '../format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import type { ImportReport } from './import-client.ts';

const SAMPLE_ROWS = 10;

/** What the importer read: encoding, counts, the column mapping, a sample and every error. */
export function ImportReportView({ report, title }: { report: ImportReport; title: string }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.import;
  // Rows refused only because another line of their order (or subscription) has an error have no error of their own.
  const linesWithErrors = new Set(report.errors.filter((e) => e.line > 1).map((e) => e.line)).size;
  const refusedWithOrder = Math.max(0, report.invalid - linesWithErrors);
  return (
    <section className="card" aria-labelledby="report-heading">
      <h2 id="report-heading">{title}</h2>
      <div className="report-numbers">
        <Stat label={c.encoding} value={c.encodings[report.encoding ?? 'unknown']} />
        <Stat label={c.rows} value={format.integer(report.rows)} />
        <Stat label={c.records} value={format.integer(report.records)} />
        <Stat label={c.valid} value={format.integer(report.valid)} />
        <Stat
          label={c.mappingStep.rowsRefused}
          value={format.integer(report.invalid)}
          variant={report.invalid > 0 ? 'bad' : undefined}
          {...(refusedWithOrder > 0
            ? {
                note: (report.kind === 'subscriptions' ? c.mappingStep.refusedWithSubscription : c.mappingStep.refusedWithOrder)(
                  format.integer(refusedWithOrder),
                ),
              }
            : {})}
        />
        <Stat label={c.mappingStep.errorCount} value={format.integer(report.errors.length)} variant={report.errors.length > 0 ? 'bad' : undefined} />
      </div>
      <ErrorsTable errors={report.errors} />
      <MappingTable columns={report.columns} />
      <SampleTable sample={report.sample} />
    </section>
  );
}

function ErrorsTable({ errors }: { errors: ImportReport['errors'] }) {
  const { t } = useI18n();
  const c = t.import;
  return (
    <div className="report-section">
      <h3 id="errors-heading">{c.errors}</h3>
      {errors.length === 0 ? (
        <p className="muted">{c.noErrors}</p>
      ) : (
        <div className="table-wrap">
          <table className="table-compact" aria-labelledby="errors-heading">
            <thead>
              <tr>
                <th scope="col" className="num">
                  {c.errorColumns.line}
                </th>
                <th scope="col">{c.errorColumns.column}</th>
                <th scope="col">{c.errorColumns.value}</th>
                <th scope="col">{c.errorColumns.reason}</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((error, index) => (
                <tr key={index} className="error-row">
                  <td className="num">{error.line}</td>
                  <td>{error.column ?? t.app.none}</td>
                  <td className="mono">{error.value ?? t.app.none}</td>
                  <td title={error.reason}>{error.code ? c.reasons[error.code](error.params ?? {}) : error.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function MappingTable({ columns }: { columns: ImportReport['columns'] }) {
  const { t } = useI18n();
  const c = t.import;
  return (
    <div className="report-section">
      <h3 id="mapping-heading">{c.mapping}</h3>
      <div className="table-wrap">
        <table className="table-compact" aria-labelledby="mapping-heading">
          <thead>
            <tr>
              <th scope="col">{c.mappingColumns.column}</th>
              <th scope="col">{c.mappingColumns.field}</th>
            </tr>
          </thead>
          <tbody>
            {columns.map((column) => (
              <tr key={column.column}>
                <td>{column.column}</td>
                <td>{column.field ? <code>{column.field}</code> : <span className="unmapped">{c.unmapped}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function SampleTable({ sample }: { sample: ImportReport['sample'] }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.import;
  const rows = sample.slice(0, SAMPLE_ROWS);
  const fields = [...new Set(rows.flatMap((record) => Object.keys(record)))];
  return (
    <div className="report-section">
      <h3 id="sample-heading">{c.sample}</h3>
      {rows.length === 0 ? (
        <p className="muted">{c.noSample}</p>
      ) : (
        <div className="table-wrap">
          <table className="table-compact" aria-labelledby="sample-heading">
            <thead>
              <tr>
                {fields.map((field) => (
                  <th key={field} scope="col">
                    <code>{field}</code>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((record, index) => (
                <tr key={index}>
                  {fields.map((field) => (
                    <td key={field} className="sample-cell">
                      {sampleValue(record[field], format, t.app.none)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A value of a mapped record: instants in the workspace's time zone (as the operator wrote
 * them), nested records (order items, consents) one per line as `field: value`.
 */
function sampleValue(value: unknown, format: Format, none: string): string {
  if (value === null || value === undefined || value === '') return none;
  if (typeof value === 'string') return INSTANT.test(value) ? format.dateTime(value) : value;
  if (Array.isArray(value)) return value.map((item) => sampleValue(item, format, none)).join('\n');
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([key, inner]) => `${key}: ${sampleValue(inner, format, none)}`)
      .join(', ');
  }
  return displayValue(value);
}
