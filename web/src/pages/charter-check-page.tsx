import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { charterPath } from '../charter/labels.tsx';
import type { MessageDraft } from '../charter/live-check.ts';
import { MessageEditor } from '../charter/message-editor.tsx';
import { NoCharter } from '../charter/no-charter.tsx';
import { readCharterOrNull } from '../charter/read-charter.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { canWrite } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

const EMPTY_DRAFT: MessageDraft = { department: 'marketing', channel: 'email', format: 'text', subject: '', body: '' };

/** The draft on the checker page survives leaving the page (per workspace, for this browser tab). */
function useStoredDraft(workspace: string): [MessageDraft, (draft: MessageDraft) => void] {
  const key = `kizuna.charter.draft.${workspace}`;
  const [draft, setDraft] = useState<MessageDraft>(() => {
    try {
      const stored = sessionStorage.getItem(key);
      return stored ? { ...EMPTY_DRAFT, ...(JSON.parse(stored) as Partial<MessageDraft>) } : EMPTY_DRAFT;
    } catch {
      return EMPTY_DRAFT;
    }
  });
  useEffect(() => {
    sessionStorage.setItem(key, JSON.stringify(draft));
  }, [key, draft]);
  return [draft, setDraft];
}

/** チェッカー: type a message, see the charter's findings underlined in place, fix them in one click. */
export function CharterCheckPage() {
  const { t } = useI18n();
  const c = t.charter.checker;
  const { workspace } = useCurrentWorkspace();
  const charter = useApiData((signal) => readCharterOrNull(workspace.name, signal), [workspace.name]);
  return (
    <>
      <header className="page-header">
        <h1>{c.title}</h1>
        <p className="muted lead">{c.lead}</p>
      </header>
      <WhenLoaded data={charter}>
        {(stored) =>
          stored ? (
            <>
              <p className="charter-line">{c.charterLine(t.charter.relationshipPhrase(stored.charter.relationship), String(stored.version))}</p>
              <Checker workspace={workspace.name} />
            </>
          ) : (
            <NoCharter />
          )
        }
      </WhenLoaded>
    </>
  );
}

function Checker({ workspace }: { workspace: string }) {
  const { t } = useI18n();
  const c = t.charter.checker;
  const role = useRole();
  const navigate = useNavigate();
  const [draft, setDraft] = useStoredDraft(workspace);
  return (
    <MessageEditor
      draft={draft}
      onChange={setDraft}
      workspace={workspace}
      actions={
        <div className="toolbar">
          <button type="button" className="button" onClick={() => setDraft({ ...draft, channel: 'email', subject: c.sampleSubject, body: c.sampleBody })}>
            {c.sample}
          </button>
          <button type="button" className="button button-quiet" onClick={() => setDraft({ ...draft, subject: '', body: '' })}>
            {c.clear}
          </button>
          {canWrite(role) && (
            <button
              type="button"
              className="button"
              disabled={draft.body.trim() === ''}
              onClick={() => void navigate(`${charterPath(workspace, 'templates', 'new')}?department=${draft.department}`, { state: { draft } })}
            >
              {c.saveAsTemplate}
            </button>
          )}
        </div>
      }
    />
  );
}
