import { useState, type ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { customerColumns } from '../analytics/customer-columns.tsx';
import { orNone } from '../analytics/labels.ts';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import { AsOfField, useAsOfQuery } from '../analytics/period-controls.tsx';
import { countUpTo, useQueryDraft } from '../analytics/search-params.ts';
import { Stat } from '../components/stat.tsx';
import { Failure } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { canWrite } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { PagedListFooter, usePagedList, type PagedList } from '../analytics/paged-list.tsx';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

type ChurnList = Schemas['ChurnList'];
type Listed = Extract<ChurnList, { outcome: 'listed' }>;
type ChurnedCustomer = Schemas['ChurnedCustomer'];
type ChurnWindow = Schemas['ChurnWindow'];

const PAGE_SIZE = 50;
const MAX_WINDOW_DAYS = 3650;

/** 離反: the churn rate, the window (proposal vs setting) and the churned customers, most valuable first. */
export function AnalyticsChurnPage() {
  return (
    <AnalyticsPage page="churn" topics={['purchase', 'churn']}>
      {(dataEnd) => <ChurnAnalysis dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function ChurnAnalysis({ dataEnd }: { dataEnd: string }) {
  const { workspace } = useCurrentWorkspace();
  const { asOf, setAsOf, query } = useAsOfQuery(dataEnd);
  const window = countUpTo(query.get('window'), MAX_WINDOW_DAYS);
  const path = { workspace: workspace.name };
  // A saved setting changes the window the list uses when none is given here.
  const [settingsVersion, setSettingsVersion] = useState(0);
  const windowInfo = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/churn/window', {
          params: { path, query: { asOf } },
          signal,
        }),
      ),
    [workspace.name, asOf],
  );
  const onSaved = () => {
    windowInfo.reload();
    setSettingsVersion((v) => v + 1);
  };
  return (
    <>
      <div className="toolbar analytics-controls">
        <AsOfField value={asOf} onChange={setAsOf} />
        <WindowField value={window} onChange={(next) => query.set({ window: next === undefined ? undefined : String(next) })} />
      </div>
      <ChurnList
        asOf={asOf}
        window={window}
        settingsVersion={settingsVersion}
        windowCard={<WhenLoaded data={windowInfo}>{(info) => <WindowCard info={info} onSaved={onSaved} />}</WhenLoaded>}
      />
    </>
  );
}

function WindowField({ value, onChange }: { value: number | undefined; onChange(next: number | undefined): void }) {
  const { t } = useI18n();
  const c = t.analytics.churn;
  const [draft, setDraft] = useQueryDraft(
    value,
    (days) => (days === undefined ? '' : String(days)),
    (text) => (text.trim() === '' ? undefined : (countUpTo(text, MAX_WINDOW_DAYS) ?? null)),
    onChange,
  );
  return (
    <label className="field field-narrow">
      <span>{c.windowInput}</span>
      <input type="number" min={1} max={MAX_WINDOW_DAYS} value={draft} placeholder={c.windowDefault} onChange={(e) => setDraft(e.target.value)} />
    </label>
  );
}

/** The first page, then "load more" appends the next ones (keyset cursors). */
function ChurnList({
  asOf,
  window,
  settingsVersion,
  windowCard,
}: {
  asOf: string;
  window: number | undefined;
  settingsVersion: number;
  windowCard: ReactNode;
}) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const c = t.analytics.churn;
  const churned = usePagedList(
    (cursor, signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/churn', {
          params: {
            path: { workspace: workspace.name },
            query: { asOf, limit: PAGE_SIZE, ...(window === undefined ? {} : { window }), ...(cursor ? { cursor } : {}) },
          },
          signal,
        }),
      ),
    (answer) => (answer.outcome === 'listed' ? answer : null),
    [workspace.name, asOf, window, settingsVersion],
  );
  return (
    <WhenLoaded data={churned}>
      {({ first, list }) =>
        first.outcome === 'no_window' ? (
          <>
            <p className="alert alert-info">{c.noWindow}</p>
            {windowCard}
          </>
        ) : (
          <ChurnSummary summary={first} list={list} windowCard={windowCard} />
        )
      }
    </WhenLoaded>
  );
}

