import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import { labelOf, useI18n } from '../i18n/i18n.tsx';
import { cellName, type JourneyMap } from '../journey/journey-names.ts';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type CustomerJourney = Schemas['CustomerJourney'];

/**
 * The customer's place on the journey map: the current cell (stage × level, since when) and the
 * path, newest move first, each with its cause (the order, event or subscription that moved the
 * customer, time passing, a new map, or history replayed). Names come from the map version the
 * placement was made with.
 */
export function JourneyCard({ customerId }: { customerId: string }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const c = t.journey.card;
  const journey = useApiData(
    async (signal) => {
      const path = { workspace: workspace.name };
      const placement = await unwrap(
        api.GET('/api/v1/workspaces/{workspace}/customers/{id}/journey', { params: { path: { ...path, id: customerId } }, signal }),
      );
      const version =
        placement.mapVersion === null
          ? null
          : await unwrap(
              api.GET('/api/v1/workspaces/{workspace}/journey/versions/{version}', { params: { path: { ...path, version: placement.mapVersion } }, signal }),
            );
      return { placement, map: version?.map ?? null };
    },
    [workspace.name, customerId],
  );
  return (
    <section className="card" aria-labelledby="customer-journey-heading">
      <div className="card-header">
        <h2 id="customer-journey-heading">{c.title}</h2>
        <Link to={`/w/${encodeURIComponent(workspace.name)}/journey`}>{c.openMap}</Link>
      </div>
      {journey.state === 'loading' && <Loading />}
      {journey.state === 'failed' && <Failure error={journey.error} retry={journey.reload} />}
      {journey.state === 'ready' && <JourneyPath placement={journey.data.placement} map={journey.data.map} />}
    </section>
  );
}

function JourneyPath({ placement, map }: { placement: CustomerJourney; map: JourneyMap | null }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.journey.card;
  if (placement.mapVersion === null && placement.moves.length === 0) return <p className="muted">{c.noMap}</p>;
  return (
    <>
      <h3>{c.current}</h3>
      {placement.cell ? (
        <p className="journey-current">
          <strong>{cellName(t, map, placement.cell)}</strong> <span className="muted">{c.since(format.dateTime(placement.cell.since))}</span>
        </p>
      ) : (
        <p className="muted">{c.notPlaced}</p>
      )}
      <h3>{c.path}</h3>
      {placement.moves.length === 0 ? (
        <p className="muted">{c.noMoves}</p>
      ) : (
        <div className="table-wrap">
          <table aria-label={c.path}>
            <thead>
              <tr>
                <th scope="col">{c.columns.movedAt}</th>
                <th scope="col">{c.columns.move}</th>
                <th scope="col">{c.columns.kind}</th>
                <th scope="col">{c.columns.cause}</th>
              </tr>
            </thead>
            <tbody>
              {placement.moves.map((move, index) => (
                <tr key={`${move.movedAt}-${index}`}>
                  <td className="nowrap">{format.dateTime(move.movedAt)}</td>
                  <td>{move.from === null ? c.entered(cellName(t, map, move.to)) : c.moved(cellName(t, map, move.from), cellName(t, map, move.to))}</td>
                  <td>
                    <span className={`badge badge-flow-${move.kind}`}>{labelOf(t.journey.kinds, move.kind)}</span>
                  </td>
                  <td>
                    {labelOf(c.causes, move.cause)}
                    {move.causeRef && <span className="mono"> {move.causeRef}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
