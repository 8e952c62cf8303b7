/**
 * The time, injected. Every domain that reads the time takes a Clock (the app's and the CLI's
 * dependencies carry one), so tests can stand at any moment and move time forward without
 * sleeping. `systemClock` is the real one; `fixedClock` and `manualClock` are for tests and tools.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that always answers the same instant. */
export function fixedClock(at: Date | string): Clock {
  const time = new Date(at).getTime();
  return { now: () => new Date(time) };
}

/** A clock that stands still until moved: `advance(ms)` or `set(date)`. */
export interface ManualClock extends Clock {
  advance(milliseconds: number): void;
  set(at: Date | string): void;
}

export function manualClock(start: Date | string): ManualClock {
  let time = new Date(start).getTime();
  return {
    now: () => new Date(time),
    advance: (milliseconds) => {
      time += milliseconds;
    },
    set: (at) => {
      time = new Date(at).getTime();
    },
  };
}
