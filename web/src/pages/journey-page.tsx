import { useMemo, useState, type ReactNode } from 'react';
import type { DiagramInput } from '../../../src/journey-map/diagram/types.ts';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { useQueryState } from '../analytics/search-params.ts';
import { Stat } from '../components/stat.tsx';
import { Failure, Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { CellPanel } from '../journey/cell-panel.tsx';
import { ExportButtons } from '../journey/export-buttons.tsx';
import { JourneyDiagram } from '../journey/journey-diagram.tsx';
import { sameCell, type CellKey } from '../journey/journey-names.ts';
import { mayEditMap } from '../journey/journey-roles.ts';
import { NoJourneyMap } from '../journey/no-map.tsx';
import { PeriodChooser, useJourneyPeriod } from '../journey/period-chooser.tsx';
import { JourneyWorkshop } from '../journey/workshop.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

type JourneyView = Schemas['JourneyView'];
type ActiveJourney = JourneyView & { map: NonNullable<JourneyView['map']> };

/**
 * The one-page CRM strategy diagram (/w/:workspace/journey): the active map's name and goal,
 * every cell with its live count and share, feelings and measures, the flows of the chosen
 * period as arrows, and a cell's details in a side panel (?cell=stage.level, so a chosen cell
 * can be shared as a link). Exports and Print give the same page on paper. Admins and marketing
 * members switch to the workshop mode (web/src/journey/workshop.tsx) to edit the map in place;
 * a saved map is reloaded here.
 */
export function JourneyPage() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const role = useRole();
  const [workshop, setWorkshop] = useState(false);
  const [saved, setSaved] = useState(false);
  const journey = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/journey', { params: { path: { workspace: workspace.name } }, signal })),
    [workspace.name],
  );
  if (journey.state === 'loading') return <Loading />;
  if (journey.state === 'failed') return <Failure error={journey.error} retry={journey.reload} />;
  const view = journey.data;
  const toggle = mayEditMap(role) ? (
    <button
      type="button"
      className={workshop ? 'button' : 'button button-primary'}
      aria-pressed={workshop}
      onClick={() => {
        setSaved(false);
        setWorkshop(!workshop);
      }}
    >
      {t.journey.map.workshopMode}
    </button>
  ) : null;
  if (workshop)
    return (
      <div className="journey-workshop-mode">
        <div className="journey-mode-bar">
          <span className="muted">{view.map?.name ?? t.journey.section}</span>
          {toggle}
        </div>
        <JourneyWorkshop
          workspace={workspace.name}
          map={view.map}
          liveCells={view.cells}
          profiles={view.profiles}
          onSaved={() => {
            setWorkshop(false);
            setSaved(true);
            journey.reload();
          }}
          onCancel={() => setWorkshop(false)}
        />
      </div>
    );
  if (view.map === null) return <NoJourneyMap action={toggle} />;
  return <JourneyDiagramPage view={{ ...view, map: view.map }} action={toggle} saved={saved} />;
}

function JourneyDiagramPage({ view, action, saved }: { view: ActiveJourney; action: ReactNode; saved: boolean }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const m = t.journey.map;
  const query = useQueryState();
  const { choice, period, today, choose } = useJourneyPeriod();
  const flows = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/journey/flows', {
          params: { path: { workspace: workspace.name }, query: period ?? {} },
          signal,
        }),
      ),
    [workspace.name, period?.from, period?.to],
    { enabled: period !== undefined },
  );
  const selected = cellFromParam(query.get('cell'), view.map);
  const select = (cell: CellKey | null) => query.set({ cell: cell ? `${cell.stage}.${cell.level}` : undefined });
  const shownFlows = flows.state === 'ready' ? flows.data : undefined;
  const input = useMemo(
    (): DiagramInput => ({
      map: view.map,
      cells: view.cells,
      profiles: view.profiles,
      labels: t.journey.diagram,
      ...(shownFlows ? { flows: shownFlows.flows, period: { from: shownFlows.from, to: shownFlows.to } } : {}),
    }),
    [view, shownFlows, t],
  );
  const countOf = (cell: CellKey) => view.cells.find((c) => sameCell(c, cell))?.customers ?? 0;
  return (
    <div className="journey-page">
      <header className="page-header journey-header">
        <div>
          <p className="eyebrow">{t.journey.section}</p>
          <h1>{view.map.name}</h1>
          {view.map.goal && (
            <p className="journey-goal">
              <span className="badge badge-goal">★ {m.goal}</span> {view.map.goal}
            </p>
          )}
          <p className="muted journey-version">
            {view.version && m.version(format.integer(view.version.version), format.dateTime(view.version.changedAt), view.version.changedBy)}
            {' · '}
            {view.sweptAt ? m.sweptAt(format.dateTime(view.sweptAt)) : m.neverSwept}
          </p>
        </div>
        <div className="journey-header-side">
          {action}
          <div className="stats journey-stats">
            <Stat label={m.profiles} value={format.integer(view.profiles)} />
            <Stat label={m.placed} value={format.integer(view.placed)} />
          </div>
        </div>
      </header>
      {saved && (
        <p className="alert alert-ok" role="status">
          {m.saved}
        </p>
      )}
      <div className="toolbar journey-toolbar">
        <PeriodChooser choice={choice} period={period} today={today} onChange={choose} />
        <ExportButtons period={shownFlows ? { from: shownFlows.from, to: shownFlows.to } : period} />
      </div>
      {view.placed !== view.profiles && <p className="alert alert-warning">{m.notPlaced(format.integer(Math.abs(view.profiles - view.placed)))}</p>}
      {flows.state === 'failed' && <Failure error={flows.error} retry={flows.reload} />}
      <div className={selected ? 'journey-body has-panel' : 'journey-body'}>
        <figure className="journey-figure journey-print" aria-busy={flows.state !== 'ready' || flows.refreshing}>
          <JourneyDiagram input={input} selected={selected ?? undefined} onSelectCell={(cell) => select({ stage: cell.stage, level: cell.level })} />
          <figcaption className="muted">
            {shownFlows && t.journey.period.showing(format.calendarDate(shownFlows.from), format.calendarDate(shownFlows.to))}
            {' · '}
            {t.journey.legend.flows}
            {' · '}
            {t.journey.legend.stepDownNote}
            <br />
            <span className="journey-hint">{m.cellHint}</span>
          </figcaption>
        </figure>
        {selected && (
          <CellPanel map={view.map} cell={selected} customers={countOf(selected)} profiles={view.profiles} flows={flows} onClose={() => select(null)} />
        )}
      </div>
    </div>
  );
}

/** ?cell=stage.level when the map has that cell (keys hold no dots). */
function cellFromParam(param: string | null, map: ActiveJourney['map']): CellKey | null {
  const [stage, level, rest] = (param ?? '').split('.');
  if (!stage || !level || rest !== undefined) return null;
  return map.stages.some((s) => s.key === stage) && map.levels.some((l) => l.key === level) ? { stage, level } : null;
}
