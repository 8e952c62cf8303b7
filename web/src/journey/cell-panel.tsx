import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { Loading } from '../components/status.tsx';
import { labelOf, useI18n } from '../i18n/i18n.tsx';
import { CellScenarioEffects } from '../measurement/cell-effects.tsx';
import type { Loaded } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { cellCustomersPath, cellName, sameCell, type CellKey, type JourneyMap } from './journey-names.ts';

type Flows = Schemas['JourneyFlows'];
type Flow = Flows['flows'][number];
type Measure = NonNullable<JourneyMap['cells'][number]['measures']>[number];

/**
 * The side panel of one cell: its stage and level with their descriptions, how many stand in it
 * and their share, the feelings, the measures (or the decision not to contact, with its reason),
 * the scenarios that start on entering it with their verified effect, the flows into and out of it over the period, the step-downs leaving it with the events that
 * preceded them, and the link to the customers standing in it.
 */
export function CellPanel({
  map,
  cell,
  customers,
  profiles,
  flows,
  onClose,
}: {
  map: JourneyMap;
  cell: CellKey;
  customers: number;
  profiles: number;
  flows: Loaded<Flows>;
  onClose(): void;
}) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const p = t.journey.panel;
  const stage = map.stages.find((s) => s.key === cell.stage);
  const level = map.levels.find((l) => l.key === cell.level);
  const plan = map.cells.find((c) => sameCell(c, cell));
  const title = cellName(t, map, cell);
  const heading = useRef<HTMLHeadingElement>(null);
  // Opening a cell moves the focus to its panel, so a keyboard user lands on what they chose.
  useEffect(() => heading.current?.focus(), [cell.stage, cell.level]);
  return (
    <aside className="journey-panel card" aria-labelledby="journey-panel-title">
      <div className="card-header">
        <h2 id="journey-panel-title" ref={heading} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" className="button button-quiet" onClick={onClose} aria-label={p.close}>
          ✕
        </button>
      </div>
      <dl className="journey-facts">
        <dt>{p.stage}</dt>
        <dd>
          <strong>{stage?.name ?? cell.stage}</strong>
          {stage?.description && <p className="muted">{stage.description}</p>}
        </dd>
        <dt>{p.level}</dt>
        <dd>
          <strong>{level?.name ?? cell.level}</strong>
          {level?.description && <p className="muted">{level.description}</p>}
        </dd>
        <dt>{p.customers}</dt>
        <dd className="journey-count">{t.journey.diagram.customers(format.integer(customers))}</dd>
        <dt>{p.share}</dt>
        <dd className="journey-count">{profiles > 0 ? format.percent(customers / profiles) : t.app.none}</dd>
      </dl>
      {plan?.goal && <p className="badge badge-goal">★ {p.goalCell}</p>}
      <h3>{p.feelings}</h3>
      <p className={plan?.feelings ? 'journey-feelings' : 'muted'}>{plan?.feelings || p.noFeelings}</p>
      <h3>{p.measures}</h3>
      <CellService noContact={plan?.noContact?.reason} measures={plan?.measures ?? []} />
      <CellScenarioEffects cell={cell} />
      {flows.state === 'loading' && <Loading />}
      {flows.state === 'failed' && <p className="alert alert-error">{flows.error.message}</p>}
      {flows.state === 'ready' && <CellFlows map={map} cell={cell} flows={flows.data} />}
      <p className="journey-panel-link">
        <Link className="button button-primary" to={cellCustomersPath(workspace.name, cell)}>
          {p.customersLink} →
        </Link>
      </p>
    </aside>
  );
}

