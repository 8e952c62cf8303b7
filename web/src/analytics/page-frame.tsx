import type { ReactNode } from 'react';
import { Failure, Loading } from '../components/status.tsx';
import type { Loaded } from '../use-api-data.ts';
import { Definitions, type DefinitionTopic } from './definitions.tsx';

/** The head of every analytics page: its title, what it answers, and the definitions it follows. */
export function AnalyticsHeader({ title, lead, topics }: { title: string; lead: string; topics: readonly DefinitionTopic[] }) {
  return (
    <header className="analytics-header">
      <div>
        <h1>{title}</h1>
        <p className="muted lead">{lead}</p>
      </div>
      <Definitions topics={topics} />
    </header>
  );
}

/**
 * Loading, failure (with retry) or the content of loaded data; data being refreshed stays on
 * screen, dimmed, so the page does not jump while a new period loads.
 */
export function WhenLoaded<T>({ data, children }: { data: Loaded<T> & { reload(): void }; children: (value: T) => ReactNode }) {
  switch (data.state) {
    case 'loading': return <Loading />;
    case 'failed': return <Failure error={data.error} retry={data.reload} />;
    case 'ready': return <div className={data.refreshing ? 'is-refreshing' : undefined} aria-busy={data.refreshing}>{children(data.data)}</div>;
  }
}
