import { useState, type ReactNode } from 'react';
import { Failure } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData, type Loaded } from '../use-api-data.ts';

export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

export interface PagedList<Item> {
  items: Item[];
  /** Set while another page can be appended. */
  loadMore: (() => void) | undefined;
  /** A page after the first that failed; the items loaded so far stay. */
  error: Error | undefined;
}

/**
 * A keyset-paged list shown as one growing table: the first page loads with `deps`, and
 * `loadMore` appends the next. Pages appended for other deps are dropped when the deps
 * change. `load(cursor)` answers a page, or null for an answer that is not a list (the
 * churn list without a window): then the first page's answer is the caller's to show.
 */
export function usePagedList<Answer, Item>(
  load: (cursor: string | undefined, signal?: AbortSignal) => Promise<Answer>,
  pageOf: (answer: Answer) => Page<Item> | null,
  deps: readonly unknown[],
): Loaded<{ first: Answer; list: PagedList<Item> }> & { reload(): void } {
  const first = useApiData((signal) => load(undefined, signal), deps);
  const key = JSON.stringify(deps);
  const [more, setMore] = useState<{ key: string; items: Item[]; nextCursor: string | null; error?: Error }>();
  if (first.state !== 'ready') return first;
  const page = pageOf(first.data) ?? { items: [], nextCursor: null };
  const extra = more?.key === key ? more : undefined;
  const nextCursor = extra ? extra.nextCursor : page.nextCursor;
  const appendNext = async () => {
    try {
      const next = pageOf(await load(nextCursor ?? undefined));
      if (next) setMore({ key, items: [...(extra?.items ?? []), ...next.items], nextCursor: next.nextCursor });
    } catch (error) {
      setMore({ key, items: extra?.items ?? [], nextCursor, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
  return {
    ...first,
    data: {
      first: first.data,
      list: { items: [...page.items, ...(extra?.items ?? [])], loadMore: nextCursor ? () => void appendNext() : undefined, error: extra?.error },
    },
  };
}

/** Below a paged list's table: `empty` when it has no items, a page that failed, the button for the next page. */
export function PagedListFooter({ list, empty }: { list: PagedList<unknown>; empty?: ReactNode }) {
  const { t } = useI18n();
  return (
    <>
      {list.error && <Failure error={list.error} />}
      {list.items.length === 0 && empty}
      {list.loadMore && (
        <div className="list-footer">
          <button type="button" className="button" onClick={list.loadMore}>
            {t.analytics.view.loadMore}
          </button>
        </div>
      )}
    </>
  );
}
