import { useEffect, useState } from 'react';
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
    set: (changes) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [name, value] of Object.entries(changes)) {
            if (value === undefined || value === '') next.delete(name);
            else next.set(name, value);
          }
          return next;
        },
        { replace: true },
      ),
  };
}

/** The value of `text` if it is one of `choices`, else `fallback`. */
export function oneOf<T extends string>(choices: readonly T[], text: string | null, fallback: T): T {
  return choices.find((choice) => choice === text) ?? fallback;
}

/** `text` as a whole number from 1 to `max` (a count of days, months, buckets), else undefined. */
export function countUpTo(text: string | null, max: number): number | undefined {
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 && value <= max ? value : undefined;
}

/**
 * A query value typed into a field: the draft as typed, applied once typing pauses if `parse`
 * takes it (null: not a value) and it differs from `value`; a new `value` replaces the draft.
 */
export function useQueryDraft<T>(
  value: T,
  text: (value: T) => string,
  parse: (draft: string) => T | null,
  onChange: (next: T) => void,
): [string, (draft: string) => void] {
  const [draft, setDraft] = useState(text(value));
  useEffect(() => setDraft(text(value)), [value]);
  useEffect(() => {
    const next = parse(draft);
    if (next === null || next === value) return;
    const timer = setTimeout(() => onChange(next), 400);
    return () => clearTimeout(timer);
  }, [draft, value, onChange]);
  return [draft, setDraft];
}
