import { useId } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { PurposeSelect, SomeOf } from './choice-fields.tsx';
import { quietSentence } from './rule-sentences.ts';
import { CHANNELS, newQuiet, type QuietDraft, WEEKDAYS } from './rules-draft.ts';

/** 配信停止時間: per channel, a span of the day and/or whole weekdays, each entry with its sentence. */
export function QuietSection({ quiet, problems, onChange }: { quiet: QuietDraft[]; problems: ReadonlySet<number>; onChange(quiet: QuietDraft[]): void }) {
  const { t } = useI18n();
  const q = t.governance.quiet;
  const headingId = useId();
  const update = (key: string, patch: Partial<QuietDraft>) => onChange(quiet.map((entry) => (entry.key === key ? { ...entry, ...patch } : entry)));
  return (
    <section className="card governance-section" aria-labelledby={headingId}>
      <div className="card-header">
        <h2 id={headingId}>{q.title}</h2>
        <button
          type="button"
          className="button button-small"
          disabled={quiet.length >= CHANNELS.length * 2}
          onClick={() => onChange([...quiet, newQuiet(quiet)])}
        >
          + {q.add}
        </button>
      </div>
      <p className="muted small">{q.lead}</p>
      {quiet.length === 0 && <p className="muted">{q.none}</p>}
      <ul className="governance-quiet-list">
        {quiet.map((entry, index) => (
          <li key={entry.key} className={problems.has(index) ? 'has-problem' : undefined}>
            <QuietEditor
              entry={entry}
              index={index}
              onChange={(patch) => update(entry.key, patch)}
              onRemove={() => onChange(quiet.filter((e) => e.key !== entry.key))}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

function QuietEditor({ entry, index, onChange, onRemove }: { entry: QuietDraft; index: number; onChange(patch: Partial<QuietDraft>): void; onRemove(): void }) {
  const { t } = useI18n();
  const g = t.governance;
  const q = g.quiet;
  const id = useId();
  return (
    <fieldset className="governance-editor" aria-label={q.entry(index + 1)}>
      <legend className="governance-sentence">{quietSentence(t, entry)}</legend>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-channel`}>{q.channel}</label>
          <select
            id={`${id}-channel`}
            value={entry.channel}
            onChange={(event) => onChange({ channel: CHANNELS.find((c) => c === event.target.value) ?? 'email' })}
          >
            {CHANNELS.map((channel) => (
              <option key={channel} value={channel}>
                {g.channels[channel]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>{q.from}</label>
          <input
            id={`${id}-from`}
            type="time"
            value={entry.from}
            aria-describedby={`${id}-span-hint`}
            onChange={(event) => onChange({ from: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>{q.to}</label>
          <input id={`${id}-to`} type="time" value={entry.to} aria-describedby={`${id}-span-hint`} onChange={(event) => onChange({ to: event.target.value })} />
          <span className="muted small" id={`${id}-span-hint`}>
            {q.spanHint}
          </span>
        </div>
        <PurposeSelect label={q.purposes} value={entry.purposes} onChange={(purposes) => onChange({ purposes })} />
      </div>
      <div className="choice-row">
        <SomeOf legend={q.weekdays} values={WEEKDAYS} labels={g.weekdaysShort} chosen={entry.weekdays} onChange={(weekdays) => onChange({ weekdays })} />
        <button type="button" className="button button-small button-danger" aria-label={q.removeNamed(g.channels[entry.channel])} onClick={onRemove}>
          {q.remove}
        </button>
      </div>
    </fieldset>
  );
}
