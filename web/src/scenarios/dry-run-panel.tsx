import { useId, useState } from 'react';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { Failure } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import type { Scenario } from './scenario-draft.ts';

type DryRun = Schemas['ScenarioDryRun'];

/**
 * The dry run of one customer: pick a customer (searched by id or name as one types), run the
 * published version (or the saved draft), and see every step with the moment it would run,
 * what it would do, and how it ends. Nothing is written or sent.
 */
export function DryRunPanel({ scenario }: { scenario: Scenario }) {
  const { t } = useI18n();
  const d = t.scenarios.dryRun;
  const { workspace, format } = useCurrentWorkspace();
  const id = useId();
  const [query, setQuery] = useState('');
  const [useDraft, setUseDraft] = useState(scenario.published === null);
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'running' } | { kind: 'done'; run: DryRun } | { kind: 'failed'; error: Error }>({
    kind: 'idle',
  });
  const found = useApiData(
    async (signal) =>
      query.trim() === ''
        ? []
        : (
            await unwrap(
              api.GET('/api/v1/workspaces/{workspace}/customers', {
                params: { path: { workspace: workspace.name }, query: { q: query.trim(), limit: 10 } },
                signal,
              }),
            )
          ).items,
    [workspace.name, query],
    { pauseMs: 250 },
  );
  const customers = found.state === 'ready' ? found.data : [];
  // A customer is chosen by external id; "C-1 山田 花子" from the list gives "C-1".
  const customerId = customers.find((customer) => label(customer) === query)?.externalId ?? query.trim();
  const run = async () => {
    setState({ kind: 'running' });
    try {
      const answer = await unwrap(
        api.GET('/api/v1/workspaces/{workspace}/scenarios/{scenario}/dry-run', {
          params: {
            path: { workspace: workspace.name, scenario: scenario.key },
            query: { customer: customerId, ...(useDraft ? { draft: 'true' as const } : {}) },
          },
        }),
      );
      setState({ kind: 'done', run: answer });
    } catch (error) {
      setState({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
  return (
    <section className="card dry-run" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{d.title}</h2>
      <p className="muted">{d.lead}</p>
      {scenario.published === null && <p className="muted small">{d.noPublished}</p>}
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <label className="field">
          <span>{d.customer}</span>
          <input type="search" list={`${id}-customers`} value={query} onChange={(event) => setQuery(event.target.value)} autoComplete="off" />
          <datalist id={`${id}-customers`}>
            {customers.map((customer) => (
              <option key={customer.id} value={label(customer)} />
            ))}
          </datalist>
        </label>
        {scenario.published !== null && scenario.draft !== null && (
          <label className="field-inline">
            <input type="checkbox" checked={useDraft} onChange={(event) => setUseDraft(event.target.checked)} />
            {d.useDraft}
          </label>
        )}
        <button type="submit" className="button button-primary" disabled={customerId === '' || state.kind === 'running'}>
          {state.kind === 'running' ? d.running : d.run}
        </button>
      </form>
      {state.kind === 'failed' && <Failure error={state.error} />}
      {state.kind === 'done' && (
        <div className="dry-run-result" data-testid="dry-run-result">
          <h3>{d.path}</h3>
          <div className="table-wrap">
            <table className="table-compact">
              <thead>
                <tr>
                  <th>{d.columns.at}</th>
                  <th>{d.columns.step}</th>
                  <th>{d.columns.kind}</th>
                  <th>{d.columns.outcome}</th>
                  <th>{d.columns.detail}</th>
                </tr>
              </thead>
              <tbody>
                {state.run.path.map((entry, index) => (
                  <tr key={index}>
                    <td className="nowrap">{format.dateTime(entry.at)}</td>
                    <td>
                      <code>{entry.stepId}</code>
                    </td>
                    <td>{t.scenarios.kinds[entry.kind] ?? entry.kind}</td>
                    <td>{d.outcomes[entry.outcome] ?? entry.outcome}</td>
                    <td>
                      {entry.until && d.until(format.dateTime(entry.until))}
                      {entry.until && entry.detail && ' · '}
                      {entry.detail}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {state.run.effects.length > 0 && (
            <>
              <h3>{d.effects}</h3>
              <ul className="dry-run-effects">
                {state.run.effects.map((effect, index) => (
                  <li key={index}>
                    <code>{JSON.stringify(effect)}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p>
            {d.end}: <strong>{d.ends[state.run.end.status] ?? state.run.end.status}</strong>
            {state.run.end.reason && ` (${state.run.end.reason})`}
          </p>
          {state.run.notes.length > 0 && (
            <>
              <h3>{d.notes}</h3>
              <ul>
                {state.run.notes.map((note, index) => (
                  <li key={index}>{note}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  );
}

function label(customer: Schemas['CustomerListItem']): string {
  return customer.name ? `${customer.externalId} ${customer.name}` : customer.externalId;
}
