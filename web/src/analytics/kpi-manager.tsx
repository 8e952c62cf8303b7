import { useState, type ReactNode } from 'react';
import { api, ApiError, unwrap, type Schemas } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { kpiValue, metricLabel } from './kpi-labels.ts';

type Kpi = Schemas['KpiInTree'];
type MetricKind = Kpi['metric']['kind'];
type Direction = Kpi['direction'];
type Granularity = Kpi['granularity'];

/** Every metric the API knows, once: a Record over the API's own union, so a metric added there fails to compile here until it is offered. */
const METRIC_SET: Record<MetricKind, true> = {
  sales: true,
  customers: true,
  purchases: true,
  frequency: true,
  items_per_purchase: true,
  price_per_item: true,
  repeat_rate: true,
  f2_rate: true,
  churn_rate: true,
  active_subscribers: true,
  continuation_rate: true,
  cancellation_rate: true,
  step_up_rate: true,
};
const METRICS = Object.keys(METRIC_SET) as MetricKind[];
const RATES: readonly MetricKind[] = ['repeat_rate', 'f2_rate', 'churn_rate', 'continuation_rate', 'cancellation_rate', 'step_up_rate'];
const MAX_F2_DAYS = 3650;
const MAX_DELIVERY = 60;
const DEFAULT_DELIVERY = '2';
const MAX_CHURN_DAYS = 3650;
const DEFAULT_F2_DAYS = '90';

/** The form's fields, as typed (percentages for rates and the tolerance). */
interface KpiDraft {
  name: string;
  metric: MetricKind;
  within: string;
  window: string;
  deliveryNumber: string;
  granularity: Granularity;
  target: string;
  direction: Direction;
  tolerance: string;
  parentId: string;
}
type FieldName = 'name' | 'metric' | 'within' | 'window' | 'deliveryNumber' | 'granularity' | 'target' | 'direction' | 'tolerance' | 'parentId';
type FieldErrors = Partial<Record<FieldName | 'form', string>>;

const isRate = (kind: MetricKind) => RATES.includes(kind);
const defaultDirection = (kind: MetricKind): Direction => (kind === 'churn_rate' || kind === 'cancellation_rate' ? 'lower_is_better' : 'higher_is_better');
/** The metrics with a window in days after a first purchase: F2 and step-up. */
const hasWithin = (kind: MetricKind) => kind === 'f2_rate' || kind === 'step_up_rate';
/** Shares are typed as percentages; 0.1 + 0.2 style noise is rounded away. */
const fromPercent = (text: string) => Math.round(Number(text) * 1e6) / 1e8;
const toPercent = (share: number) => String(Math.round(share * 1e8) / 1e6);

function draftOf(kpi: Kpi | undefined): KpiDraft {
  if (!kpi) {
    return {
      name: '',
      metric: 'sales',
      within: DEFAULT_F2_DAYS,
      window: '',
      deliveryNumber: DEFAULT_DELIVERY,
      granularity: 'month',
      target: '',
      direction: 'higher_is_better',
      tolerance: '5',
      parentId: '',
    };
  }
  return {
    name: kpi.name,
    metric: kpi.metric.kind,
    within: kpi.metric.kind === 'f2_rate' || kpi.metric.kind === 'step_up_rate' ? String(kpi.metric.within) : DEFAULT_F2_DAYS,
    window: kpi.metric.kind === 'churn_rate' && kpi.metric.window !== null ? String(kpi.metric.window) : '',
    deliveryNumber: kpi.metric.kind === 'continuation_rate' ? String(kpi.metric.deliveryNumber) : DEFAULT_DELIVERY,
    granularity: kpi.granularity,
    target: isRate(kpi.metric.kind) ? toPercent(kpi.target) : String(kpi.target),
    direction: kpi.direction,
    tolerance: toPercent(kpi.tolerance),
    parentId: kpi.parentId ?? '',
  };
}

const wholeDays = (text: string, max: number) => /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= max;

