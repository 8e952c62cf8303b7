import { useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { failed, OutcomeMessage, RoleSelect, type Outcome, useOutcomeSubmit } from '../access/access-parts.tsx';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { canManage, type Role } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

type ApiKey = Schemas['ApiKey'];

/**
 * API キー: the workspace's keys (admins only), without their secrets: a new key is shown
 * once, in the answer that created it; a key can be revoked, never shown again.
 */
export function ApiKeysPage() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const role = useRole();
  const keys = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/api-keys', { params: { path: { workspace: workspace.name } }, signal })),
    [workspace.name],
    { enabled: canManage(role) },
  );
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  if (!canManage(role))
    return (
      <>
        <h1>{t.access.apiKeys.title}</h1>
        <p className="alert alert-info">{t.access.notAdmin}</p>
      </>
    );
  const done = (next: Outcome) => {
    setOutcome(next);
    keys.reload();
  };
  return (
    <>
      <h1>{t.access.apiKeys.title}</h1>
      <p className="muted lead">{t.access.apiKeys.lead}</p>
      <OutcomeMessage outcome={outcome} />
      <WhenLoaded data={keys}>{(list) => <KeyTable keys={list} onOutcome={done} />}</WhenLoaded>
      <CreateKeyForm onOutcome={done} />
    </>
  );
}

function KeyTable({ keys, onOutcome }: { keys: ApiKey[]; onOutcome(outcome: Outcome): void }) {
  const { t } = useI18n();
  const k = t.access.apiKeys;
  const { workspace, format } = useCurrentWorkspace();
  if (keys.length === 0) return <p className="muted">{k.none}</p>;
  const revoke = async (key: ApiKey) => {
    if (!window.confirm(k.confirmRevoke(key.name))) return;
    try {
      await unwrap(api.DELETE('/api/v1/workspaces/{workspace}/api-keys/{id}', { params: { path: { workspace: workspace.name, id: key.id } } }));
      onOutcome({ kind: 'notice', text: k.revoked(key.name) });
    } catch (error) {
      onOutcome(failed(error));
    }
  };
  return (
    <div className="table-wrap">
      <table aria-label={k.tableLabel}>
        <thead>
          <tr>
            <th>{k.columns.name}</th>
            <th>{k.columns.role}</th>
            <th>{k.columns.prefix}</th>
            <th>{k.columns.created}</th>
            <th>{k.columns.status}</th>
            <th>{k.columns.actions}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} data-key={key.name}>
              <td>{key.name}</td>
              <td>{t.access.roles[key.role]}</td>
              <td>
                <code>kz_{key.prefix}_…</code>
              </td>
              <td>{format.date(key.createdAt)}</td>
              <td>{key.revokedAt ? k.revokedOn(format.date(key.revokedAt)) : k.active}</td>
              <td>
                {!key.revokedAt && (
                  <button type="button" className="button button-quiet" aria-label={k.revokeOf(key.name)} onClick={() => void revoke(key)}>
                    {k.revoke}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CreateKeyForm({ onOutcome }: { onOutcome(outcome: Outcome): void }) {
  const { t } = useI18n();
  const k = t.access.apiKeys;
  const { workspace } = useCurrentWorkspace();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('marketing');
  const { busy, submit } = useOutcomeSubmit(onOutcome);
  const create = submit(async () => {
    const created = await unwrap(
      api.POST('/api/v1/workspaces/{workspace}/api-keys', { params: { path: { workspace: workspace.name } }, body: { name: name.trim(), role } }),
    );
    setName('');
    return { kind: 'notice', text: k.created(created.info.name), secret: created.key };
  });
  return (
    <section className="card" aria-labelledby="create-key-heading">
      <h2 id="create-key-heading">{k.createTitle}</h2>
      <form className="access-form" onSubmit={(event) => void create(event)}>
        <label className="field">
          <span>{k.name}</span>
          <input type="text" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <div className="field">
          <span aria-hidden="true">{t.access.roleLabel}</span>
          <RoleSelect value={role} label={t.access.roleLabel} onChange={setRole} />
        </div>
        <button type="submit" className="button button-primary" disabled={busy || name.trim() === ''}>
          {k.create}
        </button>
      </form>
    </section>
  );
}
