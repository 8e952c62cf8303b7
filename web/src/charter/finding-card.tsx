import { useI18n } from '../i18n/i18n.tsx';
import { ruleLabel, SeverityBadge } from './labels.tsx';
import type { Finding } from './live-check.ts';

/** One finding in words: severity, rule family, message, the text found, why, and the fix (a button) when there is one. */
export function FindingCard({ finding, readOnly, onApplyFix, onShow }: { finding: Finding; readOnly?: boolean; onApplyFix(): void; onShow?(): void }) {
  const { t, locale } = useI18n();
  const c = t.charter.checker;
  const fixText = finding.fix?.replace(/\n/g, '⏎');
  return (
    <div className="finding-card" data-severity={finding.severity} data-rule={finding.rule}>
      <div className="finding-card-head">
        <SeverityBadge severity={finding.severity} />
        <span className="finding-family">{ruleLabel(t, finding.rule)}</span>
        {finding.text !== '' ? <q className="finding-text">{finding.text}</q> : <span className="finding-text muted">{c.missingHere}</span>}
      </div>
      <p className="finding-message">{finding.message[locale]}</p>
      {finding.explanation && (
        <p className="finding-why">
          <span className="finding-why-label">{c.why}</span> {finding.explanation[locale]}
        </p>
      )}
      {finding.suggestion !== undefined && (
        <p className="finding-rewording">
          <span className="muted">{c.rewording}:</span> <ins>{finding.suggestion}</ins>
          <span className="muted small"> {c.rewordingNote}</span>
        </p>
      )}
      <div className="finding-actions">
        {fixText !== undefined ? (
          <>
            <span className="finding-suggestion">
              <span className="muted">{c.suggestion}:</span> <ins>{fixText}</ins>
            </span>
            {!readOnly && (
              <button type="button" className="button button-primary button-small" onClick={onApplyFix}>
                {c.fix}
              </button>
            )}
          </>
        ) : (
          finding.suggestion === undefined && <span className="muted small">{c.noFix}</span>
        )}
        {onShow && (
          <button type="button" className="button button-quiet button-small" onClick={onShow}>
            {c.show}
          </button>
        )}
      </div>
    </div>
  );
}