/** The problems the console can tell before asking the server, in the operator's language. */
function checkDraft(t: Messages, draft: KpiDraft): FieldErrors {
  const e = t.analytics.kpis.manage.errors;
  const errors: FieldErrors = {};
  if (draft.name.trim() === '') errors.name = e.required;
  else if (draft.name.trim().length > 100) errors.name = e.tooLong;
  const target = Number(draft.target);
  if (draft.target.trim() === '') errors.target = e.required;
  else if (!Number.isFinite(target) || target <= 0) errors.target = e.positive;
  else if (isRate(draft.metric) && target > 100) errors.target = e.rate;
  const tolerance = Number(draft.tolerance);
  if (draft.tolerance.trim() === '' || !Number.isFinite(tolerance) || tolerance < 0 || tolerance > 50) errors.tolerance = e.tolerance;
  if (hasWithin(draft.metric) && !wholeDays(draft.within, MAX_F2_DAYS)) errors.within = e.days(String(MAX_F2_DAYS));
  if (draft.metric === 'continuation_rate' && !wholeDays(draft.deliveryNumber, MAX_DELIVERY)) errors.deliveryNumber = e.delivery(String(MAX_DELIVERY));
  if (draft.metric === 'churn_rate' && draft.window !== '' && !wholeDays(draft.window, MAX_CHURN_DAYS)) errors.window = e.days(String(MAX_CHURN_DAYS));
  return errors;
}

function bodyOf(draft: KpiDraft) {
  const metric =
    draft.metric === 'f2_rate' || draft.metric === 'step_up_rate'
      ? { kind: draft.metric, within: Number(draft.within) }
      : draft.metric === 'churn_rate'
        ? { kind: 'churn_rate' as const, window: draft.window === '' ? null : Number(draft.window) }
        : draft.metric === 'continuation_rate'
          ? { kind: 'continuation_rate' as const, deliveryNumber: Number(draft.deliveryNumber) }
          : { kind: draft.metric };
  return {
    name: draft.name.trim(),
    metric,
    granularity: draft.granularity,
    target: isRate(draft.metric) ? fromPercent(draft.target) : Number(draft.target),
    direction: draft.direction,
    tolerance: fromPercent(draft.tolerance),
    parentId: draft.parentId === '' ? null : draft.parentId,
  };
}

const SERVER_FIELDS: Record<string, FieldName> = {
  name: 'name',
  metric: 'metric',
  'metric.within': 'within',
  'metric.window': 'window',
  'metric.deliveryNumber': 'deliveryNumber',
  granularity: 'granularity',
  target: 'target',
  direction: 'direction',
  tolerance: 'tolerance',
  parentId: 'parentId',
};

/**
 * The server's refusal put beside the fields it names: a 400 lists `{ field: "body.target" }`
 * issues, a 422 "target: reason" problems, a 409 is about the name (taken). The rest goes above the form.
 */
function serverErrors(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return { form: String(error) };
  if (error.code === 'conflict') return { name: error.message };
  const details = (error.details ?? {}) as { issues?: { field: string; reason: string }[]; problems?: string[] };
  const named = [
    ...(details.issues ?? []).map((issue) => ({ field: issue.field.replace(/^body\.?/, ''), reason: issue.reason })),
    ...(details.problems ?? []).map((problem) => {
      const at = problem.indexOf(': ');
      return { field: problem.slice(0, at), reason: problem.slice(at + 2) };
    }),
  ];
  const errors: FieldErrors = {};
  for (const { field, reason } of named) {
    const name = SERVER_FIELDS[field] ?? 'form';
    errors[name] = errors[name] ? `${errors[name]} ${reason}` : reason;
  }
  return Object.keys(errors).length > 0 ? errors : { form: error.message };
}

