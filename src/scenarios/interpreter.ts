import { createHash } from 'node:crypto';
import type { Condition, PropertyTest } from '../journey-map/model.ts';
import { assertNever } from '../shared/errors.ts';
import { localDateOf, zonedTimeToUtc } from '../shared/time.ts';
import {
  durationMinutes,
  type EffectTimelinePoint,
  MAX_STEPS,
  type ScenarioDocument,
  type ScenarioPurpose,
  type ScenarioStep,
  type StepOf,
  WEEKDAYS,
  type Weekday,
} from './model.ts';

/**
 * The scenario interpreter: one pure function that moves an enrollment through its scenario
 * version's steps. It reads no database, no clock and sends nothing: the caller gives it the
 * moment (`now`), the customer's facts as a predicate over the journey-rule vocabulary, and the
 * product's effect timeline; it answers with the enrollment's next state, the effects to
 * perform (sends, tasks, attribute updates, each with a deterministic key) and the one wake-up
 * to schedule. The runtime (jobs on PostgreSQL) persists the state, records each effect under
 * its key before performing it, and schedules the wake-up as the job `step:${enrollmentId}:${stepId}`.
 *
 * Steps that take no time (branch, split, send, task, update attribute) run one after another
 * in the same call; a wait stops the call. Each entry into a step counts one `visit`, so a step
 * reached again through a loop (the checker requires a wait in every loop) keys its effects anew.
 */

/** Why a step runs at this moment: the rule of the wait before it (or the trigger). Stored with every send. */
export type Timing =
  | { kind: 'trigger'; at: string }
  | { kind: 'after'; minutes: number; since: string }
  | { kind: 'local_time'; time: string | null; weekdays: Weekday[] | null }
  | {
      kind: 'effect';
      point: EffectTimelinePoint;
      offsetDays: number;
      sku: string;
      productName: string;
      deliveredAt: string;
      /** Days from the delivery to this moment's day (the point's days plus the offset). */
      days: number;
    }
  | { kind: 'event'; type: string; ref: string }
  | { kind: 'timeout'; type: string; minutes: number };

export type EnrollmentStatus = 'active' | 'completed' | 'exited';

/** An enrollment as the interpreter sees it (the runtime stores it). */
export interface EnrollmentState {
  /** The enrollment's id: part of every key. */
  id: string;
  status: EnrollmentStatus;
  /** The step it is at (waiting in it), or null once finished. */
  stepId: string | null;
  /** Entries into steps so far (the current step's entry is the last). */
  visit: number;
  /** When it entered the current step. */
  since: string;
  /** Why the steps it runs now run at this moment. */
  timing: Timing;
  /** Why it left (exited). */
  exitReason: string | null;
}

/** An effect to perform; `key` is deterministic, so a retry finds it done. */
export type StepEffect =
  | { kind: 'send'; key: string; stepId: string; channel: 'email'; templateId: string; purpose: ScenarioPurpose; timing: Timing }
  | {
      kind: 'task';
      key: string;
      stepId: string;
      department: StepOf<'task'>['department'];
      title: string;
      description: string | null;
      dueAt: string;
      timing: Timing;
    }
  | { kind: 'update_attribute'; key: string; stepId: string; name: string; value: unknown };

/** What happened, step by step (the dry run's path and the per-step counters). */
export interface PathEntry {
  stepId: string;
  kind: ScenarioStep['kind'];
  at: string;
  /** entered: it waits here; passed: it went on (to `next`); exited; completed. */
  outcome: 'waiting' | 'passed' | 'exited' | 'completed';
  next?: string | null;
  /** The wake-up scheduled (waiting). */
  until?: string;
  /** A branch's answer, a split's arm, an event's reference … */
  detail?: string;
}

/** The product's effect timeline as the wait_for_effect step reads it. */
export interface EffectTimeline {
  sku: string;
  name: string;
  /** The delivery of the trigger's order (or of the named product's last order); null: not delivered yet. */
  deliveredAt: Date | null;
  firstFeelingDays: number | null;
  clearDays: number | null;
}

export interface StepContext {
  now: Date;
  /** The workspace's time zone (local times, weekdays, days after a delivery). */
  timezone: string;
  /** Whether a condition holds for the customer now. */
  holds(condition: Condition): boolean;
  /** The effect timeline of a product (its SKU), or of the trigger order's product (undefined); null when unknown. */
  effectTimeline(sku: string | undefined): EffectTimeline | null;
}

/** What woke the enrollment. */
export type Wake =
  /** It enters the scenario now (the trigger). */
  | { kind: 'enter'; triggerAt?: string }
  /** A scheduled wake-up of step `stepId` at visit `visit` came due (a wait ended, an event wait timed out). */
  | { kind: 'due'; stepId: string; visit: number }
  /** The event a wait_for_event step waits for arrived (`ref`: its id or idempotency key). */
  | { kind: 'event'; stepId: string; visit: number; ref: string }
  /** A fact the current wait depends on changed (a delivery recorded): compute its moment again. */
  | { kind: 'recheck'; stepId: string; visit: number };

