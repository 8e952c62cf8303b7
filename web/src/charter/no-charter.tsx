import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n.tsx';
import { canWrite } from '../session/session.tsx';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';
import { charterPath } from './labels.tsx';

/** The workspace has no charter yet: what that means for this role, and the way to the editor. */
export function NoCharter() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const role = useRole();
  return (
    <div className="alert alert-info" role="status">
      <strong>{t.charter.noCharter}</strong>
      <p>{canWrite(role) ? t.charter.noCharterWrite : t.charter.noCharterRead}</p>
      <Link className="button" to={charterPath(workspace.name, 'editor')}>
        {t.charter.openEditor}
      </Link>
    </div>
  );
}