/** KPIの設定: the KPIs as a tree with edit and remove, and a form to add one. Only for roles that may write. */
export function KpiManager({ onChanged }: { onChanged(): void }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const m = t.analytics.kpis.manage;
  const kpis = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/kpis', {
          params: { path: { workspace: workspace.name } },
          signal,
        }),
      ),
    [workspace.name],
  );
  const [open, setOpen] = useState<{ kind: 'add' } | { kind: 'edit' | 'remove'; kpi: Kpi } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const changed = (message: string) => {
    setOpen(null);
    setNotice(message);
    kpis.reload();
    onChanged();
  };
  const items = kpis.state === 'ready' ? kpis.data.items : [];
  return (
    <section className="card" aria-labelledby="kpi-manage-heading">
      <div className="card-header">
        <h2 id="kpi-manage-heading">{m.title}</h2>
        {open?.kind !== 'add' && (
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setNotice(null);
              setOpen({ kind: 'add' });
            }}
          >
            {m.add}
          </button>
        )}
      </div>
      <p className="muted">{m.lead}</p>
      {notice && (
        <p className="alert alert-ok" role="status">
          {notice}
        </p>
      )}
      {kpis.state === 'loading' && <Loading />}
      {kpis.state === 'failed' && <Failure error={kpis.error} retry={kpis.reload} />}
      {open?.kind === 'add' && <KpiForm kpis={items} onDone={(name) => changed(m.added(name))} onCancel={() => setOpen(null)} />}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table-compact" aria-label={m.tableLabel}>
            <thead>
              <tr>
                <th scope="col">{m.columns.name}</th>
                <th scope="col">{m.columns.metric}</th>
                <th scope="col">{m.columns.granularity}</th>
                <th scope="col" className="num">
                  {m.columns.target}
                </th>
                <th scope="col">{m.columns.direction}</th>
                <th scope="col" className="num">
                  {m.columns.tolerance}
                </th>
                <th scope="col">{m.columns.actions}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((kpi) => (
                <tr key={kpi.id} data-kpi={kpi.name}>
                  <td style={{ paddingLeft: `${0.5 + kpi.depth * 1.25}rem` }}>{kpi.name}</td>
                  <td>{metricLabel(t, kpi.metric)}</td>
                  <td>{t.analytics.controls.granularities[kpi.granularity]}</td>
                  <td className="num">{kpiValue(t, format, kpi.metric.kind, kpi.target)}</td>
                  <td>{m.directions[kpi.direction]}</td>
                  <td className="num">±{format.percent(kpi.tolerance)}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`${m.edit}: ${kpi.name}`}
                      onClick={() => {
                        setNotice(null);
                        setOpen({ kind: 'edit', kpi });
                      }}
                    >
                      {m.edit}
                    </button>
                    <button
                      type="button"
                      className="button button-small button-danger"
                      aria-label={`${m.remove}: ${kpi.name}`}
                      onClick={() => {
                        setNotice(null);
                        setOpen({ kind: 'remove', kpi });
                      }}
                    >
                      {m.remove}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open?.kind === 'edit' && (
        <KpiForm key={open.kpi.id} kpi={open.kpi} kpis={items} onDone={(name) => changed(m.saved(name))} onCancel={() => setOpen(null)} />
      )}
      {open?.kind === 'remove' && <RemoveKpi kpi={open.kpi} kpis={items} onDone={() => changed(m.removed(open.kpi.name))} onCancel={() => setOpen(null)} />}
    </section>
  );
}

/** The KPIs below `kpi` in tree order (the list is depth first). */
function descendantsOf(kpi: Kpi, kpis: readonly Kpi[]): Kpi[] {
  const at = kpis.findIndex((k) => k.id === kpi.id);
  const below: Kpi[] = [];
  for (let i = at + 1; i < kpis.length && kpis[i]!.depth > kpi.depth; i++) below.push(kpis[i]!);
  return below;
}

