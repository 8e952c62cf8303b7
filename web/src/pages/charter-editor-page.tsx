import { useState } from 'react';
import { Link } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { DEFAULT_CHARTER } from '../charter/charter-draft.ts';
import '../charter/charter-editor.css';
import { CharterForm } from '../charter/charter-form.tsx';
import { readCharterOrNull } from '../charter/read-charter.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { canWrite } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

type StoredCharter = Schemas['StoredCharter'];

/**
 * 関係性定義: the relationship charter as one form. A workspace without a charter gets a form
 * of sensible defaults to create it (a reader is told there is none); a reader sees the
 * charter without the means to change it.
 */
export function CharterEditorPage() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const role = useRole();
  const writer = canWrite(role);
  const stored = useApiData((signal) => readCharterOrNull(workspace.name, signal), [workspace.name]);
  return (
    <WhenLoaded data={stored}>
      {(current) =>
        current === null && !writer ? (
          <>
            <h1>{t.charter.editor.title}</h1>
            <div className="alert alert-info" role="status">
              <strong>{t.charter.noCharter}</strong>
              <p>{t.charter.noCharterRead}</p>
            </div>
          </>
        ) : (
          <CharterEditor key={workspace.name} stored={current} readOnly={!writer} />
        )
      }
    </WhenLoaded>
  );
}

function CharterEditor({ stored, readOnly }: { stored: StoredCharter | null; readOnly: boolean }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const e = t.charter.editor;
  const [head, setHead] = useState(stored && { version: stored.version, updatedAt: stored.updatedAt });
  return (
    <div className="charter-editor">
      <header className="page-header charter-editor-header">
        <div>
          <h1>{e.title}</h1>
          <p className="muted lead">{e.lead}</p>
        </div>
        <div className="charter-version-meta">
          {head ? (
            <>
              <span className="badge badge-large">{e.versionOf(String(head.version))}</span>
              <span className="muted small">{e.updatedAt(format.dateTime(head.updatedAt))}</span>
              <Link to="../versions" relative="path">
                {e.showVersions}
              </Link>
            </>
          ) : (
            <span className="badge badge-large">{e.notSaved}</span>
          )}
        </div>
      </header>
      {readOnly && (
        <p className="alert alert-info" role="status">
          {e.readOnly}
        </p>
      )}
      {!head && !readOnly && <p className="alert alert-info">{e.creating}</p>}
      <CharterForm
        initial={stored ? { charter: stored.charter, version: stored.version } : { charter: DEFAULT_CHARTER, version: undefined }}
        readOnly={readOnly}
        onSaved={(version) => setHead({ version: version.version, updatedAt: version.changedAt })}
      />
    </div>
  );
}
