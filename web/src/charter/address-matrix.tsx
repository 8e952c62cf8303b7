import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { DEPARTMENTS, type Department } from './labels.tsx';

type OneVoiceReport = Schemas['OneVoiceReport'];
type AddressUse = OneVoiceReport['departments'][number]['addressForms'][number];
export type Standing = AddressUse['standing'];

/** One form of address across the departments: its standing in the charter and each department's use of it. */
export interface AddressRow {
  form: string;
  standing: Standing;
  uses: Partial<Record<Department, AddressUse>>;
  total: number;
}

/**
 * The charter writes {{customer.last_name}}様 as it likes; the report counts every such
 * form as {{ customer.name }}様 (as src/charter/one-voice.ts does), so rows match it.
 */
export function normalizeAddress(form: string): string {
  return form.replace(/\{\{\s*customer\.[a-z_]+\s*\}\}/g, '{{ customer.name }}');
}

/**
 * The address matrix's rows: the charter's own forms first (even unused, as the reference),
 * then every other form found, most used first.
 */
export function addressRows(report: OneVoiceReport, charterForms: string[]): AddressRow[] {
  const rows = new Map<string, AddressRow>();
  for (const form of charterForms.map(normalizeAddress)) {
    if (!rows.has(form)) rows.set(form, { form, standing: 'use', uses: {}, total: 0 });
  }
  const found = new Map<string, AddressRow>();
  for (const voice of report.departments) {
    for (const use of voice.addressForms) {
      const row = rows.get(use.form) ?? found.get(use.form) ?? { form: use.form, standing: use.standing, uses: {}, total: 0 };
      row.uses[voice.department] = use;
      row.total += use.count;
      if (!rows.has(use.form)) found.set(use.form, row);
    }
  }
  return [...rows.values(), ...[...found.values()].sort((a, b) => b.total - a.total || a.form.localeCompare(b.form))];
}

/**
 * 部署ごとのお客様への呼びかけ: forms of address by department side by side, each cell with the
 * count and an example of the department's own words (and its template); the charter's forms
 * marked as correct, the others highlighted, and the columns of departments that split marked.
 */
export function AddressMatrix({ rows, splitDepartments }: { rows: AddressRow[]; splitDepartments: ReadonlySet<Department> }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const m = t.charter.oneVoice.matrix;
  return (
    <section className="card" aria-labelledby="one-voice-matrix">
      <h2 id="one-voice-matrix">{m.title}</h2>
      <p className="muted small">{m.lead}</p>
      {rows.length === 0 ? (
        <p className="status">{m.none}</p>
      ) : (
        <div className="table-wrap">
          <table className="address-matrix">
            <caption className="visually-hidden">{m.title}</caption>
            <thead>
              <tr>
                <th scope="col">{m.form}</th>
                {DEPARTMENTS.map((department) => (
                  <th key={department} scope="col" className={splitDepartments.has(department) ? 'num split-column' : 'num'}>
                    {t.charter.departments[department]}
                    {splitDepartments.has(department) && (
                      <span className="split-marker" title={m.splitColumn}>
                        <span aria-hidden="true"> ⚠</span>
                        <span className="visually-hidden">{` (${m.splitColumn})`}</span>
                      </span>
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.form} className={`standing-${row.standing}`} data-form={row.form}>
                  <th scope="row">
                    <span className="address-form">{row.form}</span>
                    <span className={`badge standing standing-badge-${row.standing}`}>
                      {row.standing === 'use' ? '✓ ' : ''}
                      {m.standing[row.standing]}
                    </span>
                  </th>
                  {DEPARTMENTS.map((department) => {
                    const use = row.uses[department];
                    const column = splitDepartments.has(department) ? 'num in-split-column' : 'num';
                    return use === undefined ? (
                      <td key={department} className={`${column} count-none`} data-department={department}>
                        {t.app.none}
                      </td>
                    ) : (
                      <td key={department} className={`${column} count-used`} data-department={department}>
                        <span className="address-count">{format.integer(use.count)}</span>
                        <q className="address-example">{use.example}</q>
                        <span className="address-template">{use.templateName}</span>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
