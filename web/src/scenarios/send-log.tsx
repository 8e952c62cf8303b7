import { useState } from 'react';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { controlText, governanceText, noteOf } from '../governance/outcome-text.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import type { Scenario } from './scenario-draft.ts';

type Send = Schemas['ScenarioSend'];

/** The scenario's sends, newest first, a page at a time: who, which step, the outcome (and why not), and why it was sent in words. */
export function SendLog({ scenario }: { scenario: Scenario }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const [pages, setPages] = useState<string[]>([]);
  const loaded = useApiData(
    async (signal) => {
      const sends: Send[] = [];
      let next: string | null = null;
      for (const before of [undefined, ...pages]) {
        const page = await unwrap(
          api.GET('/api/v1/workspaces/{workspace}/scenarios/{scenario}/sends', {
            params: { path: { workspace: workspace.name, scenario: scenario.key }, query: { limit: 50, ...(before ? { before } : {}) } },
            signal,
          }),
        );
        sends.push(...page.sends);
        next = page.next;
      }
      return { sends, next };
    },
    [workspace.name, scenario.key, pages],
  );
  return (
    <section className="card send-log" aria-labelledby="send-log-title">
      <div className="card-header">
        <h2 id="send-log-title">{t.scenarios.sends.title}</h2>
        <button type="button" className="button button-small" onClick={loaded.reload}>
          {t.app.retry}
        </button>
      </div>
      <p className="muted">{t.scenarios.sends.lead}</p>
      <WhenLoaded data={loaded}>
        {({ sends, next }) =>
          sends.length === 0 ? (
            <p className="muted">{t.scenarios.sends.none}</p>
          ) : (
            <>
              <SendTable sends={sends} />
              {next && (
                <button type="button" className="button" onClick={() => setPages((list) => [...list, next])}>
                  {t.scenarios.sends.more}
                </button>
              )}
            </>
          )
        }
      </WhenLoaded>
    </section>
  );
}

function SendTable({ sends }: { sends: Send[] }) {
  const { t, locale } = useI18n();
  const s = t.scenarios.sends;
  const { workspace, format } = useCurrentWorkspace();
  // A message the contact rules held back (deferred, skipped, displaced) or a control group's says so in words; other reasons as before.
  // (Only while it is waiting or was not sent: a send that went out says nothing of an earlier deferral.)
  const outcomeOf = (send: Send) =>
    (send.status === 'pending' || send.status === 'not_sent' ? governanceText(t, format, noteOf(send.governance)) : null) ??
    controlText(t, send.reason) ??
    (send.reason ? (s.reasons[send.reason] ?? send.reason) : null);
  return (
    <div className="table-wrap">
      <table className="table-compact" data-testid="send-log">
        <thead>
          <tr>
            <th>{s.columns.at}</th>
            <th>{s.columns.customer}</th>
            <th>{s.columns.step}</th>
            <th className="num">{s.columns.version}</th>
            <th>{s.columns.status}</th>
            <th>{s.columns.why}</th>
          </tr>
        </thead>
        <tbody>
          {sends.map((send) => {
            const outcome = outcomeOf(send);
            return (
              <tr key={send.id} data-send={send.id}>
                <td className="nowrap">{format.dateTime(send.doneAt ?? send.createdAt)}</td>
                <td>
                  <Link to={`/w/${encodeURIComponent(workspace.name)}/customers/${send.customer.id}`}>
                    {send.customer.name ?? send.customer.externalId ?? send.customer.id}
                  </Link>
                  {send.customer.externalId && <span className="muted small"> {send.customer.externalId}</span>}
                </td>
                <td>
                  <code>{send.stepId}</code>
                </td>
                <td className="num">{send.version}</td>
                <td>
                  <span className={`badge send-status-${send.status}`}>{s.statuses[send.status] ?? send.status}</span>
                  {outcome && (
                    <div className="small send-outcome" data-testid="send-outcome">
                      {outcome}
                    </div>
                  )}
                </td>
                <td className="send-why">
                  <p>{locale === 'ja' ? send.whyText.ja : send.whyText.en}</p>
                  <details>
                    <summary className="small">{s.details}</summary>
                    <pre className="small prewrap">{JSON.stringify(send.why, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
