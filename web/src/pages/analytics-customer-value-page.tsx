import { useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { customerColumns } from '../analytics/customer-columns.tsx';
import { addDays } from '../analytics/dates.ts';
import { Histograms, ParametersCard } from '../analytics/model-cards.tsx';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import { DataEndsNotice } from '../analytics/data-ends-notice.tsx';
import { useToday } from '../analytics/data-end.ts';
import { Stat } from '../components/stat.tsx';
import { Failure } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { canWrite } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

type Run = Schemas['StoredCustomerValueRun'];
type RunResult = Schemas['CustomerValueRunResult'];
type CustomerValue = Schemas['CustomerValue'];

const TOP_CUSTOMERS = 20;

/** The stored run with its distributions, or undefined for a run stored before Kizuna kept them. */
function resultOf(run: Run): RunResult | undefined {
  const { repeatCustomers, totalClv, clv, probabilityAlive, spendModel, marginSource } = run;
  return repeatCustomers !== null && totalClv !== null && clv !== null && probabilityAlive !== null && spendModel !== null && marginSource !== null
    ? { ...run, repeatCustomers, totalClv, clv, probabilityAlive, spendModel, marginSource }
    : undefined;
}

/** 顧客価値(LTV): the BG/NBD + Gamma-Gamma run, its distributions and the most valuable customers. */
export function AnalyticsCustomerValuePage() {
  return (
    <AnalyticsPage page="customerValue" topics={['purchase', 'clv']}>
      {() => <CustomerValue />}
    </AnalyticsPage>
  );
}

function CustomerValue() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const role = useRole();
  const cv = t.analytics.customerValue;
  const run = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/customer-value', {
          params: { path: { workspace: workspace.name } },
          signal,
        }),
      ),
    [workspace.name],
  );
  const settings = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/analytics/settings', { params: { path: { workspace: workspace.name } }, signal })),
    [workspace.name],
  );
  // The stored run is the run just made, distributions included.
  const onRun = () => run.reload();
  const writer = canWrite(role);
  const margin = settings.state === 'ready' ? settings.data.clvMargin : null;
  const marginCard = <WhenLoaded data={settings}>{(current) => <MarginSetting margin={current.clvMargin} onSaved={settings.reload} />}</WhenLoaded>;
  return (
    <WhenLoaded data={run}>
      {(current) => {
        if (!current) {
          return (
            <>
              <div className="alert alert-info" role="status">
                <strong>{cv.noRun}</strong>
                <p>{writer ? cv.noRunWrite : cv.noRunRead}</p>
              </div>
              {marginCard}
              {writer && <RunForm onRun={onRun} settingMargin={margin} />}
            </>
          );
        }
        const result = resultOf(current);
        return (
          <>
            <DataEndsNotice dataEndsOn={current.dataEndsOn} asOf={addDays(current.calibrationEnd, 1)} />
            <RunSummary run={current} result={result} />
            {current.spendModel && <SpendModelNote model={current.spendModel} />}
            {result ? <Histograms result={result} /> : <p className="alert alert-info">{cv.distributionAfterRun}</p>}
            <ParametersCard run={current} />
            <TopCustomers computedAt={current.computedAt} margin={current.margin} />
            {marginCard}
            {writer && <RunForm onRun={onRun} previous={current} settingMargin={margin} />}
          </>
        );
      }}
    </WhenLoaded>
  );
}

/** How the expected spends were computed: Gamma-Gamma, or the stated fallback and why, in words. */
function SpendModelNote({ model }: { model: NonNullable<Run['spendModel']> }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const cv = t.analytics.customerValue;
  const mean = format.money(Math.round(model.populationMean));
  if (model.method === 'gamma_gamma') return <p className="muted">{`${cv.spendModel}: ${cv.spendGammaGamma(mean)}`}</p>;
  return (
    <div className="alert alert-warning" role="status">
      <strong>{cv.spendModel}</strong>
      <p>
        {model.reason ? cv.spendFallback[model.reason] : ''} {cv.spendShrunk(format.integer(model.shrinkagePurchases ?? 0), mean)}
      </p>
    </div>
  );
}

