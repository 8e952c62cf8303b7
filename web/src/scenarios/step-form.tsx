import { useId } from 'react';
import type { Schemas } from '../api/client.ts';
import { DEPARTMENTS } from '../charter/labels.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ConditionField, DurationField, JsonField, NextField, NumberField, SelectField, TextField, WeekdaysField } from './fields.tsx';
import { type Problem, type ScenarioStep, withoutUndefined } from './scenario-draft.ts';

type Template = Schemas['MessageTemplateSummary'];

/**
 * The side panel of one step: every field of its kind, each with the checker's problems of its
 * path. `onChange` gets the whole new step; `onRename` changes its id everywhere it is named.
 */
export function StepForm(props: {
  step: ScenarioStep;
  isStart: boolean;
  stepIds: readonly string[];
  templates: readonly Template[];
  problems: Map<string, Problem[]>;
  onChange(step: ScenarioStep): void;
  onRename(id: string): void;
  onRemove(): void;
  onMakeStart(): void;
}) {
  const { t } = useI18n();
  const s = t.scenarios.step;
  const { step, problems } = props;
  const headingId = useId();
  const others = props.stepIds.filter((id) => id !== step.id);
  const set = (patch: Partial<ScenarioStep>) => props.onChange(withoutUndefined({ ...step, ...patch } as ScenarioStep));
  return (
    <section className="scenario-panel" aria-labelledby={headingId}>
      <h3 id={headingId}>{s.panel(step.id)}</h3>
      <p className="muted small">
        {s.kind}: {t.scenarios.kinds[step.kind]}
      </p>
      <TextField label={s.id} value={step.id} onChange={props.onRename} problems={problems.get('id')} />
      <TextField label={s.name} value={step.name} onChange={(name) => set({ name: name === '' ? undefined : name })} problems={problems.get('name')} />
      <KindFields {...props} others={others} set={set} />
      <div className="scenario-panel-actions">
        {props.isStart ? (
          <span className="badge">{s.isStart}</span>
        ) : (
          <button type="button" className="button button-small" onClick={props.onMakeStart}>
            {s.makeStart}
          </button>
        )}
        <button type="button" className="button button-small button-danger" onClick={props.onRemove}>
          {s.remove}
        </button>
      </div>
    </section>
  );
}

function KindFields({
  step,
  problems,
  templates,
  others,
  set,
}: {
  step: ScenarioStep;
  problems: Map<string, Problem[]>;
  templates: readonly Template[];
  others: readonly string[];
  set(patch: Record<string, unknown>): void;
}) {
  const { t } = useI18n();
  const s = t.scenarios.step;
  const next = (field: 'next' | 'timeoutNext' | 'thenNext' | 'elseNext', label: string, value: string | null | undefined) => (
    <NextField label={label} value={value} stepIds={others} onChange={(target) => set({ [field]: target })} problems={problems.get(field)} />
  );
  switch (step.kind) {
    case 'wait':
      return (
        <>
          <DurationField label={s.duration} value={step.duration} onChange={(duration) => set({ duration })} problems={problems.get('duration')} />
          {next('next', s.next, step.next)}
        </>
      );
    case 'wait_until':
      return (
        <>
          <TextField label={s.time} value={step.time} onChange={(time) => set({ time: time === '' ? undefined : time })} problems={problems.get('time')} />
          <WeekdaysField label={s.weekdays} value={step.weekdays} onChange={(weekdays) => set({ weekdays })} problems={problems.get('weekdays')} />
          {next('next', s.next, step.next)}
        </>
      );
    case 'wait_for_effect':
      return (
        <>
          <SelectField
            label={s.point}
            value={step.point}
            options={(['delivered', 'first_feeling', 'clear'] as const).map((value) => ({ value, label: s.points[value] ?? value }))}
            onChange={(point) => set({ point })}
            problems={problems.get('point')}
          />
          <NumberField label={s.offsetDays} value={step.offsetDays} onChange={(offsetDays) => set({ offsetDays })} problems={problems.get('offsetDays')} />
          <TextField
            label={s.product}
            value={step.product}
            onChange={(product) => set({ product: product === '' ? undefined : product })}
            problems={problems.get('product')}
          />
          {next('next', s.next, step.next)}
        </>
      );
    case 'wait_for_event':
      return (
        <>
          <TextField label={s.eventType} value={step.type} onChange={(type) => set({ type })} problems={problems.get('type')} />
          <JsonField
            label={s.where}
            hint={s.whereHint}
            value={step.where}
            shape="array"
            optional
            onChange={(where) => set({ where })}
            problems={problems.get('where')}
          />
          <DurationField label={s.timeout} value={step.timeout} onChange={(timeout) => set({ timeout })} problems={problems.get('timeout')} />
          {next('next', s.eventNext, step.next)}
          {next('timeoutNext', s.timeoutNext, step.timeoutNext)}
        </>
      );
    case 'branch':
      return (
        <>
          <ConditionField label={s.condition} value={step.condition} onChange={(condition) => set({ condition })} problems={problems.get('condition')} />
          {next('thenNext', s.thenNext, step.thenNext)}
          {next('elseNext', s.elseNext, step.elseNext)}
        </>
      );
    case 'split':
      return <ArmsField arms={step.arms} others={others} onChange={(arms) => set({ arms })} problems={problems.get('arms')} />;
    case 'send':
      return (
        <>
          <SelectField
            label={s.channel}
            value={step.channel}
            options={[{ value: 'email' as const, label: 'email' }]}
            onChange={(channel) => set({ channel })}
          />
          <SelectField
            label={s.template}
            value={step.templateId}
            placeholder={s.chooseTemplate}
            options={templates.map((template) => ({ value: template.id, label: `${template.name}(#${template.id})` }))}
            onChange={(templateId) => set({ templateId })}
            problems={problems.get('templateId')}
          />
          {templates.length === 0 && <p className="muted small">{s.noTemplates}</p>}
          <SelectField
            label={s.purpose}
            value={step.purpose ?? ''}
            options={[
              { value: '', label: s.purposeOfScenario },
              { value: 'marketing', label: t.scenarios.settings.purposes.marketing ?? 'marketing' },
              { value: 'transactional', label: t.scenarios.settings.purposes.transactional ?? 'transactional' },
            ]}
            onChange={(purpose) => set({ purpose: purpose === '' ? undefined : purpose })}
            problems={problems.get('purpose')}
          />
          <WhenHeldField value={step.whenHeld} onChange={(whenHeld) => set({ whenHeld })} problems={problems.get('whenHeld')} />
          {next('next', s.next, step.next)}
        </>
      );
    case 'task':
      return (
        <>
          <SelectField
            label={s.department}
            value={step.department}
            options={DEPARTMENTS.map((value) => ({ value, label: t.charter.departments[value] }))}
            onChange={(department) => set({ department })}
            problems={problems.get('department')}
          />
          <TextField label={s.title} value={step.title} onChange={(title) => set({ title })} problems={problems.get('title')} />
          <TextField
            label={s.description}
            multiline
            value={step.description}
            onChange={(description) => set({ description: description === '' ? undefined : description })}
            problems={problems.get('description')}
          />
          <DurationField label={s.due} value={step.due} onChange={(due) => set({ due })} problems={problems.get('due')} />
          {next('next', s.next, step.next)}
        </>
      );
    case 'update_attribute':
      return (
        <>
          <TextField label={s.attribute} value={step.name} onChange={(name) => set({ name })} problems={problems.get('name')} />
          <JsonField label={s.value} value={step.value} shape="any" onChange={(value) => set({ value })} problems={problems.get('value')} />
          {next('next', s.next, step.next)}
        </>
      );
    case 'exit':
      return <p className="muted">{s.exitNote}</p>;
  }
}