export interface Advance {
  state: EnrollmentState;
  effects: StepEffect[];
  /** The wake-up to schedule for the step it waits in (none: finished, or waiting for a delivery). */
  schedule: { stepId: string; visit: number; at: string } | null;
  /** The event a wait_for_event step waits for (until its timeout, scheduled above). */
  waitFor: { type: string; where: PropertyTest[]; until: string } | null;
  /** The step waits for a delivery to be recorded before its moment can be known (wait_for_effect). */
  waitingForDelivery: boolean;
  path: PathEntry[];
  /** Whether the wake was for another step or visit than the enrollment is at (a stale job): nothing changed. */
  stale: boolean;
}

const MINUTE = 60_000;

/** A new enrollment, before `advance(…, { kind: 'enter' })`. */
export function newEnrollment(id: string, now: Date): EnrollmentState {
  const at = now.toISOString();
  return { id, status: 'active', stepId: null, visit: 0, since: at, timing: { kind: 'trigger', at }, exitReason: null };
}

/** Moves the enrollment as far as it can go at ctx.now. */
export function advance(document: ScenarioDocument, enrollment: EnrollmentState, wake: Wake, ctx: StepContext): Advance {
  const steps = new Map(document.steps.map((step) => [step.id, step]));
  const now = ctx.now.toISOString();
  const run = new Run(enrollment, ctx, document.purpose);
  if (enrollment.status !== 'active') return run.finish(true);
  let next: string | null;
  switch (wake.kind) {
    case 'enter': {
      if (enrollment.stepId !== null) return run.finish(true);
      run.state.timing = { kind: 'trigger', at: wake.triggerAt ?? now };
      next = document.start;
      break;
    }
    case 'due':
    case 'event':
    case 'recheck': {
      if (enrollment.stepId !== wake.stepId || enrollment.visit !== wake.visit) return run.finish(true);
      const step = steps.get(wake.stepId);
      if (!step) {
        run.exit(wake.stepId, 'wait', `the step ${wake.stepId} is not in this version`);
        return run.finish(false);
      }
      if (wake.kind === 'recheck') {
        // Only a wait on the effect timeline depends on facts that change (the delivery).
        if (step.kind !== 'wait_for_effect') return run.finish(true);
        return run.continueFrom(step, steps);
      }
      const resumed = run.resume(step, wake);
      if (resumed === undefined) return run.finish(true);
      next = resumed;
      break;
    }
    default:
      return assertNever(wake, 'wake');
  }
  return run.from(next, steps);
}

class Run {
  readonly state: EnrollmentState;
  readonly effects: StepEffect[] = [];
  readonly path: PathEntry[] = [];
  schedule: Advance['schedule'] = null;
  waitFor: Advance['waitFor'] = null;
  waitingForDelivery = false;

  constructor(
    enrollment: EnrollmentState,
    private readonly ctx: StepContext,
    /** The scenario's purpose: a send's, unless the step names its own. */
    private readonly purpose: ScenarioPurpose,
  ) {
    this.state = { ...enrollment };
  }

  private get now(): string {
    return this.ctx.now.toISOString();
  }

  finish(stale: boolean): Advance {
    return {
      state: this.state,
      effects: this.effects,
      schedule: this.schedule,
      waitFor: this.waitFor,
      waitingForDelivery: this.waitingForDelivery,
      path: this.path,
      stale,
    };
  }

  exit(stepId: string, kind: ScenarioStep['kind'], reason: string): void {
    this.state.status = 'exited';
    this.state.stepId = null;
    this.state.exitReason = reason;
    this.path.push({ stepId, kind, at: this.now, outcome: 'exited', detail: reason });
  }

  /** A wait in `step` ended (due) or its event came: where it goes on, with the timing of that moment; undefined: not a wake this step takes. */
  resume(step: ScenarioStep, wake: Extract<Wake, { kind: 'due' | 'event' }>): string | null | undefined {
    const waited = durationSince(this.state.since, this.ctx.now);
    switch (step.kind) {
      case 'wait':
        this.state.timing = { kind: 'after', minutes: durationMinutes(step.duration), since: this.state.since };
        return this.passed(step, step.next);
      case 'wait_until':
        this.state.timing = { kind: 'local_time', time: step.time ?? null, weekdays: step.weekdays ?? null };
        return this.passed(step, step.next);
      case 'wait_for_effect': {
        // The timing was set when the moment was computed (kept in state while it waits).
        return this.passed(step, step.next);
      }
      case 'wait_for_event':
        if (wake.kind === 'event') {
          this.state.timing = { kind: 'event', type: step.type, ref: wake.ref };
          return this.passed(step, step.next, `event ${wake.ref}`);
        }
        this.state.timing = { kind: 'timeout', type: step.type, minutes: Math.round(waited / MINUTE) };
        return this.passed(step, step.timeoutNext, 'timeout');
      case 'branch':
      case 'split':
      case 'send':
      case 'task':
      case 'update_attribute':
      case 'exit':
        return undefined;
      default:
        return assertNever(step, 'step');
    }
  }

