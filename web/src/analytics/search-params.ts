import { useSearchParams } from 'react-router';

/**
 * An analytics page's choices (period, granularity, dimension…) live in the URL's query, so a
 * view can be shared as a link and survives a reload. `set` changes some of them and keeps the
 * rest; an undefined value removes the parameter (its default applies again).
 */
export function useQueryState(): { get(name: string): string | null; set(changes: Record<string, string | undefined>): void } {
  const [params, setParams] = useSearchParams();
  return {
    get: (name) => params.get(name),
    set: (changes) => setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) {
        if (value === undefined || value === '') next.delete(name);
        else next.set(name, value);
      }
      return next;
    }, { replace: true }),
  };
}

/** The value of `text` if it is one of `choices`, else `fallback`. */
export function oneOf<T extends string>(choices: readonly T[], text: string | null, fallback: T): T {
  return choices.find((choice) => choice === text) ?? fallback;
}
