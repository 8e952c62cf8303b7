import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import { labelOf, useI18n } from '../i18n/i18n.tsx';
import { cellCustomersPath, cellName, type JourneyMap } from '../journey/journey-names.ts';
import { NoJourneyMap } from '../journey/no-map.tsx';
import { useActiveMapAnd } from '../journey/use-active-map.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type Coverage = Schemas['JourneyCoverage'];
type CoverageCell = Coverage['cells'][number];

/**
 * 漏れなく (/w/:workspace/journey/coverage): the cells nobody serves with how many stand in them,
 * the cells served on paper only (measures written, none in use), every cell's service, and the
 * check that the cells add up to every customer and lead.
 */
export function JourneyCoveragePage() {
  const { t } = useI18n();
  const data = useActiveMapAnd((path, signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/journey/coverage', { params: { path }, signal })));
  if (data.state === 'loading') return <Loading />;
  if (data.state === 'failed') return <Failure error={data.error} retry={data.reload} />;
  const { view, extra: coverage } = data.data;
  if (view.map === null || coverage === null) return <NoJourneyMap />;
  return (
    <>
      <h1>{t.journey.pages.coverage}</h1>
      <p className="muted">{t.journey.coverage.lead}</p>
      <CoverageReport map={view.map} coverage={coverage} />
    </>
  );
}

function CoverageReport({ map, coverage }: { map: JourneyMap; coverage: Coverage }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.journey.coverage;
  const { check } = coverage;
  return (
    <>
      <p className={check.addsUp ? 'alert alert-ok' : 'alert alert-warning'} role={check.addsUp ? 'status' : 'alert'}>
        {check.addsUp
          ? c.checkAddsUp(format.integer(check.profiles), format.integer(check.placed))
          : c.checkFails(format.integer(check.profiles), format.integer(check.placed))}
      </p>
      <section className="card" aria-labelledby="coverage-uncovered">
        <h2 id="coverage-uncovered">{c.uncovered}</h2>
        {coverage.uncovered.length === 0 ? (
          <p className="muted">{c.noneUncovered}</p>
        ) : (
          <>
            <p>{c.uncoveredLead(format.integer(coverage.uncoveredCustomers))}</p>
            <CellTable map={map} cells={coverage.uncovered} label={c.uncovered} />
          </>
        )}
      </section>
      <section className="card" aria-labelledby="coverage-paper-only">
        <h2 id="coverage-paper-only">{c.paperOnly}</h2>
        {coverage.notYetServed.length === 0 ? (
          <p className="muted">{c.nonePaperOnly}</p>
        ) : (
          <>
            <p>{c.paperOnlyLead}</p>
            <CellTable map={map} cells={coverage.notYetServed} label={c.paperOnly} measures />
          </>
        )}
      </section>
      <section className="card" aria-labelledby="coverage-all">
        <h2 id="coverage-all">{c.all}</h2>
        <CellTable map={map} cells={coverage.cells} label={c.all} measures service />
      </section>
    </>
  );
}

function CellTable({
  map,
  cells,
  label,
  measures = false,
  service = false,
}: {
  map: JourneyMap;
  cells: Array<Pick<CoverageCell, 'stage' | 'level' | 'customers' | 'measures' | 'inUse'> & { service: string }>;
  label: string;
  measures?: boolean;
  service?: boolean;
}) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const c = t.journey.coverage;
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">{c.columns.cell}</th>
            {service && <th scope="col">{t.journey.panel.measures}</th>}
            <th scope="col" className="num">
              {c.columns.customers}
            </th>
            {measures && (
              <>
                <th scope="col" className="num">
                  {c.columns.measures}
                </th>
                <th scope="col" className="num">
                  {c.columns.inUse}
                </th>
              </>
            )}
            <th scope="col">{c.columns.customersLink}</th>
          </tr>
        </thead>
        <tbody>
          {cells.map((cell) => {
            const name = cellName(t, map, cell);
            return (
              <tr key={`${cell.stage}.${cell.level}`}>
                <th scope="row">{name}</th>
                {service && (
                  <td>
                    <span className={`badge badge-service-${cell.service}`}>{labelOf(c.service, cell.service)}</span>
                  </td>
                )}
                <td className="num">{format.integer(cell.customers)}</td>
                {measures && (
                  <>
                    <td className="num">{format.integer(cell.measures)}</td>
                    <td className="num">{format.integer(cell.inUse)}</td>
                  </>
                )}
                <td>
                  <Link to={cellCustomersPath(workspace.name, cell)} aria-label={c.openCustomers(name)}>
                    {t.journey.panel.customersLink}
                  </Link>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
