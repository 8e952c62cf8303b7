import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import { labelOf, useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { cellCustomersPath, cellName, levelName, stageName, type JourneyMap } from '../journey/journey-names.ts';
import { NoJourneyMap } from '../journey/no-map.tsx';
import { useActiveMapAnd } from '../journey/use-active-map.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type Technology = Schemas['TechnologyMap'];
type Row = Technology['rows'][number];
type Measure = Row['byStage'][string][number];

/**
 * テクノロジーマップ (/w/:workspace/journey/technology): stages (columns) × channels and outside
 * solutions (rows), each entry the measures with department, status and cell; then the gaps, the
 * duplicates (two departments on one cell and channel) and the solutions not yet introduced.
 */
export function JourneyTechnologyPage() {
  const { t } = useI18n();
  const data = useActiveMapAnd((path, signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/journey/technology', { params: { path }, signal })));
  if (data.state === 'loading') return <Loading />;
  if (data.state === 'failed') return <Failure error={data.error} retry={data.reload} />;
  const { view, extra: technology } = data.data;
  if (view.map === null || technology === null) return <NoJourneyMap />;
  const x = t.journey.technology;
  return (
    <>
      <h1>{t.journey.pages.technology}</h1>
      <p className="muted">{x.lead}</p>
      {technology.rows.length === 0 ? <p className="alert alert-info">{x.empty}</p> : <Matrix map={view.map} technology={technology} />}
      <Findings map={view.map} technology={technology} />
    </>
  );
}

/** 「チャネル: メール」 or 「ソリューション: 同梱物」. */
function rowName(t: Messages, row: Pick<Row, 'key' | 'channel' | 'solution'>): string {
  const x = t.journey.technology;
  if (row.solution !== undefined) return x.solution(row.solution);
  if (row.channel !== undefined) return x.channel(labelOf(t.journey.diagram.channels, row.channel));
  return row.key;
}

function Matrix({ map, technology }: { map: JourneyMap; technology: Technology }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const x = t.journey.technology;
  return (
    <div className="table-wrap journey-tech-wrap">
      <table className="journey-tech" aria-label={x.matrixLabel}>
        <thead>
          <tr>
            <th scope="col">{x.row}</th>
            {technology.stages.map((stage) => (
              <th scope="col" key={stage.key}>
                {stage.name}
                <div className="muted journey-tech-count">{x.stageMeasures(format.integer(stage.measures))}</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {technology.rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">
                <div className="journey-tech-row-name">{rowName(t, row)}</div>
                <span className={`badge badge-measure-${row.status}`}>{labelOf(t.journey.diagram.statuses, row.status)}</span>
                <div className="muted journey-tech-departments">
                  {x.departments}: {row.departments.map((d) => labelOf(t.charter.departments, d)).join('、')}
                </div>
              </th>
              {technology.stages.map((stage) => (
                <td key={stage.key}>
                  {(row.byStage[stage.key] ?? []).length === 0 ? (
                    <span className="muted">{x.none}</span>
                  ) : (
                    <ul className="journey-tech-measures">
                      {(row.byStage[stage.key] ?? []).map((measure, index) => (
                        <MeasureEntry key={`${measure.level}-${measure.name}-${index}`} map={map} measure={measure} />
                      ))}
                    </ul>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MeasureEntry({ map, measure }: { map: JourneyMap; measure: Measure }) {
  const { t } = useI18n();
  return (
    <li className="journey-tech-measure">
      <strong>{measure.name}</strong>
      <div>
        <span className={`badge badge-measure-${measure.status}`}>{labelOf(t.journey.diagram.statuses, measure.status)}</span>{' '}
        <span className="muted">{labelOf(t.charter.departments, measure.department)}</span>
      </div>
      <div className="muted">{t.journey.technology.measureIn(levelName(map, measure.level))}</div>
    </li>
  );
}

function Findings({ map, technology }: { map: JourneyMap; technology: Technology }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const x = t.journey.technology;
  const { gaps, duplicates, notIntroduced } = technology;
  return (
    <div className="journey-findings">
      <section className="card" aria-labelledby="tech-gaps">
        <h2 id="tech-gaps">{x.gaps}</h2>
        {gaps.stages.length === 0 && gaps.cells.length === 0 ? (
          <p className="muted">{x.noGaps}</p>
        ) : (
          <>
            {gaps.stages.length > 0 && (
              <>
                <h3>{x.gapStages}</h3>
                <ul aria-label={x.gapStages}>
                  {gaps.stages.map((key) => (
                    <li key={key}>{stageName(map, key)}</li>
                  ))}
                </ul>
              </>
            )}
            {gaps.cells.length > 0 && (
              <>
                <h3>{x.gapCells}</h3>
                <ul aria-label={x.gapCells}>
                  {gaps.cells.map((cell) => (
                    <li key={`${cell.stage}.${cell.level}`}>
                      <Link to={cellCustomersPath(workspace.name, cell)}>{cellName(t, map, cell)}</Link>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </section>
      <section className="card" aria-labelledby="tech-duplicates">
        <h2 id="tech-duplicates">{x.duplicates}</h2>
        {duplicates.length === 0 ? (
          <p className="muted">{x.noDuplicates}</p>
        ) : (
          <ul aria-label={x.duplicates}>
            {duplicates.map((duplicate) => {
              const row = technology.rows.find((r) => r.key === duplicate.row);
              return (
                <li key={`${duplicate.stage}.${duplicate.level}.${duplicate.row}`}>
                  <strong>{x.duplicate(cellName(t, map, duplicate), row ? rowName(t, row) : duplicate.row)}</strong>
                  <ul>
                    {duplicate.measures.map((measure, index) => (
                      <li key={`${measure.name}-${index}`}>
                        {measure.name}({labelOf(t.charter.departments, measure.department)})
                      </li>
                    ))}
                  </ul>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="tech-not-introduced">
        <h2 id="tech-not-introduced">{x.notIntroduced}</h2>
        {notIntroduced.length === 0 ? (
          <p className="muted">{x.noneNotIntroduced}</p>
        ) : (
          <ul aria-label={x.notIntroduced}>
            {notIntroduced.map((row) => (
              <li key={row.key}>
                {rowName(t, row)}
                <span className="muted">
                  {' '}
                  —{' '}
                  {Object.values(row.byStage)
                    .flat()
                    .map((measure) => measure.name)
                    .join('、')}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