/** The workspace's margin, which every run uses unless one is entered with it; none is assumed. */
function MarginSetting({ margin, onSaved }: { margin: number | null; onSaved(): void }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const role = useRole();
  const cv = t.analytics.customerValue;
  const [draft, setDraft] = useState(margin === null ? '' : String(margin));
  const [state, setState] = useState<{ saving: boolean; saved?: boolean; error?: Error }>({ saving: false });
  const value = Number(draft);
  const valid = draft.trim() !== '' && value > 0 && value <= 1;
  const save = async () => {
    setState({ saving: true });
    try {
      await unwrap(
        api.PUT('/api/v1/workspaces/{workspace}/analytics/settings', { params: { path: { workspace: workspace.name } }, body: { clvMargin: value } }),
      );
      setState({ saving: false, saved: true });
      onSaved();
    } catch (error) {
      setState({ saving: false, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
  return (
    <section className="card" aria-labelledby="cv-margin-heading">
      <h2 id="cv-margin-heading">{cv.marginTitle}</h2>
      <p className="muted">{cv.marginNote}</p>
      {margin === null ? (
        <p className="alert alert-warning">{cv.marginNotSet}</p>
      ) : (
        <p>
          <strong>{format.percent(margin, 0)}</strong>
        </p>
      )}
      {canWrite(role) && (
        <form
          className="window-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (valid) void save();
          }}
        >
          <label className="field field-narrow">
            <span>{cv.marginInput}</span>
            <input type="number" min={0.01} max={1} step={0.01} value={draft} onChange={(e) => setDraft(e.target.value)} />
          </label>
          <button type="submit" className="button button-primary" disabled={!valid || state.saving}>
            {cv.saveMargin}
          </button>
          {state.saved && (
            <p className="alert alert-ok" role="status">
              {cv.marginSaved}
            </p>
          )}
          {state.error && <Failure error={state.error} />}
        </form>
      )}
    </section>
  );
}

function RunForm({ onRun, previous, settingMargin }: { onRun(): void; previous?: Run; settingMargin: number | null }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const today = useToday();
  const cv = t.analytics.customerValue;
  const [terms, setTerms] = useState({
    // Yesterday in the workspace's time zone (the server's clock), the API's default; where the data ends earlier the run says so (dataEndsOn).
    calibrationEnd: addDays(today ?? new Date().toISOString().slice(0, 10), -1),
    unit: previous?.unit ?? 'week',
    horizonMonths: String(previous?.horizonMonths ?? 12),
    // Blank: the workspace's setting. Only a margin given with the previous run is offered again.
    margin: previous?.marginSource === 'given' ? String(previous.margin) : '',
    discountRate: String(previous?.discountRate ?? 0.01),
  });
  const [state, setState] = useState<{ running: boolean; error?: Error }>({ running: false });
  const run = async () => {
    setState({ running: true });
    const body = {
      calibrationEnd: terms.calibrationEnd,
      unit: terms.unit,
      horizonMonths: Number(terms.horizonMonths),
      ...(terms.margin.trim() === '' ? {} : { margin: Number(terms.margin) }),
      discountRate: Number(terms.discountRate),
    };
    try {
      await unwrap(api.POST('/api/v1/workspaces/{workspace}/analytics/customer-value', { params: { path: { workspace: workspace.name } }, body }));
      setState({ running: false });
      onRun();
    } catch (error) {
      setState({ running: false, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
  const set = (name: keyof typeof terms) => (e: { target: { value: string } }) => setTerms({ ...terms, [name]: e.target.value });
  return (
    <section className="card" aria-labelledby="cv-run-heading">
      <h2 id="cv-run-heading">{previous ? cv.rerun : cv.terms}</h2>
      <form
        className="run-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label className="field">
          <span>{cv.calibrationEnd}</span>
          <input type="date" value={terms.calibrationEnd} onChange={set('calibrationEnd')} required />
        </label>
        <label className="field">
          <span>{cv.unit}</span>
          <select value={terms.unit} onChange={(e) => setTerms({ ...terms, unit: e.target.value === 'day' ? 'day' : 'week' })}>
            <option value="week">{cv.units.week}</option>
            <option value="day">{cv.units.day}</option>
          </select>
        </label>
        <label className="field field-narrow">
          <span>{cv.horizonMonths}</span>
          <input type="number" min={1} max={120} value={terms.horizonMonths} onChange={set('horizonMonths')} required />
        </label>
        <label className="field field-narrow">
          <span>{cv.marginInput}</span>
          <input
            type="number"
            min={0}
            max={1}
            step={0.01}
            value={terms.margin}
            onChange={set('margin')}
            placeholder={settingMargin === null ? '' : String(settingMargin)}
            required={settingMargin === null}
          />
        </label>
        <label className="field field-narrow">
          <span>{cv.discountRate}</span>
          <input type="number" min={0} max={0.99} step={0.001} value={terms.discountRate} onChange={set('discountRate')} required />
        </label>
        <button type="submit" className="button button-primary" disabled={state.running}>
          {state.running ? cv.running : cv.run}
        </button>
      </form>
      {state.running && (
        <p className="status" role="status">
          {cv.running}
        </p>
      )}
      {state.error && (
        <>
          <p className="muted">{cv.refused}</p>
          <Failure error={state.error} />
        </>
      )}
    </section>
  );
}

function RunSummary({ run, result }: { run: Run; result: RunResult | undefined }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const cv = a.customerValue;
  const horizon = a.units.months(format.integer(run.horizonMonths));
  return (
    <>
      <p className="muted">
        {[
          cv.ran(format.dateTime(run.computedAt)),
          `${cv.calibrationEnd}: ${format.calendarDate(run.calibrationEnd)}`,
          `${cv.unit}: ${cv.units[run.unit]}`,
          `${cv.horizonMonths}: ${horizon}`,
          `${cv.margin}: ${format.percent(run.margin, 0)}${run.marginSource ? `(${cv.marginSource[run.marginSource]})` : ''}`,
          `${cv.discountRate}: ${format.percent(run.discountRate, 1)}`,
        ].join(a.text.separator)}
      </p>
      <section className="stats" aria-label={cv.summary}>
        <Stat label={cv.customers} value={a.units.people(format.integer(run.customers))} />
        {result && <Stat label={cv.repeatCustomers} value={a.units.people(format.integer(result.repeatCustomers))} />}
        {result && (
          <Stat
            label={cv.totalClv}
            value={format.money(Math.round(result.totalClv))}
            note={`${horizon}${a.text.separator}${a.customer360.clvMargin(format.percent(run.margin, 0))}`}
            variant="wide"
          />
        )}
        {result && (
          <Stat
            label={cv.meanClv}
            value={format.money(Math.round(result.clv.mean))}
            note={`${cv.medianClv} ${format.money(Math.round(result.clv.median))}${a.text.separator}${a.customer360.clvMargin(format.percent(run.margin, 0))}`}
          />
        )}
        {result && <Stat label={cv.meanAlive} value={format.percent(result.probabilityAlive.mean)} />}
      </section>
      {result?.holdout && (
        <p className="muted">
          {cv.holdout}: {cv.holdoutText(format.integer(result.holdout.days), format.decimal(result.holdout.expected, 0), format.integer(result.holdout.actual))}
        </p>
      )}
    </>
  );
}

function TopCustomers({ computedAt, margin }: { computedAt: string; margin: number }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const cv = t.analytics.customerValue;
  const c = cv.columns;
  const top = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/customer-value/customers', {
          params: { path: { workspace: workspace.name }, query: { limit: TOP_CUSTOMERS } },
          signal,
        }),
      ),
    [workspace.name, computedAt],
  );
  const columns: Column<CustomerValue>[] = [
    ...customerColumns<CustomerValue>(t, workspace.name),
    { label: c.repeatPurchases, value: (v) => v.repeatPurchases, cell: (v) => format.integer(v.repeatPurchases), numeric: true },
    { label: c.probabilityAlive, value: (v) => v.probabilityAlive, cell: (v) => format.percent(v.probabilityAlive), numeric: true },
    { label: c.expectedPurchases, value: (v) => v.expectedPurchases, cell: (v) => format.decimal(v.expectedPurchases, 1), numeric: true },
    { label: c.expectedSpend, value: (v) => v.expectedSpend, cell: (v) => format.money(Math.round(v.expectedSpend)), numeric: true },
    { label: cv.clvWithMargin(format.percent(margin, 0)), value: (v) => v.clv, cell: (v) => format.money(Math.round(v.clv)), numeric: true },
  ];
  return (
    <WhenLoaded data={top}>
      {(page) => (
        <ChartCard
          title={cv.topCustomers}
          rows={page.items}
          columns={columns}
          rowKey={(v) => v.customerId}
          filename={`customer-value-top_${computedAt.slice(0, 10)}`}
        />
      )}
    </WhenLoaded>
  );
}