function RemoveKpi({ kpi, kpis, onDone, onCancel }: { kpi: Kpi; kpis: readonly Kpi[]; onDone(): void; onCancel(): void }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const m = t.analytics.kpis.manage;
  const below = descendantsOf(kpi, kpis);
  const [state, setState] = useState<{ busy: boolean; error?: Error }>({ busy: false });
  const remove = async () => {
    setState({ busy: true });
    try {
      await unwrap(
        api.DELETE('/api/v1/workspaces/{workspace}/analytics/kpis/{kpiId}', {
          params: { path: { workspace: workspace.name, kpiId: kpi.id }, query: { withDescendants: below.length > 0 ? 'true' : 'false' } },
        }),
      );
      onDone();
    } catch (error) {
      setState({ busy: false, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
  return (
    <div className="alert alert-warning" role="alertdialog" aria-label={m.removeAsk(kpi.name)}>
      <strong>{m.removeAsk(kpi.name)}</strong>
      {below.length > 0 && <p>{m.removeWithChildren(format.integer(below.length))}</p>}
      <div className="actions">
        <button type="button" className="button button-danger" disabled={state.busy} onClick={() => void remove()}>
          {m.removeConfirm}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {m.cancel}
        </button>
      </div>
      {state.error && <Failure error={state.error} />}
    </div>
  );
}

function KpiForm({ kpi, kpis, onDone, onCancel }: { kpi?: Kpi; kpis: readonly Kpi[]; onDone(name: string): void; onCancel(): void }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const m = t.analytics.kpis.manage;
  const f = m.fields;
  const [draft, setDraft] = useState<KpiDraft>(() => draftOf(kpi));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const set = (changes: Partial<KpiDraft>) => setDraft((d) => ({ ...d, ...changes }));
  // A KPI cannot sit below itself or below one of its own descendants.
  const excluded = new Set(kpi ? [kpi.id, ...descendantsOf(kpi, kpis).map((k) => k.id)] : []);
  const id = (field: FieldName) => `kpi-${kpi?.id ?? 'new'}-${field}`;

  const submit = async () => {
    const found = checkDraft(t, draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const body = bodyOf(draft);
      const saved = kpi
        ? await unwrap(
            api.PATCH('/api/v1/workspaces/{workspace}/analytics/kpis/{kpiId}', { params: { path: { workspace: workspace.name, kpiId: kpi.id } }, body }),
          )
        : await unwrap(api.POST('/api/v1/workspaces/{workspace}/analytics/kpis', { params: { path: { workspace: workspace.name } }, body }));
      onDone(saved.name);
    } catch (error) {
      setErrors(serverErrors(error));
      setBusy(false);
    }
  };

  const field = (name: FieldName, label: string, control: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode) => (
    <div className="field">
      <label htmlFor={id(name)}>{label}</label>
      {control({ id: id(name), 'aria-invalid': errors[name] !== undefined, ...(errors[name] ? { 'aria-describedby': `${id(name)}-error` } : {}) })}
      {errors[name] && (
        <span id={`${id(name)}-error`} className="field-error">
          {errors[name]}
        </span>
      )}
    </div>
  );

  return (
    <form
      className="kpi-form"
      aria-label={kpi ? m.editTitle(kpi.name) : m.add}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {kpi && <h3>{m.editTitle(kpi.name)}</h3>}
      {errors.form && (
        <p className="alert alert-error" role="alert">
          <strong>{m.otherProblem}</strong> {errors.form}
        </p>
      )}
      <div className="form-grid">
        {field('name', f.name, (p) => (
          <input {...p} type="text" maxLength={100} value={draft.name} onChange={(e) => set({ name: e.target.value })} />
        ))}
        {field('metric', f.metric, (p) => (
          <select
            {...p}
            value={draft.metric}
            onChange={(e) => {
              const metric = METRICS.find((v) => v === e.target.value) ?? draft.metric;
              set({ metric, direction: defaultDirection(metric) });
            }}
          >
            {METRICS.map((v) => (
              <option key={v} value={v}>
                {t.analytics.kpis.metrics[v]}
              </option>
            ))}
          </select>
        ))}
        {hasWithin(draft.metric) &&
          field('within', draft.metric === 'f2_rate' ? f.within : f.stepUpWithin, (p) => (
            <input {...p} type="number" min={1} max={MAX_F2_DAYS} step={1} value={draft.within} onChange={(e) => set({ within: e.target.value })} />
          ))}
        {draft.metric === 'continuation_rate' &&
          field('deliveryNumber', f.deliveryNumber, (p) => (
            <input
              {...p}
              type="number"
              min={1}
              max={MAX_DELIVERY}
              step={1}
              value={draft.deliveryNumber}
              onChange={(e) => set({ deliveryNumber: e.target.value })}
            />
          ))}
        {draft.metric === 'churn_rate' &&
          field('window', f.window, (p) => (
            <input {...p} type="number" min={1} max={MAX_CHURN_DAYS} step={1} value={draft.window} onChange={(e) => set({ window: e.target.value })} />
          ))}
        {field('granularity', f.granularity, (p) => (
          <select {...p} value={draft.granularity} onChange={(e) => set({ granularity: e.target.value === 'week' ? 'week' : 'month' })}>
            <option value="month">{t.analytics.controls.granularities.month}</option>
            <option value="week">{t.analytics.controls.granularities.week}</option>
          </select>
        ))}
        {field('target', isRate(draft.metric) ? f.targetRate : f.target, (p) => (
          <input {...p} type="number" min={0} step="any" inputMode="decimal" value={draft.target} onChange={(e) => set({ target: e.target.value })} />
        ))}
        {field('direction', f.direction, (p) => (
          <select
            {...p}
            value={draft.direction}
            onChange={(e) => set({ direction: e.target.value === 'lower_is_better' ? 'lower_is_better' : 'higher_is_better' })}
          >
            <option value="higher_is_better">{m.directions.higher_is_better}</option>
            <option value="lower_is_better">{m.directions.lower_is_better}</option>
          </select>
        ))}
        {field('tolerance', f.tolerance, (p) => (
          <input
            {...p}
            type="number"
            min={0}
            max={50}
            step="any"
            inputMode="decimal"
            value={draft.tolerance}
            onChange={(e) => set({ tolerance: e.target.value })}
          />
        ))}
        {field('parentId', f.parent, (p) => (
          <select {...p} value={draft.parentId} onChange={(e) => set({ parentId: e.target.value })}>
            <option value="">{m.noParent}</option>
            {kpis
              .filter((k) => !excluded.has(k.id))
              .map((k) => (
                <option key={k.id} value={k.id}>{`${'　'.repeat(k.depth)}${k.name}`}</option>
              ))}
          </select>
        ))}
      </div>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? (kpi ? m.saving : m.adding) : kpi ? m.save : m.add}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {m.cancel}
        </button>
      </div>
    </form>
  );
}