function CellService({ noContact, measures }: { noContact: string | undefined; measures: Measure[] }) {
  const { t } = useI18n();
  const p = t.journey.panel;
  const d = t.journey.diagram;
  if (noContact !== undefined)
    return (
      <div className="journey-no-contact">
        <strong>{p.noContact}</strong>
        <p>{p.noContactReason(noContact)}</p>
      </div>
    );
  if (measures.length === 0) return <p className="alert alert-warning">{p.noMeasures}</p>;
  return (
    <ul className="journey-measures" aria-label={p.measures}>
      {measures.map((measure, index) => (
        <li key={`${measure.name}-${index}`} className="journey-measure">
          <div className="journey-measure-head">
            <strong>{measure.name}</strong>
            <span className={`badge badge-measure-${measure.status}`}>{d.statuses[measure.status]}</span>
          </div>
          {measure.purpose && <p className="muted">{measure.purpose}</p>}
          <dl className="journey-measure-facts">
            <dt>{p.measureColumns.department}</dt>
            <dd>{labelOf(t.charter.departments, measure.department)}</dd>
            <dt>{p.measureColumns.via}</dt>
            <dd>{[measure.channel ? d.channels[measure.channel] : null, measure.solution].filter(Boolean).join(' / ')}</dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}

function CellFlows({ map, cell, flows }: { map: JourneyMap; cell: CellKey; flows: Flows }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const p = t.journey.panel;
  const into = flows.flows.filter((flow) => sameCell(flow.to, cell) && !sameCell(flow.from, cell));
  const out = flows.flows.filter((flow) => sameCell(flow.from, cell) && !sameCell(flow.to, cell));
  const stepDowns = flows.stepDowns.filter((pattern) => sameCell(pattern.from, cell));
  const name = (key: CellKey | null) => (key === null ? p.newlyPlaced : cellName(t, map, key));
  return (
    <>
      <p className="muted">{t.journey.period.showing(format.calendarDate(flows.from), format.calendarDate(flows.to))}</p>
      <FlowTable title={p.flowsIn} flows={into} cellOf={(flow) => name(flow.from)} />
      <FlowTable title={p.flowsOut} flows={out} cellOf={(flow) => name(flow.to)} />
      <h3>{p.stepDowns}</h3>
      {stepDowns.length === 0 ? (
        <p className="muted">{p.noStepDowns}</p>
      ) : (
        <ul className="journey-step-downs">
          {stepDowns.map((pattern) => (
            <li key={`${pattern.to.stage}:${pattern.to.level}`}>
              <strong className="journey-step-down">{p.stepDownTo(name(pattern.to), format.integer(pattern.customers))}</strong>
              {pattern.eventsBefore.length === 0 ? (
                <p className="muted">{p.noPrecedingEvents}</p>
              ) : (
                <>
                  <table aria-label={`${p.precedingEvents}: ${name(pattern.to)}`} className="journey-small-table">
                    <tbody>
                      {pattern.eventsBefore.map((event) => (
                        <tr key={event.type}>
                          <td className="mono">{event.type}</td>
                          <td className="num">{p.eventMoves(format.integer(event.moves))}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <p className="muted">{p.sampled(format.integer(pattern.sampled))}</p>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function FlowTable({ title, flows, cellOf }: { title: string; flows: Flow[]; cellOf(flow: Flow): string }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const p = t.journey.panel;
  const sorted = [...flows].sort((a, b) => b.customers - a.customers);
  return (
    <>
      <h3>{title}</h3>
      {sorted.length === 0 ? (
        <p className="muted">{p.noFlows}</p>
      ) : (
        <table aria-label={title} className="journey-small-table">
          <thead>
            <tr>
              <th scope="col">{p.flowColumns.cell}</th>
              <th scope="col">{p.flowColumns.kind}</th>
              <th scope="col" className="num">
                {p.flowColumns.customers}
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((flow) => (
              <tr key={`${flow.from?.stage ?? ''}:${flow.from?.level ?? ''}>${flow.to.stage}:${flow.to.level}`}>
                <td>{cellOf(flow)}</td>
                <td>
                  <span className={`badge badge-flow-${flow.kind}`}>{t.journey.kinds[flow.kind]}</span>
                </td>
                <td className="num">{format.integer(flow.customers)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