  private passed(step: ScenarioStep, next: string | null, detail?: string): string | null {
    this.path.push({ stepId: step.id, kind: step.kind, at: this.now, outcome: 'passed', next, ...(detail ? { detail } : {}) });
    return next;
  }

  /** Runs steps from `first` until a wait, the end or an exit. */
  from(first: string | null, steps: Map<string, ScenarioStep>): Advance {
    let next = first;
    for (let guard = 0; guard <= MAX_STEPS; guard++) {
      if (next === null) {
        this.state.status = 'completed';
        const last = this.path.at(-1);
        this.state.stepId = null;
        if (last) this.path.push({ stepId: last.stepId, kind: last.kind, at: this.now, outcome: 'completed' });
        return this.finish(false);
      }
      const step = steps.get(next);
      if (!step) {
        this.exit(next, 'exit', `the step ${next} is not in this version`);
        return this.finish(false);
      }
      this.state.stepId = step.id;
      this.state.visit++;
      this.state.since = this.now;
      const outcome = this.enter(step);
      if (outcome.wait) return this.finish(false);
      if (this.state.status !== 'active') return this.finish(false);
      next = outcome.next;
    }
    // The checker refuses loops without a wait; a version that slipped through stops here.
    this.exit(next ?? '', 'exit', `more than ${MAX_STEPS} steps without a wait`);
    return this.finish(false);
  }

  /** The current step computes its moment again (a recheck) without counting a new visit. */
  continueFrom(step: StepOf<'wait_for_effect'>, steps: Map<string, ScenarioStep>): Advance {
    const outcome = this.waitForEffect(step);
    if (outcome.wait) return this.finish(false);
    return this.from(outcome.next, steps);
  }

  /** Enters one step: the next step id, or `wait` when it stops here. */
  private enter(step: ScenarioStep): { wait: true } | { wait: false; next: string | null } {
    const key = (kind: string) => `${kind}:${this.state.id}:${step.id}:${this.state.visit}`;
    switch (step.kind) {
      case 'wait':
        return this.waitUntil(step, new Date(this.ctx.now.getTime() + durationMinutes(step.duration) * MINUTE));
      case 'wait_until': {
        const at = nextLocalMoment(this.ctx.now, this.ctx.timezone, step.time ?? null, step.weekdays ?? null);
        if (at.getTime() <= this.ctx.now.getTime()) {
          this.state.timing = { kind: 'local_time', time: step.time ?? null, weekdays: step.weekdays ?? null };
          return { wait: false, next: this.passed(step, step.next) };
        }
        return this.waitUntil(step, at);
      }
      case 'wait_for_effect':
        return this.waitForEffect(step);
      case 'wait_for_event': {
        const until = new Date(this.ctx.now.getTime() + durationMinutes(step.timeout) * MINUTE).toISOString();
        this.waitFor = { type: step.type, where: step.where ?? [], until };
        return this.waitUntil(step, new Date(until));
      }
      case 'branch': {
        const holds = this.ctx.holds(step.condition);
        const next = holds ? step.thenNext : step.elseNext;
        return { wait: false, next: this.passed(step, next, holds ? 'then' : 'else') };
      }
      case 'split': {
        const arm = pickArm(step, `${this.state.id}:${step.id}:${this.state.visit}`);
        return { wait: false, next: this.passed(step, step.arms[arm]!.next, `arm ${arm + 1}`) };
      }
      case 'send':
        this.effects.push({
          kind: 'send',
          key: key('send'),
          stepId: step.id,
          channel: step.channel,
          templateId: step.templateId,
          purpose: step.purpose ?? this.purpose,
          timing: this.state.timing,
        });
        return { wait: false, next: this.passed(step, step.next) };
      case 'task':
        this.effects.push({
          kind: 'task',
          key: key('task'),
          stepId: step.id,
          department: step.department,
          title: step.title,
          description: step.description ?? null,
          dueAt: new Date(this.ctx.now.getTime() + durationMinutes(step.due) * MINUTE).toISOString(),
          timing: this.state.timing,
        });
        return { wait: false, next: this.passed(step, step.next) };
      case 'update_attribute':
        this.effects.push({ kind: 'update_attribute', key: key('attribute'), stepId: step.id, name: step.name, value: step.value });
        return { wait: false, next: this.passed(step, step.next) };
      case 'exit':
        this.exit(step.id, step.kind, 'exit step');
        return { wait: true };
      default:
        return assertNever(step, 'step');
    }
  }

