import { useId } from 'react';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import type { Format } from '../format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type Report = Schemas['GlobalControlReport'];
type Interval = { difference: number; low: number; high: number };

/** A difference with its sign always shown: +1.8, −0.4 (`text`: its absolute value, formatted). */
function signed(text: string, value: number): string {
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

/** The interval excludes 0: a difference is shown. */
const shown = (interval: Interval) => interval.low > 0 || interval.high < 0;

/**
 * The total effect of CRM: the global control group (no marketing at all) against everyone
 * else over the last 90 days — purchase rate and revenue per customer, each difference with its
 * 95 % interval in words, or "no difference shown yet" while the interval spans 0.
 */
export function GlobalControlCard({ percent }: { percent: number }) {
  const { t } = useI18n();
  const r = t.governance.report;
  const { workspace, format } = useCurrentWorkspace();
  const id = useId();
  const report = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/measurement/global-control', { params: { path: { workspace: workspace.name } }, signal })),
    [workspace.name, percent],
  );
  return (
    <section className="card governance-section" aria-labelledby={`${id}-title`} data-testid="global-control-report">
      <h2 id={`${id}-title`}>{r.title}</h2>
      <WhenLoaded data={report}>{(data) => <ReportBody report={data} format={format} />}</WhenLoaded>
    </section>
  );
}

function ReportBody({ report, format }: { report: Report; format: Format }) {
  const { t } = useI18n();
  const r = t.governance.report;
  const rate = (group: Report['control']) => (group.customers > 0 ? format.percent(group.buyers / group.customers) : t.app.none);
  const money = (value: number | null) => (value === null ? t.app.none : format.money(Math.round(value)));
  const points = (value: number) => r.points(signed(format.decimal(Math.abs(value) * 100, 1, 1), value));
  const yen = (value: number) => signed(format.money(Math.round(Math.abs(value))), value);
  return (
    <>
      <p className="muted small">{r.lead(format.calendarDate(report.from), format.calendarDate(report.to))}</p>
      <div className="table-wrap">
        <table className="table-compact" aria-label={r.tableLabel}>
          <thead>
            <tr>
              <th>{r.columns.group}</th>
              <th className="num">{r.columns.customers}</th>
              <th className="num">{r.columns.buyers}</th>
              <th className="num">{r.columns.rate}</th>
              <th className="num">{r.columns.revenue}</th>
            </tr>
          </thead>
          <tbody>
            {(
              [
                [r.control(format.integer(report.percent)), report.control],
                [r.rest, report.rest],
              ] as const
            ).map(([label, group]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td className="num">{format.integer(group.customers)}</td>
                <td className="num">{format.integer(group.buyers)}</td>
                <td className="num">{rate(group)}</td>
                <td className="num">{money(group.revenuePerCustomer)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="governance-effects" data-testid="global-control-effects">
        {report.purchase === null && report.revenue === null && <li className="muted">{r.notEnough}</li>}
        {report.purchase && (
          <li className={shown(report.purchase) ? 'is-shown' : undefined}>
            {shown(report.purchase)
              ? r.purchase(points(report.purchase.difference), points(report.purchase.low), points(report.purchase.high))
              : r.purchaseUnclear(points(report.purchase.low), points(report.purchase.high))}
          </li>
        )}
        {report.revenue && (
          <li className={shown(report.revenue) ? 'is-shown' : undefined}>
            {shown(report.revenue)
              ? r.revenue(yen(report.revenue.difference), yen(report.revenue.low), yen(report.revenue.high))
              : r.revenueUnclear(yen(report.revenue.low), yen(report.revenue.high))}
          </li>
        )}
        {report.revenue && shown(report.revenue) && report.incrementalRevenue !== null && (
          <li>{r.incremental(format.money(Math.round(report.incrementalRevenue)))}</li>
        )}
      </ul>
      {report.revenue && <p className="muted small">{r.capNote(format.money(Math.round(report.revenue.cap)))}</p>}
    </>
  );
}
