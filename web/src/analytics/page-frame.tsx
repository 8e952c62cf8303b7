import type { ReactNode } from 'react';
import { Failure, Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import type { Loaded } from '../use-api-data.ts';
import type { AnalyticsPageKey } from './analytics-pages.ts';
import { dataEndOf, TodayContext, useCoverage, type DataCoverage } from './data-end.ts';
import { useQueryState } from './search-params.ts';
import { Definitions, type DefinitionTopic } from './definitions.tsx';

/**
 * An analytics page: its title, what it answers and the definitions it follows, then its
 * content once the data's end (data-end.ts), which every analysis defaults to, is known.
 */
export function AnalyticsPage({
  page,
  topics,
  children,
}: {
  page: AnalyticsPageKey;
  topics: readonly DefinitionTopic[];
  children: (dataEnd: string) => ReactNode;
}) {
  const { t } = useI18n();
  const coverage = useCoverage();
  return (
    <>
      <header className="analytics-header">
        <div>
          <h1>{t.analytics.pages[page]}</h1>
          <p className="muted lead">{t.analytics.leads[page]}</p>
        </div>
        <Definitions topics={topics} />
      </header>
      <WhenLoaded data={coverage}>
        {(data) => (
          <TodayContext.Provider value={data.today}>
            {data.endsBeforeToday && <DataEndsBefore coverage={data} />}
            {children(dataEndOf(data))}
          </TodayContext.Provider>
        )}
      </WhenLoaded>
    </>
  );
}

/** The data ends before yesterday: "as of today" looks at days without data; say so, with a way to look at the data's last day. */
function DataEndsBefore({ coverage }: { coverage: DataCoverage }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.analytics.controls;
  const query = useQueryState();
  const lastOrder = coverage.lastOrderOn!;
  return (
    <p className="alert alert-info data-ends-before" role="note">
      {c.dataEndsBefore(format.calendarDate(lastOrder), format.calendarDate(coverage.today))}{' '}
      {query.get('asOf') !== coverage.dataEnd && (
        <button type="button" className="button-inline" onClick={() => query.set({ asOf: coverage.dataEnd ?? undefined })}>
          {c.viewAtDataEnd(format.calendarDate(lastOrder))}
        </button>
      )}
    </p>
  );
}

/**
 * Loading, failure (with retry) or the content of loaded data; data being refreshed stays on
 * screen, dimmed, so the page does not jump while a new period loads.
 */
export function WhenLoaded<T>({ data, children }: { data: Loaded<T> & { reload(): void }; children: (value: T) => ReactNode }) {
  switch (data.state) {
    case 'loading':
      return <Loading />;
    case 'failed':
      return <Failure error={data.error} retry={data.reload} />;
    case 'ready':
      return (
        <div className={data.refreshing ? 'is-refreshing' : undefined} aria-busy={data.refreshing}>
          {children(data.data)}
        </div>
      );
  }
}
