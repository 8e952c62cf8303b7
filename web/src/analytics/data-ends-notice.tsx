import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

/** "The data ends on …", when an analysis says its data ends well before its date. */
export function DataEndsNotice({ dataEndsOn, asOf }: { dataEndsOn: string | null | undefined; asOf: string }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  if (!dataEndsOn) return null;
  return (
    <p className="alert alert-info" role="status">
      {t.analytics.dataEndsOn(format.calendarDate(dataEndsOn), format.calendarDate(asOf))}
    </p>
  );
}
