import { useId } from 'react';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { DEPARTMENTS } from '../charter/labels.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { MeasurementPlanFields } from '../measurement/plan-fields.tsx';
import { ConditionField, JsonField, NumberField, SelectField, TextField, WeekdaysField } from './fields.tsx';
import { type AudienceSchedule, SCHEDULE_KINDS, type ScheduleKind, scheduleOfKind, zonedInput, zonedIso } from './schedule.ts';
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

/** The scenario's own fields: key (new scenarios only), name, purpose, department, priority, trigger, re-entry and exit rules, the measurement plan. */
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
  const needsMap =
    document.trigger.kind === 'cell_entered' || document.trigger.kind === 'cell_left' || document.exitRules.some((rule) => rule.kind === 'left_cell');
  const journey = useActiveJourneyMap(needsMap);
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
      <TriggerFields trigger={document.trigger} journey={journey} onChange={(trigger) => set({ trigger })} problems={problems.get('trigger')} />
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
      <ExitRulesField rules={document.exitRules} journey={journey} onChange={(exitRules) => set({ exitRules })} problems={problems.get('exitRules')} />
      <MeasurementPlanFields
        plan={document.measurement}
        purpose={document.purpose}
        onChange={(measurement) => set({ measurement })}
        problems={problems.get('measurement')}
      />
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
  journey,
  onChange,
  problems,
}: {
  trigger: ScenarioTrigger;
  journey: JourneyMapState;
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
            return <CellPicker journey={journey} stage={trigger.stage} level={trigger.level} onChange={(cell) => set(cell)} />;
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
                <ScheduleFields schedule={trigger.schedule} onChange={(schedule) => set({ schedule })} />
              </>
            );
        }
      })()}
    </fieldset>
  );
}

function ExitRulesField({
  rules,
  journey,
  onChange,
  problems,
}: {
  rules: ExitRule[];
  journey: JourneyMapState;
  onChange(rules: ExitRule[]): void;
  problems?: Problem[] | undefined;
}) {
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
            <CellPicker journey={journey} stage={rule.stage} level={rule.level} leftCell onChange={(cell) => update(index, { ...rule, ...cell })} />
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

type JourneyMap = Schemas['JourneyMap'];
type JourneyMapState = ReturnType<typeof useActiveJourneyMap>;

/** The workspace's active journey map (null: none), read only while a cell is to be chosen. */
function useActiveJourneyMap(enabled: boolean) {
  const { workspace } = useCurrentWorkspace();
  return useApiData(
    async (signal): Promise<JourneyMap | null> =>
      (await unwrap(api.GET('/api/v1/workspaces/{workspace}/journey', { params: { path: { workspace: workspace.name } }, signal }))).map,
    [workspace.name],
    { enabled },
  );
}

/**
 * A cell of the active journey map: its stage and level chosen by name (the keys are stored),
 * each "any" when left out. A key the map does not have (an older map's) stays choosable, so
 * nothing is lost by opening the form; without an active map the form says so and leads there.
 */
function CellPicker({
  journey,
  stage,
  level,
  leftCell = false,
  onChange,
}: {
  journey: JourneyMapState;
  stage: string | undefined;
  level: string | undefined;
  /** A left_cell exit rule: both "any" means the trigger's cell. */
  leftCell?: boolean;
  onChange(cell: { stage: string | undefined; level: string | undefined }): void;
}) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const s = t.scenarios.settings;
  if (journey.state === 'loading') return <p className="muted small">{s.mapLoading}</p>;
  if (journey.state === 'failed')
    return (
      <p className="field-error" role="alert">
        {s.mapFailed(journey.error.message)}{' '}
        <button type="button" className="button button-small" onClick={journey.reload}>
          {s.mapRetry}
        </button>
      </p>
    );
  const map = journey.data;
  const options = (keys: ReadonlyArray<{ key: string; name: string }>, chosen: string | undefined, any: string) => [
    { value: '', label: any },
    ...keys.map((each) => ({ value: each.key, label: each.name })),
    ...(chosen && !keys.some((each) => each.key === chosen) ? [{ value: chosen, label: s.notInMap(chosen) }] : []),
  ];
  return (
    <div className="cell-picker">
      {map === null ? (
        <p className="alert alert-warning" role="note">
          {s.noMap} <Link to={`/w/${encodeURIComponent(workspace.name)}/journey`}>{s.noMapLink}</Link>
        </p>
      ) : (
        <p className="muted small">{s.cellFromMap(map.name)}</p>
      )}
      <SelectField
        label={s.stage}
        value={stage ?? ''}
        options={options(map?.stages ?? [], stage, s.anyStage)}
        onChange={(key) => onChange({ stage: key === '' ? undefined : key, level })}
      />
      <SelectField
        label={s.level}
        value={level ?? ''}
        options={options(map?.levels ?? [], level, s.anyLevel)}
        onChange={(key) => onChange({ stage, level: key === '' ? undefined : key })}
      />
      {leftCell && stage === undefined && level === undefined && <p className="muted small">{s.triggerCell}</p>}
    </div>
  );
}

/** The audience trigger's schedule as a form: once (a date and time), daily (a time), weekly (weekdays and a time), monthly (a day 1–28 and a time). */
function ScheduleFields({ schedule: given, onChange }: { schedule: AudienceSchedule | undefined; onChange(schedule: AudienceSchedule): void }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const s = t.scenarios.settings;
  const zone = workspace.timezone;
  // A draft written by hand may hold no schedule, or one of no known kind: nothing is shown until a kind is chosen.
  const schedule = given && (SCHEDULE_KINDS as readonly string[]).includes(given.kind) ? given : undefined;
  const time = (at: string, change: (at: string) => void) => <TextField label={s.scheduleTime} type="time" value={at} onChange={change} />;
  return (
    <fieldset className="field schedule-fields">
      <legend>{s.schedule}</legend>
      <SelectField
        label={s.scheduleKind}
        value={schedule?.kind}
        placeholder={s.scheduleChoose}
        options={SCHEDULE_KINDS.map((value) => ({ value, label: s.scheduleKinds[value] ?? value }))}
        onChange={(kind: ScheduleKind) => onChange(scheduleOfKind(kind, schedule, zone, new Date()))}
      />
      {(() => {
        switch (schedule?.kind) {
          case undefined:
            return null;
          case 'once':
            return (
              <TextField
                label={s.scheduleAt}
                type="datetime-local"
                value={zonedInput(schedule.at, zone) ?? ''}
                onChange={(local) => {
                  const at = zonedIso(local, zone);
                  if (at) onChange({ kind: 'once', at });
                }}
              />
            );
          case 'daily':
            return time(schedule.at, (at) => onChange({ ...schedule, at }));
          case 'weekly':
            return (
              <>
                <WeekdaysField
                  label={s.scheduleWeekdays}
                  value={schedule.weekdays}
                  onChange={(weekdays) => onChange({ ...schedule, weekdays: weekdays ?? [] })}
                />
                {time(schedule.at, (at) => onChange({ ...schedule, at }))}
              </>
            );
          case 'monthly':
            return (
              <>
                <SelectField
                  label={s.scheduleDay}
                  value={String(schedule.dayOfMonth)}
                  options={Array.from({ length: 28 }, (_, i) => ({ value: String(i + 1), label: s.scheduleDayOption(String(i + 1)) }))}
                  onChange={(day) => onChange({ ...schedule, dayOfMonth: Number(day) })}
                />
                {time(schedule.at, (at) => onChange({ ...schedule, at }))}
              </>
            );
        }
      })()}
      <p className="muted small">{s.scheduleZone(zone)}</p>
    </fieldset>
  );
}
