import { useCallback, useEffect, useState, type DependencyList } from 'react';

export type Loaded<T> =
  | { state: 'loading' }
  /** `refreshing`: new data is on its way; the previous data stays on screen meanwhile. */
  | { state: 'ready'; data: T; refreshing: boolean }
  | { state: 'failed'; error: Error };

/**
 * Loads data when the dependencies change (the caller lists what `load` reads). An answer
 * that arrives after the dependencies changed again is dropped and its request aborted, so a
 * fast typist never sees stale rows.
 */
export function useApiData<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Loaded<T> & { reload(): void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setLoaded((previous) => (previous.state === 'ready' ? { ...previous, refreshing: true } : { state: 'loading' }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setLoaded({ state: 'ready', data, refreshing: false });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setLoaded({ state: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => controller.abort();
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...loaded, reload };
}
