import { useId, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { AllOrSome, PurposeSelect } from './choice-fields.tsx';
import { capSentence } from './rule-sentences.ts';
import { CHANNELS, type CapDraft, DEPARTMENTS, freeId, idFromName, newCap } from './rules-draft.ts';

/**
 * 配信回数の上限: a table of the caps (name, id, the rule in a sentence), each edited in a panel
 * below the table; adding one opens it. The id follows the name until it is typed (or was saved).
 */
export function CapsSection({ caps, problems, onChange }: { caps: CapDraft[]; problems: ReadonlySet<number>; onChange(caps: CapDraft[]): void }) {
  const { t } = useI18n();
  const g = t.governance;
  const { format } = useCurrentWorkspace();
  const [open, setOpen] = useState<string | null>(null);
  const editing = caps.find((cap) => cap.key === open);
  const headingId = useId();

  const update = (key: string, patch: Partial<CapDraft>) => onChange(caps.map((cap) => (cap.key === key ? { ...cap, ...patch } : cap)));
  const add = () => {
    const cap = newCap(caps, g.caps.newName(caps.length + 1));
    onChange([...caps, cap]);
    setOpen(cap.key);
  };
  const remove = (key: string) => {
    onChange(caps.filter((cap) => cap.key !== key));
    if (open === key) setOpen(null);
  };

  return (
    <section className="card governance-section" aria-labelledby={headingId}>
      <div className="card-header">
        <h2 id={headingId}>{g.caps.title}</h2>
        <button type="button" className="button button-small" onClick={add}>
          + {g.caps.add}
        </button>
      </div>
      <p className="muted small">{g.caps.lead}</p>
      {caps.length === 0 ? (
        <p className="muted">{g.caps.none}</p>
      ) : (
        <div className="table-wrap">
          <table className="table-compact" aria-label={g.caps.tableLabel}>
            <thead>
              <tr>
                <th>{g.caps.columns.name}</th>
                <th>{g.caps.columns.id}</th>
                <th>{g.caps.columns.rule}</th>
                <th>{g.caps.columns.actions}</th>
              </tr>
            </thead>
            <tbody>
              {caps.map((cap, index) => (
                <tr
                  key={cap.key}
                  className={[cap.key === open ? 'is-open' : '', problems.has(index) ? 'has-problem' : ''].filter(Boolean).join(' ') || undefined}
                >
                  <td>{cap.name}</td>
                  <td>
                    <code>{cap.id}</code>
                  </td>
                  <td className="governance-sentence">{capSentence(t, format, cap)}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="button button-small"
                      aria-expanded={cap.key === open}
                      aria-label={g.caps.editNamed(cap.name)}
                      onClick={() => setOpen(cap.key === open ? null : cap.key)}
                    >
                      {cap.key === open ? g.caps.close : g.caps.edit}
                    </button>
                    <button
                      type="button"
                      className="button button-small button-danger"
                      aria-label={g.caps.removeNamed(cap.name)}
                      onClick={() => remove(cap.key)}
                    >
                      {g.caps.remove}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <CapEditor cap={editing} caps={caps} onChange={(patch) => update(editing.key, patch)} />}
    </section>
  );
}

function CapEditor({ cap, caps, onChange }: { cap: CapDraft; caps: CapDraft[]; onChange(patch: Partial<CapDraft>): void }) {
  const { t } = useI18n();
  const g = t.governance;
  const id = useId();
  const departmentLabels = t.tasks.departments;
  return (
    <fieldset className="governance-editor" aria-label={g.caps.editing(cap.name)}>
      <legend>{g.caps.editing(cap.name)}</legend>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-name`}>{g.caps.name}</label>
          <input
            id={`${id}-name`}
            value={cap.name}
            maxLength={100}
            onChange={(event) => {
              const name = event.target.value;
              onChange(cap.idTyped ? { name } : { name, id: freeId(idFromName(name, cap.id), caps, cap.key) });
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-id`}>{g.caps.id}</label>
          <input
            id={`${id}-id`}
            value={cap.id}
            maxLength={40}
            spellCheck={false}
            aria-describedby={`${id}-id-hint`}
            onChange={(event) => onChange({ id: event.target.value.toLowerCase(), idTyped: true })}
          />
          <span className="muted small" id={`${id}-id-hint`}>
            {g.caps.idHint}
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-max`}>{g.caps.max}</label>
          <input id={`${id}-max`} type="number" min={1} max={1000} step={1} value={cap.max} onChange={(event) => onChange({ max: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-days`}>{g.caps.windowDays}</label>
          <input
            id={`${id}-days`}
            type="number"
            min={0}
            max={90}
            step={1}
            value={cap.days}
            aria-describedby={`${id}-window-hint`}
            onChange={(event) => onChange({ days: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-hours`}>{g.caps.windowHours}</label>
          <input
            id={`${id}-hours`}
            type="number"
            min={0}
            max={2160}
            step={1}
            value={cap.hours}
            aria-describedby={`${id}-window-hint`}
            onChange={(event) => onChange({ hours: event.target.value })}
          />
          <span className="muted small" id={`${id}-window-hint`}>
            {g.caps.windowHint}
          </span>
        </div>
        <PurposeSelect label={g.caps.purposes} value={cap.purposes} onChange={(purposes) => onChange({ purposes })} />
      </div>
      {cap.purposes !== 'marketing' && <p className="muted small">{g.caps.transactionalNote}</p>}
      <div className="choice-row">
        <AllOrSome legend={g.caps.channels} values={CHANNELS} labels={g.channels} chosen={cap.channels} onChange={(channels) => onChange({ channels })} />
        <AllOrSome
          legend={g.caps.departments}
          values={DEPARTMENTS}
          labels={departmentLabels}
          chosen={cap.departments}
          onChange={(departments) => onChange({ departments })}
        />
      </div>
    </fieldset>
  );
}
