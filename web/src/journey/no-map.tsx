import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { useRole } from '../workspaces/workspaces.tsx';
import { mayEditMap } from './journey-roles.ts';

/** The journey pages of a workspace without a map: what a map is, and the two ways to make one (`action`: the workshop mode's button, for those who may use it). */
export function NoJourneyMap({ action }: { action?: ReactNode } = {}) {
  const { t } = useI18n();
  const n = t.journey.noMap;
  const role = useRole();
  return (
    <>
      <h1>{t.journey.section}</h1>
      <section className="card journey-empty" aria-labelledby="journey-empty-title">
        <h2 id="journey-empty-title">{n.title}</h2>
        <p>{n.lead}</p>
        <h3>{n.cliTitle}</h3>
        <p>{n.cli}</p>
        <pre className="journey-command">
          <code>{n.command}</code>
        </pre>
        <h3>{n.workshopTitle}</h3>
        <p>{mayEditMap(role) ? n.workshop : n.workshopNotAllowed}</p>
        {action && <p>{action}</p>}
      </section>
    </>
  );
}
