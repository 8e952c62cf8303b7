import type { ScenarioTrigger } from './scenario-draft.ts';
import type { WEEKDAYS } from './scenario-draft.ts';

/**
 * The audience trigger's schedule as the form edits it: once at an instant (ISO 8601 with the
 * offset of the workspace's time zone at that instant), or daily / weekly / monthly at a local
 * time. The pure helpers the schedule form uses.
 */

export type AudienceSchedule = Extract<ScenarioTrigger, { kind: 'audience' }>['schedule'];
export type ScheduleKind = AudienceSchedule['kind'];
export type Weekday = (typeof WEEKDAYS)[number];

export const SCHEDULE_KINDS = ['once', 'daily', 'weekly', 'monthly'] as const satisfies readonly ScheduleKind[];

/** The local time of a schedule (HH:MM), when it has one. */
export function scheduleTime(schedule: AudienceSchedule): string | undefined {
  return schedule.kind === 'once' ? undefined : schedule.at;
}

/** A schedule of another kind, keeping the time of day of the one before (10:00 when it had none). */
export function scheduleOfKind(kind: ScheduleKind, before: AudienceSchedule | undefined, timeZone: string, now: Date): AudienceSchedule {
  const at = (before?.kind === 'once' ? zonedInput(before.at, timeZone)?.slice(11, 16) : before?.at) || '10:00';
  switch (kind) {
    case 'once': {
      const day = zonedInput(new Date(now.getTime() + 24 * 60 * 60 * 1000).toISOString(), timeZone)?.slice(0, 10) ?? now.toISOString().slice(0, 10);
      return { kind, at: zonedIso(`${day}T${at}`, timeZone) ?? `${day}T${at}:00Z` };
    }
    case 'daily':
      return { kind, at };
    case 'weekly':
      return { kind, weekdays: before?.kind === 'weekly' ? before.weekdays : ['mon'], at };
    case 'monthly':
      return { kind, dayOfMonth: before?.kind === 'monthly' ? before.dayOfMonth : 1, at };
  }
}

/** The wall-clock time in `timeZone` of an instant, minus the instant: the zone's offset then, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((each) => each.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** A local date-time of the workspace (YYYY-MM-DDTHH:MM, as <input type="datetime-local"> gives it) as ISO 8601 with that zone's offset then; null when not one. */
export function zonedIso(local: string, timeZone: string): string | null {
  const match = LOCAL.exec(local);
  if (!match) return null;
  const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let instant = wall - offsetAt(wall, timeZone);
  const again = wall - offsetAt(instant, timeZone);
  if (again !== instant) instant = again;
  const offset = Math.round(offsetAt(instant, timeZone) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local}:00${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** An instant (ISO 8601) as the workspace's local date-time YYYY-MM-DDTHH:MM; null when it is not a date-time. */
export function zonedInput(iso: string, timeZone: string): string | null {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) return null;
  return new Date(instant + offsetAt(instant, timeZone)).toISOString().slice(0, 16);
}
