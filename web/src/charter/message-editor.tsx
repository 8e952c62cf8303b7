import { useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { CheckedText, type SelectRequest } from './checked-text.tsx';
import { FindingCard } from './finding-card.tsx';
import { SEVERITIES } from './charter-draft.ts';
import { DEPARTMENTS, ruleLabel, ScoreBadge } from './labels.tsx';
import { applyAllFixes, applyFix, findingKey } from './finding-edits.ts';
import { useLiveCheck, type Finding, type LiveCheck, type MessageDraft, type MessagePart } from './live-check.ts';

const CHANNELS = ['email', 'line', 'sms'] as const satisfies readonly MessageDraft['channel'][];
const FORMATS = ['text', 'html', 'mjml'] as const satisfies readonly NonNullable<MessageDraft['format']>[];

interface MessageEditorProps {
  /** The workspace whose charter the draft is checked against. */
  workspace: string;
  draft: MessageDraft;
  onChange(draft: MessageDraft): void;
  readOnly?: boolean;
  /** Fields shown above the message (a template's name). */
  header?: ReactNode;
  /** Buttons shown under the message (save, publish…). */
  actions?: ReactNode;
  /** The body's visible rows before it grows. */
  rows?: number;
}

/**
 * A message being written (department, channel, format, subject and body) with the live
 * check beside it: the findings underlined in the text, the score, and every finding in a
 * list with its fix. The checker page and the template editor are both this. The check waits
 * while an IME composition is open.
 */
export function MessageEditor({ workspace, draft, onChange, readOnly, header, actions, rows = 12 }: MessageEditorProps) {
  const { t } = useI18n();
  const c = t.charter.checker;
  const [select, setSelect] = useState<SelectRequest & { part: MessagePart }>();
  const [composing, setComposing] = useState(false);
  const check = useLiveCheck(workspace, draft, { paused: composing });
  const email = draft.channel === 'email';
  const partFindings = (part: MessagePart) => check.findings.filter((finding) => finding.range.part === part);
  const fix = (finding: Finding) => {
    const next = applyFix(draft, finding);
    if (next) onChange(next);
  };
  const show = (finding: Finding) => setSelect({ part: finding.range.part, start: finding.range.start, end: finding.range.end, seq: (select?.seq ?? 0) + 1 });

  return (
    <div className="message-editor">
      <div className="message-editor-main">
        {header}
        <div className="message-kind">
          <label className="field">
            <span>{c.department}</span>
            <select
              value={draft.department}
              disabled={readOnly}
              onChange={(e) => onChange({ ...draft, department: e.target.value as MessageDraft['department'] })}
            >
              {DEPARTMENTS.map((d) => (
                <option key={d} value={d}>
                  {t.charter.departments[d]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{c.channel}</span>
            <select value={draft.channel} disabled={readOnly} onChange={(e) => onChange({ ...draft, channel: e.target.value as MessageDraft['channel'] })}>
              {CHANNELS.map((ch) => (
                <option key={ch} value={ch}>
                  {t.charter.channels[ch]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{c.format}</span>
            <select
              value={draft.format ?? 'text'}
              disabled={readOnly}
              onChange={(e) => onChange({ ...draft, format: e.target.value as MessageDraft['format'] })}
            >
              {FORMATS.map((f) => (
                <option key={f} value={f}>
                  {t.charter.formats[f]}
                </option>
              ))}
            </select>
          </label>
        </div>
        {email && (
          <div className="field">
            <label htmlFor="message-subject">{c.subject}</label>
            <CheckedText
              id="message-subject"
              value={draft.subject ?? ''}
              multiline={false}
              readOnly={readOnly}
              findings={partFindings('subject')}
              onChange={(subject) => onChange({ ...draft, subject })}
              onApplyFix={fix}
              onComposing={setComposing}
              select={select?.part === 'subject' ? select : undefined}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor="message-body">{c.body}</label>
          <CheckedText
            id="message-body"
            value={draft.body}
            multiline
            minRows={rows}
            readOnly={readOnly}
            findings={partFindings('body')}
            onChange={(body) => onChange({ ...draft, body })}
            onApplyFix={fix}
            onComposing={setComposing}
            select={select?.part === 'body' ? select : undefined}
            describedBy="message-body-help"
          />
          <p id="message-body-help" className="muted small">
            {c.bodyHelp}
          </p>
        </div>
        {actions}
      </div>
      <FindingsPanel check={check} draft={draft} readOnly={readOnly} onChange={onChange} onFix={fix} onShow={show} />
    </div>
  );
}

/**
 * What まとめて修正 did and, once the message is checked again, what still blocks publication:
 * the errors no fix removes (a 薬機法 claim needs the sentence rewritten), named one by one, so
 * the fixes applied never read as if the message were fixed.
 */
function FixAllOutcome({ applied, findings, checking }: { applied: number; findings: Finding[]; checking: boolean }) {
  const { t, locale } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.charter.checker;
  const done = c.fixedAll(format.integer(applied));
  if (checking)
    return (
      <p className="muted small" role="status">
        {done} {c.recheckingAfterFix}
      </p>
    );
  const blocking = findings.filter((finding) => finding.severity === 'error');
  if (blocking.length === 0)
    return (
      <p className="alert alert-ok small" role="status">
        {done} {c.nothingBlocks}
      </p>
    );
  return (
    <div className="alert alert-error small" role="status">
      <p>
        {done} <strong>{c.stillBlocks(format.integer(blocking.length))}</strong>
      </p>
      <ul className="blocking-list">
        {blocking.map((finding) => (
          <li key={findingKey(finding)}>
            {ruleLabel(t, finding.rule)}
            {finding.text !== '' ? `「${finding.text}」` : ''}: {finding.message[locale]}
          </li>
        ))}
      </ul>
    </div>
  );
}

function FindingsPanel({
  check,
  draft,
  readOnly,
  onChange,
  onFix,
  onShow,
}: {
  check: LiveCheck;
  draft: MessageDraft;
  readOnly?: boolean;
  onChange(draft: MessageDraft): void;
  onFix(finding: Finding): void;
  onShow(finding: Finding): void;
}) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.charter.checker;
  const [severity, setSeverity] = useState<Finding['severity'] | 'all'>('all');
  // How many fixes the last まとめて修正 applied; what it left is read from the findings as they are now.
  const [fixedAll, setFixedAll] = useState<number>();
  const findings = [...check.findings].sort((a, b) => (a.range.part === b.range.part ? a.range.start - b.range.start : a.range.part === 'subject' ? -1 : 1));
  const listed = severity === 'all' ? findings : findings.filter((finding) => finding.severity === severity);
  const fixable = findings.filter((finding) => finding.fix !== undefined).length;
  const result = check.result;
  const counts = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;

  return (
    <aside className="findings-panel card" aria-labelledby="findings-title">
      <div className="findings-summary" aria-live="polite">
        <div>
          <span className="muted small">{c.score}</span>
          <div className="findings-score">{result ? <ScoreBadge score={result.score} /> : t.app.none}</div>
        </div>
        <span className={`findings-state${check.checking ? ' is-checking' : ''}`} role="status">
          {draft.body.trim() === '' ? c.emptyHint : check.checking ? c.checking : c.checked}
        </span>
      </div>
      {result && (
        <p className={`findings-publishable ${counts.error === 0 ? 'is-ok' : 'is-blocked'}`}>{counts.error === 0 ? c.publishable : c.notPublishable}</p>
      )}
      {check.error && (
        <div className="alert alert-error" role="alert">
          {check.error.message}
        </div>
      )}
      <div className="findings-head">
        <h2 id="findings-title">{c.findingsCount(format.integer(findings.length))}</h2>
        {!readOnly && fixable > 0 && (
          <button
            type="button"
            className="button button-small"
            onClick={() => {
              const fixed = applyAllFixes(draft, findings);
              onChange(fixed.draft);
              setFixedAll(fixed.applied);
            }}
          >
            {c.fixAll(format.integer(fixable))}
          </button>
        )}
      </div>
      {fixedAll !== undefined && <FixAllOutcome applied={fixedAll} findings={findings} checking={check.checking} />}
      <div className="segmented" role="group" aria-label={c.severityFilter}>
        {(['all', ...SEVERITIES] as const).map((s) => (
          <button key={s} type="button" aria-pressed={severity === s} onClick={() => setSeverity(s)}>
            {s === 'all' ? `${c.filterAll} ${format.integer(findings.length)}` : `${t.charter.severities[s]} ${format.integer(counts[s])}`}
          </button>
        ))}
      </div>
      {result && findings.length === 0 && !check.checking && <p className="findings-none">{c.noFindings}</p>}
      <ol className="findings-list" aria-label={c.findings}>
        {listed.map((finding) => (
          <li key={findingKey(finding)}>
            <span className="finding-where muted small">{c.part[finding.range.part]}</span>
            <FindingCard finding={finding} readOnly={readOnly} onApplyFix={() => onFix(finding)} onShow={() => onShow(finding)} />
          </li>
        ))}
      </ol>
    </aside>
  );
}