function ChurnSummary({ summary, list, windowCard }: { summary: Listed; list: PagedList<ChurnedCustomer>; windowCard: ReactNode }) {
  const { items } = list;
  const { t } = useI18n();
  const { format, workspace } = useCurrentWorkspace();
  const a = t.analytics;
  const c = a.churn;
  const col = c.columns;
  const columns: Column<ChurnedCustomer>[] = [
    ...customerColumns<ChurnedCustomer>(t, workspace.name),
    { label: col.lastPurchase, value: (r) => r.lastPurchaseDay, cell: (r) => format.calendarDate(r.lastPurchaseDay) },
    { label: col.daysSince, value: (r) => r.daysSince, cell: (r) => a.units.days(format.integer(r.daysSince)), numeric: true },
    { label: col.churnedOn, value: (r) => r.churnedOn, cell: (r) => format.calendarDate(r.churnedOn) },
    { label: col.purchases, value: (r) => r.purchases, cell: (r) => format.integer(r.purchases), numeric: true },
    { label: col.totalSpent, value: (r) => r.totalSpent, cell: (r) => format.money(r.totalSpent), numeric: true },
    { label: c.recencyScore, value: (r) => r.recencyScore, cell: (r) => `R${r.recencyScore}`, numeric: true },
  ];
  return (
    <>
      <p className="muted churn-rule">{c.rule}</p>
      <section className="stats" aria-label={c.churnRate}>
        <Stat
          label={c.churnRate}
          value={orNone(t, summary.churnRate, (v) => format.percent(v))}
          note={a.units.people(`${format.integer(summary.churned)} / ${format.integer(summary.customers)}`)}
          variant="wide"
        />
        <Stat label={c.churned} value={a.units.people(format.integer(summary.churned))} />
        <Stat label={c.base} value={a.units.people(format.integer(summary.customers))} />
        <Stat label={c.window} value={a.units.days(format.integer(summary.window.days))} note={c.windowSource[summary.window.source]} />
        <Stat label={c.keptBySubscription} value={a.units.people(format.integer(summary.keptBySubscription))} note={c.keptNote} />
      </section>
      {windowCard}
      {summary.customers === 0 ? (
        <p className="alert alert-info">{a.empty.noCustomers}</p>
      ) : (
        <ChartCard
          title={c.list}
          rows={items}
          columns={columns}
          rowKey={(r) => r.customerId}
          filename={`churned_${summary.asOf}_${summary.window.days}d`}
          note={<p className="muted">{c.shown(format.integer(items.length), format.integer(summary.churned))}</p>}
          footer={<PagedListFooter list={list} empty={<p className="status">{c.none}</p>} />}
        />
      )}
    </>
  );
}

/** Whose gaps the proposal read, and why, in words. */
function populationText(c: Messages['analytics']['churn'], proposal: ChurnWindow['proposal'], integer: (n: number) => string): string {
  const { population } = proposal;
  switch (population.reason) {
    case 'subscribers_left_out':
      return c.population.subscribers_left_out(integer(population.customers), integer(population.subscribers));
    case 'no_subscribers':
      return c.population.no_subscribers(integer(population.customers));
    case 'too_few_gaps':
      return c.population.too_few_gaps(integer(population.customers), integer(population.subscribers), integer(population.minimumGaps));
  }
}

