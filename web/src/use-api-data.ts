import { useCallback, useEffect, useState, type DependencyList } from 'react';

export type Loaded<T> =
  | { state: 'loading' }
  /** `refreshing`: new data is on its way; the previous data stays on screen meanwhile. */
  | { state: 'ready'; data: T; refreshing: boolean }
  | { state: 'failed'; error: Error };

type Settled<T> = { state: 'ready'; data: T } | { state: 'failed'; error: Error };

export interface LoadOptions {
  /** Wait this long after the dependencies last changed before loading (typing: one request per pause). */
  pauseMs?: number;
  /** false: do not load for these dependencies; data of older ones stays, marked `refreshing`. */
  enabled?: boolean;
}

/**
 * Loads data when the dependencies change (the caller lists what `load` reads). An answer
 * that arrives after the dependencies changed again is dropped and its request aborted, so a
 * fast typist never sees stale rows; data shown for older dependencies is marked `refreshing`
 * from the very render in which they change.
 */
export function useApiData<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList, options: LoadOptions = {}): Loaded<T> & { reload(): void } {
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify([...deps, generation]);
  const [settled, setSettled] = useState<{ key: string; result: Settled<T> } | undefined>(undefined);
  const enabled = options.enabled ?? true;
  const pauseMs = options.pauseMs ?? 0;
  useEffect(() => {
    if (!enabled) return undefined;
    const controller = new AbortController();
    const start = () =>
      load(controller.signal).then(
        (data) => {
          if (!controller.signal.aborted) setSettled({ key, result: { state: 'ready', data } });
        },
        (error: unknown) => {
          if (!controller.signal.aborted) {
            setSettled({ key, result: { state: 'failed', error: error instanceof Error ? error : new Error(String(error)) } });
          }
        },
      );
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (pauseMs > 0) timer = setTimeout(start, pauseMs);
    else void start();
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, enabled]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const current = settled?.key === key;
  if (settled?.result.state === 'ready') return { ...settled.result, refreshing: !current, reload };
  if (settled?.result.state === 'failed' && current) return { ...settled.result, reload };
  return { state: 'loading', reload };
}
