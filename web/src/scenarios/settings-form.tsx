import { useId } from 'react';
import { DEPARTMENTS } from '../charter/labels.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ConditionField, JsonField, NumberField, SelectField, TextField } from './fields.tsx';
import {
  type ExitRule,
  listText,
  type Problem,
  type ScenarioDocument,
  type ScenarioTrigger,
  textList,
  TRIGGER_KINDS,
  type TriggerKind,
  withoutUndefined,
} from './scenario-draft.ts';

/** The scenario's own fields: key (new scenarios only), name, purpose, department, priority, trigger, re-entry and exit rules. */
export function SettingsForm(props: {
  document: ScenarioDocument;
  isNew: boolean;
  problems: Map<string, Problem[]>;
  onChange(document: ScenarioDocument): void;
}) {
  const { t } = useI18n();
  const s = t.scenarios.settings;
  const { document, problems } = props;
  const headingId = useId();
  const set = (patch: Partial<ScenarioDocument>) => props.onChange(withoutUndefined({ ...document, ...patch }));
  return (
    <section className="scenario-panel" aria-labelledby={headingId}>
      <h3 id={headingId}>{s.panel}</h3>
      {props.isNew ? (
        <TextField label={s.key} hint={s.keyHint} value={document.key} onChange={(key) => set({ key })} problems={problems.get('key')} />
      ) : (
        <p className="muted small">
          {s.key}: <code>{document.key}</code>
        </p>
      )}
      <TextField label={s.name} value={document.name} onChange={(name) => set({ name })} problems={problems.get('name')} />
      <TextField
        label={s.description}
        multiline
        value={document.description}
        onChange={(description) => set({ description: description === '' ? undefined : description })}
        problems={problems.get('description')}
      />
      <SelectField
        label={s.purpose}
        value={document.purpose}
        options={(['marketing', 'transactional'] as const).map((value) => ({ value, label: s.purposes[value] ?? value }))}
        onChange={(purpose) => set({ purpose })}
        problems={problems.get('purpose')}
      />
      <SelectField
        label={s.department}
        value={document.department}
        options={DEPARTMENTS.map((value) => ({ value, label: t.charter.departments[value] }))}
        onChange={(department) => set({ department })}
        problems={problems.get('department')}
      />
      <NumberField
        label={s.priority}
        min={1}
        max={100}
        value={document.priority}
        onChange={(priority) => set({ priority: priority ?? 50 })}
        problems={problems.get('priority')}
      />
      <TriggerFields trigger={document.trigger} onChange={(trigger) => set({ trigger })} problems={problems.get('trigger')} />
      <fieldset className="field">
        <legend>{s.reentry}</legend>
        <SelectField
          label={s.reentry}
          value={document.reentry.kind}
          options={(['once', 'once_per_days', 'every_time'] as const).map((value) => ({ value, label: s.reentries[value] ?? value }))}
          onChange={(kind) => set({ reentry: kind === 'once_per_days' ? { kind, days: 30 } : { kind } })}
          problems={problems.get('reentry')}
        />
        {document.reentry.kind === 'once_per_days' && (
          <NumberField
            label={s.reentryDays}
            min={1}
            value={document.reentry.days}
            onChange={(days) => set({ reentry: { kind: 'once_per_days', days: days ?? 1 } })}
          />
        )}
      </fieldset>
      <ExitRulesField rules={document.exitRules} onChange={(exitRules) => set({ exitRules })} problems={problems.get('exitRules')} />
    </section>
  );
}

function newTrigger(kind: TriggerKind): ScenarioTrigger {
  switch (kind) {
    case 'event':
      return { kind, type: 'page_view' };
    case 'order':
      return { kind };
    case 'cell_entered':
    case 'cell_left':
      return { kind };
    case 'subscription':
      return { kind, change: 'started' };
    case 'date_attribute':
      return { kind, attribute: 'birthday', offsetDays: 0, recurrence: 'yearly' };
    case 'subscription_anniversary':
      return { kind, offsetDays: 0 };
    case 'audience':
      return { kind, audience: { fact: 'subscription_status', in: ['active'] }, schedule: { kind: 'monthly', dayOfMonth: 1, at: '10:00' } };
  }
}

