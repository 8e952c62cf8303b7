import { useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { customerColumns } from '../analytics/customer-columns.tsx';
import { addDays } from '../analytics/dates.ts';
import { Histograms, ParametersCard } from '../analytics/model-cards.tsx';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
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
  const { repeatCustomers, totalClv, clv, probabilityAlive } = run;
  return repeatCustomers !== null && totalClv !== null && clv !== null && probabilityAlive !== null
    ? { ...run, repeatCustomers, totalClv, clv, probabilityAlive }
    : undefined;
}

/** 顧客価値(LTV): the BG/NBD + Gamma-Gamma run, its distributions and the most valuable customers. */
export function AnalyticsCustomerValuePage() {
  return (
    <AnalyticsPage page="customerValue" topics={['purchase', 'clv']}>
      {(dataEnd) => <CustomerValue dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function CustomerValue({ dataEnd }: { dataEnd: string }) {
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
  // The stored run is the run just made, distributions included.
  const onRun = () => run.reload();
  const writer = canWrite(role);
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
              {writer && <RunForm dataEnd={dataEnd} onRun={onRun} />}
            </>
          );
        }
        const result = resultOf(current);
        return (
          <>
            <RunSummary run={current} result={result} />
            {result ? <Histograms result={result} /> : <p className="alert alert-info">{cv.distributionAfterRun}</p>}
            <ParametersCard run={current} />
            <TopCustomers computedAt={current.computedAt} />
            {writer && <RunForm dataEnd={dataEnd} onRun={onRun} previous={current} />}
          </>
        );
      }}
    </WhenLoaded>
  );
}

function RunForm({ dataEnd, onRun, previous }: { dataEnd: string; onRun(): void; previous?: Run }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const cv = t.analytics.customerValue;
  const [terms, setTerms] = useState({
    calibrationEnd: addDays(dataEnd, -1),
    unit: previous?.unit ?? 'week',
    horizonMonths: String(previous?.horizonMonths ?? 12),
    margin: String(previous?.margin ?? 1),
    discountRate: String(previous?.discountRate ?? 0.01),
  });
  const [state, setState] = useState<{ running: boolean; error?: Error }>({ running: false });
  const run = async () => {
    setState({ running: true });
    const body = {
      calibrationEnd: terms.calibrationEnd,
      unit: terms.unit,
      horizonMonths: Number(terms.horizonMonths),
      margin: Number(terms.margin),
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
          <input type="number" min={0} max={1} step={0.01} value={terms.margin} onChange={set('margin')} required />
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
          `${cv.margin}: ${format.percent(run.margin, 0)}`,
          `${cv.discountRate}: ${format.percent(run.discountRate, 1)}`,
        ].join(a.text.separator)}
      </p>
      <section className="stats" aria-label={cv.summary}>
        <Stat label={cv.customers} value={a.units.people(format.integer(run.customers))} />
        {result && <Stat label={cv.repeatCustomers} value={a.units.people(format.integer(result.repeatCustomers))} />}
        {result && <Stat label={cv.totalClv} value={format.money(Math.round(result.totalClv))} note={horizon} variant="wide" />}
        {result && (
          <Stat label={cv.meanClv} value={format.money(Math.round(result.clv.mean))} note={`${cv.medianClv} ${format.money(Math.round(result.clv.median))}`} />
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

function TopCustomers({ computedAt }: { computedAt: string }) {
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
    { label: c.clv, value: (v) => v.clv, cell: (v) => format.money(Math.round(v.clv)), numeric: true },
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