/** The distribution of the gaps as rows of bars (no chart library on this card). */
function GapHistogram({ intervals }: { intervals: ChurnWindow['proposal']['intervals'] }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.analytics.churn;
  const { width, counts } = intervals.histogram;
  const most = Math.max(0, ...counts);
  if (counts.length === 0) return null;
  return (
    <table className="gap-histogram" aria-label={c.histogram}>
      <caption>{c.histogram}</caption>
      <tbody>
        {counts.map((count, i) => (
          <tr key={i}>
            <th scope="row">{c.histogramBin(format.integer(i * width + 1), i === counts.length - 1 ? null : format.integer((i + 1) * width))}</th>
            <td className="numeric">{format.integer(count)}</td>
            <td>
              <span className="gap-bar" style={{ width: `${most === 0 ? 0 : (100 * count) / most}%` }} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The window proposed from the brand's own purchase intervals beside the workspace's setting, which a writer can change. */
function WindowCard({ info, onSaved }: { info: ChurnWindow; onSaved(): void }) {
  const { t } = useI18n();
  const { format, workspace } = useCurrentWorkspace();
  const role = useRole();
  const c = t.analytics.churn;
  const days = (v: number | null) => orNone(t, v, (x) => c.proposalDays(format.decimal(x, 1)));
  const { proposal } = info;
  const [draft, setDraft] = useState(info.churnWindowDays === null ? '' : String(info.churnWindowDays));
  const [state, setState] = useState<{ saving: boolean; saved?: boolean; error?: Error }>({ saving: false });
  const save = async (value: number | null) => {
    setState({ saving: true });
    try {
      await unwrap(
        api.PUT('/api/v1/workspaces/{workspace}/analytics/settings', { params: { path: { workspace: workspace.name } }, body: { churnWindowDays: value } }),
      );
      setState({ saving: false, saved: true });
      setDraft(value === null ? '' : String(value));
      onSaved();
    } catch (error) {
      setState({ saving: false, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
  const draftDays = countUpTo(draft, MAX_WINDOW_DAYS);
  return (
    <section className="card" aria-labelledby="churn-window-heading">
      <h2 id="churn-window-heading">{c.proposalTitle}</h2>
      <p className="muted churn-population">{populationText(c, proposal, format.integer)}</p>
      <div className="window-compare">
        <dl className="definition">
          <dt>{c.proposal}</dt>
          <dd>
            <strong>{proposal.days === null ? c.noProposal : c.proposalDays(format.integer(proposal.days))}</strong>
          </dd>
          <dt>{c.setting}</dt>
          <dd>
            <strong>{info.churnWindowDays === null ? c.noSetting : c.proposalDays(format.integer(info.churnWindowDays))}</strong>
          </dd>
          <dt>{c.gaps}</dt>
          <dd>{format.integer(proposal.intervals.count)}</dd>
          <dt>{c.median}</dt>
          <dd>{days(proposal.intervals.median)}</dd>
          <dt>{c.p75}</dt>
          <dd>{days(proposal.intervals.p75)}</dd>
          <dt>{c.p80}</dt>
          <dd>{days(proposal.intervals.p80)}</dd>
          <dt>{c.p90}</dt>
          <dd>{days(proposal.intervals.p90)}</dd>
          <dt>{c.p95}</dt>
          <dd>{days(proposal.intervals.p95)}</dd>
        </dl>
        {canWrite(role) && (
          <form
            className="window-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (draftDays !== undefined) void save(draftDays);
            }}
          >
            <label className="field field-narrow">
              <span>{c.windowInput}</span>
              <input type="number" min={1} max={MAX_WINDOW_DAYS} value={draft} onChange={(e) => setDraft(e.target.value)} />
            </label>
            <div className="actions">
              <button type="submit" className="button button-primary" disabled={draftDays === undefined || state.saving}>
                {c.saveSetting}
              </button>
              {proposal.days !== null && (
                <button type="button" className="button" disabled={state.saving} onClick={() => void save(proposal.days)}>
                  {c.applyProposal(format.integer(proposal.days))}
                </button>
              )}
              {info.churnWindowDays !== null && (
                <button type="button" className="button button-quiet" disabled={state.saving} onClick={() => void save(null)}>
                  {c.clearSetting}
                </button>
              )}
            </div>
            {state.saved && (
              <p className="alert alert-ok" role="status">
                {c.saved}
              </p>
            )}
            {state.error && <Failure error={state.error} />}
          </form>
        )}
      </div>
      <GapHistogram intervals={proposal.intervals} />
    </section>
  );
}