function TriggerFields({
  trigger,
  onChange,
  problems,
}: {
  trigger: ScenarioTrigger;
  onChange(trigger: ScenarioTrigger): void;
  problems?: Problem[] | undefined;
}) {
  const { t } = useI18n();
  const s = t.scenarios.settings;
  const set = (patch: Record<string, unknown>) => onChange(withoutUndefined({ ...trigger, ...patch } as ScenarioTrigger));
  const optionalText = (value: string) => (value === '' ? undefined : value);
  const products = (value: { products?: string[]; categories?: string[] }) => (
    <>
      <TextField label={s.products} value={listText(value.products)} onChange={(text) => set({ products: textList(text) })} />
      <TextField label={s.categories} value={listText(value.categories)} onChange={(text) => set({ categories: textList(text) })} />
    </>
  );
  return (
    <fieldset className="field trigger-fields">
      <legend>{s.trigger}</legend>
      <SelectField
        label={s.triggerKind}
        value={trigger.kind}
        options={TRIGGER_KINDS.map((value) => ({ value, label: t.scenarios.triggers[value] ?? value }))}
        onChange={(kind) => onChange(newTrigger(kind))}
        problems={problems}
      />
      {(() => {
        switch (trigger.kind) {
          case 'event':
            return (
              <>
                <TextField label={t.scenarios.step.eventType} value={trigger.type} onChange={(type) => set({ type })} />
                <JsonField
                  label={t.scenarios.step.where}
                  hint={t.scenarios.step.whereHint}
                  value={trigger.where}
                  shape="array"
                  optional
                  onChange={(where) => set({ where })}
                />
              </>
            );
          case 'order':
            return products(trigger);
          case 'cell_entered':
          case 'cell_left':
            return (
              <>
                <TextField label={s.stage} value={trigger.stage} onChange={(stage) => set({ stage: optionalText(stage) })} />
                <TextField label={s.level} value={trigger.level} onChange={(level) => set({ level: optionalText(level) })} />
              </>
            );
          case 'subscription':
            return (
              <>
                <SelectField
                  label={s.change}
                  value={trigger.change}
                  options={(['started', 'skipped', 'paused', 'resumed', 'cancelled', 'delivery'] as const).map((value) => ({
                    value,
                    label: s.changes[value] ?? value,
                  }))}
                  onChange={(change) => set({ change })}
                />
                {trigger.change === 'delivery' && (
                  <NumberField label={s.delivery} min={1} value={trigger.delivery} onChange={(delivery) => set({ delivery })} />
                )}
                {products(trigger)}
              </>
            );
          case 'date_attribute':
            return (
              <>
                <TextField label={s.attribute} value={trigger.attribute} onChange={(attribute) => set({ attribute })} />
                <NumberField label={s.offsetDays} value={trigger.offsetDays} onChange={(offsetDays) => set({ offsetDays: offsetDays ?? 0 })} />
                <SelectField
                  label={s.recurrence}
                  value={trigger.recurrence}
                  options={(['yearly', 'once'] as const).map((value) => ({ value, label: s.recurrences[value] ?? value }))}
                  onChange={(recurrence) => set({ recurrence })}
                />
                <TextField label={s.at} value={trigger.at} onChange={(at) => set({ at: optionalText(at) })} />
              </>
            );
          case 'subscription_anniversary':
            return (
              <>
                <NumberField label={s.offsetDays} value={trigger.offsetDays} onChange={(offsetDays) => set({ offsetDays: offsetDays ?? 0 })} />
                <TextField label={s.at} value={trigger.at} onChange={(at) => set({ at: optionalText(at) })} />
                {products(trigger)}
              </>
            );
          case 'audience':
            return (
              <>
                <ConditionField label={s.audience} value={trigger.audience} onChange={(audience) => set({ audience })} />
                <JsonField label={s.schedule} hint={s.scheduleHint} value={trigger.schedule} shape="object" onChange={(schedule) => set({ schedule })} />
              </>
            );
        }
      })()}
    </fieldset>
  );
}

function ExitRulesField({ rules, onChange, problems }: { rules: ExitRule[]; onChange(rules: ExitRule[]): void; problems?: Problem[] | undefined }) {
  const { t } = useI18n();
  const s = t.scenarios.settings;
  const update = (index: number, rule: ExitRule) => onChange(rules.map((each, i) => (i === index ? withoutUndefined(rule) : each)));
  return (
    <fieldset className="field exit-rules">
      <legend>{s.exitRules}</legend>
      <p className="muted small">{s.exitRulesHint}</p>
      {rules.map((rule, index) => (
        <div key={index} className="exit-rule" role="group" aria-label={s.exitRule(String(index + 1))}>
          <SelectField
            label={s.exitKind}
            value={rule.kind}
            options={(['condition', 'left_cell'] as const).map((value) => ({ value, label: s.exitKinds[value] ?? value }))}
            onChange={(kind) => update(index, kind === 'condition' ? { kind, condition: { fact: 'subscription_status', in: ['active'] } } : { kind })}
          />
          {rule.kind === 'condition' ? (
            <>
              <TextField label={s.exitName} value={rule.name} onChange={(name) => update(index, { ...rule, name: name === '' ? undefined : name })} />
              <ConditionField
                label={t.scenarios.step.condition}
                value={rule.condition}
                onChange={(condition) => update(index, { ...rule, condition: condition as typeof rule.condition })}
              />
            </>
          ) : (
            <>
              <TextField label={s.stage} value={rule.stage} onChange={(stage) => update(index, { ...rule, stage: stage === '' ? undefined : stage })} />
              <TextField label={s.level} value={rule.level} onChange={(level) => update(index, { ...rule, level: level === '' ? undefined : level })} />
            </>
          )}
          <button type="button" className="button button-small button-danger" onClick={() => onChange(rules.filter((_, i) => i !== index))}>
            {s.removeExitRule}
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange([...rules, { kind: 'condition', condition: { fact: 'subscription_status', in: ['active'] } }])}
      >
        {s.addExitRule}
      </button>
      {problems?.map((problem, index) => (
        <p key={index} className="field-error">
          {problem.path}: {problem.message}
        </p>
      ))}
    </fieldset>
  );
}
