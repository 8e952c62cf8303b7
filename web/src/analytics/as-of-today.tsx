import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { isDate } from './dates.ts';
import { useQueryState } from './search-params.ts';

/** Today's date (YYYY-MM-DD) in a time zone. */
export function todayIn(timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/**
 * The date the churn, RFM and customer value pages are as of: the URL's (?asOf), else today in
 * the workspace's time zone, the default of the API and the CLI too. Where the data ends
 * earlier, the result's dataEndsOn says so (DataEndsNotice) rather than the date moving back.
 */
export function useTodayAsOfQuery() {
  const { workspace } = useCurrentWorkspace();
  const query = useQueryState();
  const asOf = query.get('asOf');
  return { asOf: isDate(asOf) ? asOf : todayIn(workspace.timezone), setAsOf: (next: string) => query.set({ asOf: next }), query };
}

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