type WhenHeld = Schemas['WhenHeld'];
/** A send step that names none defers up to 3 days (the server's DEFAULT_WHEN_HELD). */
const DEFAULT_WHEN_HELD: WhenHeld = { kind: 'defer', within: { days: 3 } };

/**
 * ルールで送れないとき: defer within a deadline (days and/or hours) or skip. Absent, the step
 * defers up to 3 days; the form shows that and writes the choice once one is made.
 */
function WhenHeldField({ value, onChange, problems }: { value: WhenHeld | undefined; onChange(value: WhenHeld): void; problems?: Problem[] | undefined }) {
  const { t } = useI18n();
  const w = t.measurement.whenHeld;
  const shown = value ?? DEFAULT_WHEN_HELD;
  const within = (patch: { days?: number | undefined; hours?: number | undefined }) => {
    if (shown.kind !== 'defer') return;
    onChange({ kind: 'defer', within: withoutUndefined({ ...shown.within, ...patch }) });
  };
  return (
    <fieldset className="field when-held-field">
      <legend>{w.legend}</legend>
      <p className="muted small">{w.hint}</p>
      <SelectField
        label={w.kind}
        value={shown.kind}
        options={(['defer', 'skip'] as const).map((kind) => ({ value: kind, label: w.kinds[kind] ?? kind }))}
        onChange={(kind) => onChange(kind === 'skip' ? { kind } : DEFAULT_WHEN_HELD)}
      />
      {shown.kind === 'defer' && (
        <>
          <div className="duration-parts">
            <NumberField label={w.withinDays} min={0} max={30} value={shown.within.days} onChange={(days) => within({ days })} />
            <NumberField label={w.withinHours} min={0} max={720} value={shown.within.hours} onChange={(hours) => within({ hours })} />
          </div>
          <p className="muted small">{w.withinHint}</p>
        </>
      )}
      {value === undefined && <p className="muted small">{w.defaultNote}</p>}
      {problems?.map((problem, index) => (
        <p key={index} className="field-error">
          {problem.message}
        </p>
      ))}
    </fieldset>
  );
}

type Arm = { weight: number; next: string | null };

function ArmsField({
  arms,
  others,
  onChange,
  problems,
}: {
  arms: Arm[];
  others: readonly string[];
  onChange(arms: Arm[]): void;
  problems?: Problem[] | undefined;
}) {
  const { t } = useI18n();
  const s = t.scenarios.step;
  const update = (index: number, patch: Partial<Arm>) => onChange(arms.map((arm, i) => (i === index ? { ...arm, ...patch } : arm)));
  return (
    <fieldset className="field arms-field">
      <legend>{s.arms}</legend>
      {arms.map((arm, index) => (
        <div key={index} className="arm-row" role="group" aria-label={s.arm(String(index + 1))}>
          <NumberField
            label={`${s.arm(String(index + 1))}: ${s.weight}`}
            value={arm.weight}
            min={1}
            onChange={(weight) => update(index, { weight: weight ?? 1 })}
          />
          <NextField label={`${s.arm(String(index + 1))}: ${s.next}`} value={arm.next} stepIds={others} onChange={(next) => update(index, { next })} />
          <button type="button" className="button button-small button-quiet" onClick={() => onChange(arms.filter((_, i) => i !== index))}>
            {s.removeArm}
          </button>
        </div>
      ))}
      <button type="button" className="button button-small" onClick={() => onChange([...arms, { weight: 50, next: null }])}>
        {s.addArm}
      </button>
      {problems?.map((problem, index) => (
        <p key={index} className="field-error">
          {problem.message}
        </p>
      ))}
    </fieldset>
  );
}
