import { useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { failed, OutcomeMessage, RoleSelect, type Outcome, useOutcomeSubmit } from '../access/access-parts.tsx';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { canManage, useMe, type Role } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

type Member = Schemas['Member'];

/**
 * メンバー: who may use this workspace and with which role (admins only). An admin invites by
 * email (an unknown email gets an account, its first password shown once), changes roles and
 * removes members; the API refuses to lose the last admin, and the page says so.
 */
export function MembersPage() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const role = useRole();
  const members = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/members', { params: { path: { workspace: workspace.name } }, signal })),
    [workspace.name],
    { enabled: canManage(role) },
  );
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  if (!canManage(role))
    return (
      <>
        <h1>{t.access.members.title}</h1>
        <p className="alert alert-info">{t.access.notAdmin}</p>
      </>
    );
  return (
    <>
      <h1>{t.access.members.title}</h1>
      <p className="muted lead">{t.access.members.lead}</p>
      <OutcomeMessage outcome={outcome} />
      <WhenLoaded data={members}>
        {(list) => (
          <MemberTable
            members={list}
            onOutcome={(next) => {
              setOutcome(next);
              members.reload();
            }}
          />
        )}
      </WhenLoaded>
      <InviteForm
        onOutcome={(next) => {
          setOutcome(next);
          members.reload();
        }}
      />
    </>
  );
}

function MemberTable({ members, onOutcome }: { members: Member[]; onOutcome(outcome: Outcome): void }) {
  const { t } = useI18n();
  const m = t.access.members;
  const me = useMe();
  const { workspace, format } = useCurrentWorkspace();
  const path = (member: Member) => ({ params: { path: { workspace: workspace.name, userId: member.userId } } });
  const changeRole = async (member: Member, role: Role) => {
    try {
      await unwrap(api.PATCH('/api/v1/workspaces/{workspace}/members/{userId}', { ...path(member), body: { role } }));
      onOutcome({ kind: 'notice', text: m.roleChanged(member.displayName, t.access.roles[role]) });
    } catch (error) {
      onOutcome(failed(error, m.lastAdmin));
    }
  };
  const remove = async (member: Member) => {
    if (!window.confirm(m.confirmRemove(member.displayName))) return;
    try {
      await unwrap(api.DELETE('/api/v1/workspaces/{workspace}/members/{userId}', path(member)));
      onOutcome({ kind: 'notice', text: m.removed(member.displayName) });
    } catch (error) {
      onOutcome(failed(error, m.lastAdmin));
    }
  };
  return (
    <div className="table-wrap">
      <table aria-label={m.tableLabel}>
        <thead>
          <tr>
            <th>{m.columns.name}</th>
            <th>{m.columns.email}</th>
            <th>{m.columns.role}</th>
            <th>{m.columns.since}</th>
            <th>{m.columns.actions}</th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.userId} data-email={member.email}>
              <td>
                {member.displayName}
                {member.email === me.email && <span className="muted"> {m.you}</span>}
              </td>
              <td>{member.email}</td>
              <td>
                <RoleSelect value={member.role} label={m.roleOf(member.displayName)} onChange={(role) => void changeRole(member, role)} />
              </td>
              <td>{format.date(member.since)}</td>
              <td>
                <button type="button" className="button button-quiet" aria-label={m.removeOf(member.displayName)} onClick={() => void remove(member)}>
                  {m.remove}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function InviteForm({ onOutcome }: { onOutcome(outcome: Outcome): void }) {
  const { t } = useI18n();
  const m = t.access.members;
  const { workspace } = useCurrentWorkspace();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('read_only');
  const { busy, submit } = useOutcomeSubmit(onOutcome, m.alreadyMember);
  const invite = submit(async () => {
    const added = await unwrap(
      api.POST('/api/v1/workspaces/{workspace}/members', {
        params: { path: { workspace: workspace.name } },
        body: { email, role, ...(displayName.trim() ? { displayName: displayName.trim() } : {}) },
      }),
    );
    setEmail('');
    setDisplayName('');
    return added.generatedPassword
      ? { kind: 'notice', text: m.newPassword(added.member.email), secret: added.generatedPassword }
      : { kind: 'notice', text: m.added(added.member.email) };
  });
  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">{m.inviteTitle}</h2>
      <p className="muted">{m.inviteLead}</p>
      <form className="access-form" onSubmit={(event) => void invite(event)}>
        <label className="field">
          <span>{m.email}</span>
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>{m.displayName}</span>
          <input type="text" maxLength={100} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <div className="field">
          <span aria-hidden="true">{t.access.roleLabel}</span>
          <RoleSelect value={role} label={t.access.roleLabel} onChange={setRole} />
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {m.invite}
        </button>
      </form>
    </section>
  );
}
