import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { Problems } from './charter-draft.ts';
import { problemMessage } from './charter-problems.ts';

/** What a cell's control needs: its accessible name, its problem (if any) and whether it may change. */
export interface CellControl {
  label: string;
  invalid: boolean;
  describedBy: string | undefined;
  readOnly: boolean;
}

export interface RowColumn<R> {
  /** The row's field, as the server names it (`dictionary.0.preferred` → 'preferred'). */
  field: string;
  label: string;
  /** A column of wide text gets more room. */
  wide?: boolean;
  control(row: R, update: (patch: Partial<R>) => void, cell: CellControl): ReactNode;
}

/**
 * A table of editable rows (the dictionary, avoided words, pressure phrases): one control per
 * cell named "column (row n)", a remove button per row and an add button under the table.
 * A refused cell (`<path>.<index>.<field>`) shows the problem under its control.
 */
export function RowsEditor<R extends { key: string }>({
  path,
  caption,
  rows,
  columns,
  onChange,
  newRow,
  addLabel,
  readOnly,
  problems,
}: {
  path: string;
  caption: string;
  rows: readonly R[];
  columns: readonly RowColumn<R>[];
  onChange(rows: R[]): void;
  newRow(): R;
  addLabel: string;
  readOnly: boolean;
  problems: Problems;
}) {
  const { t } = useI18n();
  const e = t.charter.editor;
  const update = (index: number, patch: Partial<R>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <>
      {rows.length === 0 ? (
        <p className="muted small">{e.noRows}</p>
      ) : (
        <div className="table-wrap">
          <table className="rows-editor">
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                <th scope="col" className="row-number">
                  #
                </th>
                {columns.map((c) => (
                  <th scope="col" key={c.field} className={c.wide ? 'col-wide' : undefined}>
                    {c.label}
                  </th>
                ))}
                {!readOnly && (
                  <th scope="col" className="row-actions">
                    <span className="visually-hidden">{e.rowActions}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => (
                <tr key={row.key}>
                  <td className="row-number">{index + 1}</td>
                  {columns.map((c) => {
                    const fieldPath = `${path}.${index}.${c.field}`;
                    const reason = problems.get(fieldPath);
                    const problemId = `${path}-${row.key}-${c.field}-problem`;
                    return (
                      <td key={c.field}>
                        {c.control(row, (patch) => update(index, patch), {
                          label: e.cellLabel(c.label, index + 1),
                          invalid: reason !== undefined,
                          describedBy: reason !== undefined ? problemId : undefined,
                          readOnly,
                        })}
                        {reason !== undefined && (
                          <p className="field-problem" id={problemId} data-field={fieldPath}>
                            {problemMessage(e, fieldPath, reason)}
                          </p>
                        )}
                      </td>
                    );
                  })}
                  {!readOnly && (
                    <td className="row-actions">
                      <button
                        type="button"
                        className="button button-quiet button-small"
                        aria-label={e.removeRow(index + 1)}
                        title={e.removeRow(index + 1)}
                        onClick={() => onChange(rows.filter((_, i) => i !== index))}
                      >
                        ×
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!readOnly && (
        <div className="rows-editor-add">
          <button type="button" className="button button-small" onClick={() => onChange([...rows, newRow()])}>
            ＋ {addLabel}
          </button>
        </div>
      )}
    </>
  );
}

/** A text input for a cell. */
export function CellText({ value, onChange, cell, placeholder }: { value: string; onChange(value: string): void; cell: CellControl; placeholder?: string }) {
  return (
    <input
      type="text"
      value={value}
      aria-label={cell.label}
      aria-invalid={cell.invalid || undefined}
      aria-describedby={cell.describedBy}
      readOnly={cell.readOnly}
      placeholder={cell.readOnly ? undefined : placeholder}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}
