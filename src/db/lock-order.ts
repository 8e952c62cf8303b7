/**
 * Concurrent transactions that lock the same rows in different orders deadlock: each holds a
 * row the other waits for, and PostgreSQL cancels one ("deadlock detected"). Set-based writes
 * (insert … select from unnest, on conflict) lock rows in the order of their input, so every
 * writer sorts its input by the row's key first: rows are then always locked in one global
 * order, whichever batches overlap. Plain code-unit order, the same in every process.
 */
export function inKeyOrder<T>(rows: readonly T[], key: (row: T) => string): T[] {
  return [...rows].sort((a, b) => compareKeys(key(a), key(b)));
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
