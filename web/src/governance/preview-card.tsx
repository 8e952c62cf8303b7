import { useId, useState } from 'react';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { Failure } from '../components/status.tsx';
import { Stat } from '../components/stat.tsx';
import type { Format } from '../format.ts';
import { labelOf, useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { RuleReference } from '../journey/rule-editor.tsx';
import { parseRule, withExample } from '../journey/workshop-draft.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { CHANNELS, type Channel, type ContactRules, DEPARTMENTS, type Department, type Purpose } from './rules-draft.ts';

type Preview = Schemas['ContactPreview'];
type PreviewRequest = Schemas['ContactPreviewRequestInput'];
type RuleRef = Preview['byRule'][number]['rule'];

const PURPOSES = ['marketing', 'transactional'] as const satisfies readonly Purpose[];

interface PreviewForm {
  channel: Channel;
  purpose: Purpose;
  department: Department;
  priority: string;
  held: 'defer' | 'skip';
  deferDays: string;
  audience: 'everyone' | 'condition';
  condition: string;
}

const INITIAL: PreviewForm = {
  channel: 'email',
  purpose: 'marketing',
  department: 'marketing',
  priority: '50',
  held: 'defer',
  deferDays: '3',
  audience: 'everyone',
  condition: '',
};

/** `n`: the how-manieth run this is (a fresh answer is told from the one before, also by tests). */
type Run = { state: 'idle' } | { state: 'running' } | { state: 'done'; result: Preview; unsaved: boolean; n: number } | { state: 'failed'; error: Error };

const typed = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/**
 * "What would happen if a message went to this audience now", with the rules being edited
 * (`rules`: the server tries them without saving), so a manager can try a cap before saving it.
 * The audience is every customer or a journey-rule condition, written like the journey map's
 * rules with the same reference of examples beside it.
 */
export function PreviewCard({ rules, unsaved }: { rules: ContactRules; unsaved: boolean }) {
  const { t } = useI18n();
  const p = t.governance.preview;
  const { workspace } = useCurrentWorkspace();
  const [form, setForm] = useState<PreviewForm>(INITIAL);
  const [run, setRun] = useState<Run>({ state: 'idle' });
  const [runs, setRuns] = useState(0);
  const id = useId();
  const parsed = parseRule(form.condition);
  const change = (patch: Partial<PreviewForm>) => setForm((current) => ({ ...current, ...patch }));

  const preview = async () => {
    setRun({ state: 'running' });
    const body: PreviewRequest = {
      channel: form.channel,
      purpose: form.purpose,
      department: form.department,
      priority: typed(form.priority),
      whenHeld: form.held === 'skip' ? { kind: 'skip' } : { kind: 'defer', within: { days: typed(form.deferDays) } },
      rules,
      ...(form.audience === 'condition' && parsed.kind === 'rule' ? { audience: parsed.rule as PreviewRequest['audience'] } : {}),
    };
    try {
      const result = await unwrap(api.POST('/api/v1/workspaces/{workspace}/contact-rules/preview', { params: { path: { workspace: workspace.name } }, body }));
      setRun({ state: 'done', result, unsaved, n: runs + 1 });
      setRuns(runs + 1);
    } catch (error) {
      setRun({ state: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
    }
  };

  const conditionMissing = form.audience === 'condition' && parsed.kind !== 'rule';
  return (
    <section className="card governance-section governance-preview" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{p.title}</h2>
      <p className="muted small">{p.lead}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void preview();
        }}
      >
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-channel`}>{p.channel}</label>
            <select
              id={`${id}-channel`}
              value={form.channel}
              onChange={(event) => change({ channel: CHANNELS.find((c) => c === event.target.value) ?? 'email' })}
            >
              {CHANNELS.map((channel) => (
                <option key={channel} value={channel}>
                  {t.governance.channels[channel]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-purpose`}>{p.purpose}</label>
            <select
              id={`${id}-purpose`}
              value={form.purpose}
              onChange={(event) => change({ purpose: PURPOSES.find((c) => c === event.target.value) ?? 'marketing' })}
            >
              {PURPOSES.map((purpose) => (
                <option key={purpose} value={purpose}>
                  {t.governance.purposes[purpose]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-department`}>{p.department}</label>
            <select
              id={`${id}-department`}
              value={form.department}
              onChange={(event) => change({ department: DEPARTMENTS.find((c) => c === event.target.value) ?? 'marketing' })}
            >
              {DEPARTMENTS.map((department) => (
                <option key={department} value={department}>
                  {t.tasks.departments[department]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-priority`}>{p.priority}</label>
            <input
              id={`${id}-priority`}
              type="number"
              min={1}
              max={100}
              step={1}
              value={form.priority}
              onChange={(event) => change({ priority: event.target.value })}
            />
          </div>
        </div>
        <div className="choice-row">
          <fieldset className="choice-group">
            <legend>{p.whenHeld}</legend>
            <label className="choice">
              <input type="radio" name={`${id}-held`} checked={form.held === 'defer'} onChange={() => change({ held: 'defer' })} />
              {p.defer}
            </label>
            <label className="choice">
              <input type="radio" name={`${id}-held`} checked={form.held === 'skip'} onChange={() => change({ held: 'skip' })} />
              {p.skip}
            </label>
          </fieldset>
          {form.held === 'defer' && (
            <div className="field">
              <label htmlFor={`${id}-within`}>{p.deferWithin}</label>
              <input
                id={`${id}-within`}
                type="number"
                min={1}
                max={30}
                step={1}
                value={form.deferDays}
                onChange={(event) => change({ deferDays: event.target.value })}
              />
            </div>
          )}
          <fieldset className="choice-group">
            <legend>{p.audience}</legend>
            <label className="choice">
              <input type="radio" name={`${id}-audience`} checked={form.audience === 'everyone'} onChange={() => change({ audience: 'everyone' })} />
              {p.everyone}
            </label>
            <label className="choice">
              <input type="radio" name={`${id}-audience`} checked={form.audience === 'condition'} onChange={() => change({ audience: 'condition' })} />
              {p.condition}
            </label>
          </fieldset>
        </div>
        {form.audience === 'condition' && (
          <div className="rule-editor">
            <div className="field rule-field">
              <label htmlFor={`${id}-condition`}>{p.conditionLabel}</label>
              <textarea
                id={`${id}-condition`}
                className="rule-text"
                rows={Math.min(12, Math.max(4, form.condition.split('\n').length + 1))}
                spellCheck={false}
                value={form.condition}
                aria-describedby={`${id}-condition-hint ${id}-condition-state`}
                aria-invalid={parsed.kind === 'invalid' ? true : undefined}
                onChange={(event) => change({ condition: event.target.value })}
              />
              <p className="muted small" id={`${id}-condition-hint`}>
                {p.conditionHint}
              </p>
              <p id={`${id}-condition-state`} className={parsed.kind === 'invalid' ? 'field-problem' : 'muted small'} aria-live="polite">
                {parsed.kind === 'invalid' ? (parsed.message === 'not_object' ? p.conditionNotObject : p.conditionInvalid(parsed.message)) : ''}
              </p>
            </div>
            <RuleReference onInsert={(rule) => change({ condition: withExample(form.condition, rule) })} />
          </div>
        )}
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={run.state === 'running' || conditionMissing}>
            {run.state === 'running' ? p.running : p.run}
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {run.state === 'done' && <PreviewResult result={run.result} unsaved={run.unsaved} n={run.n} />}
        {run.state === 'failed' && <Failure error={run.error} />}
      </div>
    </section>
  );
}

function PreviewResult({ result, unsaved, n: run }: { result: Preview; unsaved: boolean; n: number }) {
  const { t } = useI18n();
  const p = t.governance.preview;
  const { format } = useCurrentWorkspace();
  const n = (value: number) => format.integer(value);
  return (
    <div className="governance-preview-result" data-testid="preview-result" data-run={run}>
      <p className="muted small">
        {p.at(format.dateTime(result.at))}
        {unsaved && ` ${p.unsavedRules}`}
      </p>
      {result.sampled && (
        <p className="alert alert-info" role="note">
          {p.sampled(format.percent(result.sampleRate))}
        </p>
      )}
      <div className="report-numbers">
        <Stat label={p.audienceCount} value={n(result.audience)} />
        <Stat label={p.send} value={n(result.send)} />
        <Stat label={p.deferred} value={n(result.deferred)} />
        <Stat label={p.skipped} value={n(result.skipped)} />
        <Stat label={p.globalControl} value={n(result.globalControl)} />
      </div>
      {result.displacing > 0 && <p className="small">{p.displacing(n(result.displacing))}</p>}
      {result.medianDeferMinutes !== null && <p>{p.median(waitText(t, result.medianDeferMinutes))}</p>}
      {result.byRule.length === 0 ? (
        <p className="muted">{p.noneHeld}</p>
      ) : (
        <div className="table-wrap">
          <table className="table-compact" aria-label={p.byRuleLabel}>
            <thead>
              <tr>
                <th>{p.byRuleColumns.rule}</th>
                <th className="num">{p.byRuleColumns.deferred}</th>
                <th className="num">{p.byRuleColumns.skipped}</th>
              </tr>
            </thead>
            <tbody>
              {result.byRule.map((entry, index) => (
                <tr key={index}>
                  <td>{ruleName(t, format, entry.rule)}</td>
                  <td className="num">{n(entry.deferred)}</td>
                  <td className="num">{n(entry.skipped)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function waitText(t: Messages, minutes: number): string {
  const total = Math.round(minutes);
  return t.governance.preview.wait(Math.floor(total / 1440), Math.floor((total % 1440) / 60), total % 60);
}

function ruleName(t: Messages, format: Format, rule: RuleRef): string {
  const r = t.governance.preview.rule;
  switch (rule.kind) {
    case 'cap':
      return r.cap(rule.name ?? '', rule.id ?? '');
    case 'quiet_hours':
      return r.quiet_hours(labelOf(t.governance.channels, rule.channel ?? ''));
    case 'complaint':
      return r.complaint;
    case 'do_not_contact':
      return r.do_not_contact(rule.until ? format.date(rule.until) : '?');
  }
}