  private waitUntil(step: ScenarioStep, at: Date): { wait: true } {
    const until = at.toISOString();
    this.schedule = { stepId: step.id, visit: this.state.visit, at: until };
    this.path.push({ stepId: step.id, kind: step.kind, at: this.now, outcome: 'waiting', until });
    return { wait: true };
  }

  private waitForEffect(step: StepOf<'wait_for_effect'>): { wait: true } | { wait: false; next: string | null } {
    const timeline = this.ctx.effectTimeline(step.product);
    if (!timeline) {
      this.exit(step.id, step.kind, step.product ? `the product ${step.product} is unknown` : 'the trigger names no product');
      return { wait: true };
    }
    const pointDays = step.point === 'delivered' ? 0 : step.point === 'first_feeling' ? timeline.firstFeelingDays : timeline.clearDays;
    if (pointDays === null) {
      this.exit(step.id, step.kind, `${timeline.name} has no ${step.point === 'clear' ? 'days to a clear effect' : 'days to the first feeling'}`);
      return { wait: true };
    }
    if (timeline.deliveredAt === null) {
      // The moment is known once the delivery is recorded (a recheck wakes it then).
      this.waitingForDelivery = true;
      this.path.push({ stepId: step.id, kind: step.kind, at: this.now, outcome: 'waiting', detail: 'until delivered' });
      return { wait: true };
    }
    const days = pointDays + (step.offsetDays ?? 0);
    const at = addLocalDays(timeline.deliveredAt, days, this.ctx.timezone);
    this.state.timing = {
      kind: 'effect',
      point: step.point,
      offsetDays: step.offsetDays ?? 0,
      sku: timeline.sku,
      productName: timeline.name,
      deliveredAt: timeline.deliveredAt.toISOString(),
      days,
    };
    if (at.getTime() <= this.ctx.now.getTime()) return { wait: false, next: this.passed(step, step.next, 'already past') };
    return this.waitUntil(step, at);
  }
}

/** Minutes are counted in ms between an ISO instant and now. */
function durationSince(since: string, now: Date): number {
  return Math.max(0, now.getTime() - Date.parse(since));
}

/** The arm of a weighted split for a key: a hash of the key, uniform over the weights' total. */
export function pickArm(step: StepOf<'split'>, key: string): number {
  const total = step.arms.reduce((sum, arm) => sum + arm.weight, 0);
  const digest = createHash('sha256').update(key).digest();
  // 48 bits of the hash, uniform in [0, 1).
  const unit = digest.readUIntBE(0, 6) / 2 ** 48;
  let point = unit * total;
  for (const [index, arm] of step.arms.entries()) {
    if (point < arm.weight) return index;
    point -= arm.weight;
  }
  return step.arms.length - 1;
}

/** The same local time of day `days` local calendar days later (DST-safe: the wall clock, not 24 h steps). */
export function addLocalDays(instant: Date, days: number, timezone: string): Date {
  const parts = localParts(instant, timezone);
  const date = new Date(Date.UTC(parts.year, parts.month - 1, parts.day + days));
  return zonedTimeToUtc(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), parts.hour, parts.minute, parts.second, 0, timezone);
}

/**
 * The first moment at or after `now` (to the minute) whose local time is `time` (HH:MM; null:
 * any time of day, i.e. now, or the start of the next allowed day) on one of `weekdays` (null:
 * any day). Reached at 10:00:30, "10:00" is now; at 10:01, tomorrow.
 */
export function nextLocalMoment(now: Date, timezone: string, time: string | null, weekdays: readonly Weekday[] | null): Date {
  const today = localParts(now, timezone);
  const [hour, minute] = time ? (time.split(':').map(Number) as [number, number]) : [0, 0];
  const thisMinute = now.getTime() - (now.getTime() % MINUTE);
  for (let offset = 0; offset <= 7; offset++) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const weekday = WEEKDAYS[(day.getUTCDay() + 6) % 7]!;
    if (weekdays && !weekdays.includes(weekday)) continue;
    if (offset === 0 && time === null) return now;
    const candidate = zonedTimeToUtc(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), hour, minute, 0, 0, timezone);
    if (offset > 0) return candidate;
    if (candidate.getTime() >= thisMinute) return candidate.getTime() < now.getTime() ? now : candidate;
  }
  throw new Error('a weekday set names no day');
}

function localParts(instant: Date, timezone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const [year, month, day] = localDateOf(instant, timezone).split('-').map(Number) as [number, number, number];
  const clock = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(
    instant,
  );
  const part = (type: string) => Number(clock.find((p) => p.type === type)!.value);
  return { year, month, day, hour: part('hour'), minute: part('minute'), second: part('second') };
}
