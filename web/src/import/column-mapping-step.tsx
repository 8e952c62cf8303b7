import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { ColumnMapping, ImportReport } from './import-client.ts';
import { mappingNeeds } from './remembered-mapping.ts';

const ATTRIBUTE = 'attributes.';

/**
 * The mapping step: each column no field takes, with a select of the fields it could feed
 * (or none, or for customers an attribute), and the required fields still without a column.
 * Applying sends the choices as the upload's `mapping`, the CLI's --mapping format.
 */
export function ColumnMappingStep({
  report,
  explicit,
  busy,
  onApply,
}: {
  report: ImportReport;
  /** The mapping the report was made with. */
  explicit: ColumnMapping;
  busy: boolean;
  onApply: (mapping: ColumnMapping) => void;
}) {
  const { t } = useI18n();
  const c = t.import.mappingStep;
  const { columns, missing } = mappingNeeds(report, explicit);
  const current = (column: string) => explicit[column] ?? report.columns.find((m) => m.column === column)?.field ?? '';
  const [choices, setChoices] = useState<ColumnMapping>(() => Object.fromEntries(columns.map((column) => [column, current(column)])));
  if (columns.length === 0 && missing.length === 0) return null;

  function apply(event: FormEvent) {
    event.preventDefault();
    onApply(Object.fromEntries(columns.map((column) => [column, choices[column] ?? ''])));
  }

  return (
    <form className="card mapping-step" aria-labelledby="mapping-step-heading" onSubmit={apply}>
      <h2 id="mapping-step-heading">{c.title}</h2>
      <p className="muted">{c.lead}</p>
      {missing.length > 0 && (
        <p className="alert alert-error" role="alert">
          {c.missing(missing.join(', '))}
        </p>
      )}
      <div className="table-wrap">
        <table className="table-compact">
          <thead>
            <tr>
              <th scope="col">{c.column}</th>
              <th scope="col">{c.field}</th>
            </tr>
          </thead>
          <tbody>
            {columns.map((column) => (
              <tr key={column}>
                <td>{column}</td>
                <td>
                  <select
                    aria-label={`${c.field}: ${column}`}
                    value={choices[column] ?? ''}
                    disabled={busy}
                    onChange={(e) => setChoices({ ...choices, [column]: e.target.value })}
                  >
                    <option value="">{c.ignore}</option>
                    {report.kind === 'customers' && <option value={`${ATTRIBUTE}${column.normalize('NFKC').trim()}`}>{c.keepAsAttribute}</option>}
                    {report.fields.map((field) => (
                      <option key={field.name} value={field.name}>
                        {c.fieldOption(field.header, field.name, field.required)}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy || columns.length === 0}>
          {c.apply}
        </button>
      </div>
    </form>
  );
}
