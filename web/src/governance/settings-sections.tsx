import { useId, useMemo } from 'react';
import type { PropertyTest } from '../../../src/journey-map/model.ts';
import { propertyTestsInWords } from '../../../src/journey-map/rules/value-test.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { JsonField } from '../scenarios/fields.tsx';
import type { RulesDraft } from './rules-draft.ts';

type Change = (patch: Partial<RulesDraft>) => void;

/** 連絡の停止: complaints (the events that open and close one, open support tasks) and the do-not-contact attribute. */
export function SuppressionSection({ draft, onChange }: { draft: RulesDraft; onChange: Change }) {
  const { t } = useI18n();
  const s = t.governance.suppression;
  const id = useId();
  return (
    <section className="card governance-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{s.title}</h2>
      <p className="muted small">{s.lead}</p>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-open`}>{s.openEvent}</label>
          <input id={`${id}-open`} value={draft.openEvent} spellCheck={false} onChange={(event) => onChange({ openEvent: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-days`}>{s.openForDays}</label>
          <input
            id={`${id}-days`}
            inputMode="numeric"
            value={draft.openForDays}
            placeholder={s.openForDaysNone}
            onChange={(event) => onChange({ openForDays: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-close`}>{s.closeEvent}</label>
          <input id={`${id}-close`} value={draft.closeEvent} spellCheck={false} onChange={(event) => onChange({ closeEvent: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-dnc`}>{s.doNotContact}</label>
          <input
            id={`${id}-dnc`}
            value={draft.doNotContactAttribute}
            spellCheck={false}
            onChange={(event) => onChange({ doNotContactAttribute: event.target.value })}
          />
        </div>
      </div>
      <JsonField label={s.openWhere} hint={s.openWhereHint} value={draft.openWhere} shape="array" optional onChange={(openWhere) => onChange({ openWhere })} />
      <label className="choice">
        <input type="checkbox" checked={draft.openSupportTask} onChange={(event) => onChange({ openSupportTask: event.target.checked })} />
        {s.openSupportTask}
      </label>
      <ul className="governance-sentences">
        <li>{s.complaintSentence({ ...draft, openWhere: testsInWords(draft.openWhere), openForDays: draft.openForDays.trim() })}</li>
        <li>{s.doNotContactSentence(draft.doNotContactAttribute)}</li>
      </ul>
    </section>
  );
}

/** タイムゾーン: the default for customers without one, and the attribute holding a customer's own. */
export function TimezoneSection({ draft, workspaceTimezone, onChange }: { draft: RulesDraft; workspaceTimezone: string; onChange: Change }) {
  const { t } = useI18n();
  const z = t.governance.timezone;
  const id = useId();
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone'), []);
  return (
    <section className="card governance-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{z.title}</h2>
      <p className="muted small">{z.lead}</p>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-zone`}>{z.zone}</label>
          <input
            id={`${id}-zone`}
            list={`${id}-zones`}
            value={draft.timezone}
            placeholder={z.zoneDefault(workspaceTimezone)}
            spellCheck={false}
            aria-describedby={`${id}-zone-hint`}
            onChange={(event) => onChange({ timezone: event.target.value })}
          />
          <datalist id={`${id}-zones`}>
            {zones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <span className="muted small" id={`${id}-zone-hint`}>
            {z.zoneHint}
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-attribute`}>{z.attribute}</label>
          <input
            id={`${id}-attribute`}
            value={draft.timezoneAttribute}
            spellCheck={false}
            onChange={(event) => onChange({ timezoneAttribute: event.target.value })}
          />
        </div>
      </div>
      <ul className="governance-sentences">
        <li>{z.sentence(draft.timezoneAttribute, draft.timezone.trim() || workspaceTimezone)}</li>
      </ul>
    </section>
  );
}

/** 全体コントロール群: the share of customers (0: none, 1–15 %) that no marketing reaches. */
export function GlobalControlSection({ draft, onChange }: { draft: RulesDraft; onChange: Change }) {
  const { t } = useI18n();
  const c = t.governance.globalControl;
  const id = useId();
  const percent = Number(draft.globalControlPercent);
  return (
    <section className="card governance-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{c.title}</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-percent`}>{c.percent}</label>
          <input
            id={`${id}-percent`}
            type="number"
            min={0}
            max={15}
            step={1}
            value={draft.globalControlPercent}
            aria-describedby={`${id}-explain`}
            onChange={(event) => onChange({ globalControlPercent: event.target.value })}
          />
        </div>
      </div>
      <p className="muted small" id={`${id}-explain`}>
        {c.explain}
      </p>
      <ul className="governance-sentences">
        <li>{draft.globalControlPercent.trim() !== '' && percent > 0 ? c.sentence(draft.globalControlPercent.trim()) : c.off}</li>
      </ul>
    </section>
  );
}

/** Property tests in a few words (`topic = "complaint"`); null: none, or not a list of tests yet (being typed). */
function testsInWords(where: unknown): string | null {
  if (!Array.isArray(where) || where.length === 0) return null;
  const tests = where.filter((test): test is PropertyTest => typeof test === 'object' && test !== null && 'property' in test && 'op' in test);
  return tests.length === where.length ? propertyTestsInWords(tests) : null;
}
