import { z } from 'zod';
import { DEPARTMENTS, type Department } from '../charter/types.ts';
import { KEY_PATTERN, PropertyTest } from '../journey-map/model.ts';
import { WEEKDAYS, type WhenHeld } from '../scenarios/model.ts';
import { isValidTimezone } from '../shared/time.ts';

/**
 * Contact rules (governance): how the whole company — every department, every channel — may
 * contact one customer. One document per workspace (`ContactRules`), read by the decision
 * function (decide.ts) for every send before it goes out.
 *
 * - Frequency caps: "at most `max` contacts per `window`", counted over the channels, purposes
 *   and departments a cap names (absent: all). Windows slide (any `window`-long span), from one
 *   hour to 90 days. Only marketing messages are ever held back by a cap; transactional ones go
 *   regardless (and count towards a cap only when the cap names the purpose `transactional`).
 * - Quiet hours per channel in the customer's time zone: a span of the day (it may cross
 *   midnight: 21:00–09:00) and/or whole weekdays (no LINE on Sunday).
 * - Suppression: while support handles a complaint (an open complaint event, or an open task of
 *   the support department for the customer), no marketing contact; a customer attribute "do not
 *   contact until <date>".
 * - The global control group: a share of the customers (1–15 %) that no marketing scenario
 *   contacts, to measure the total effect of CRM.
 */

export const CONTACT_CHANNELS = ['email', 'line', 'sms', 'print', 'task'] as const;
/** Where a contact reaches the customer: email, LINE, SMS, print (DM, package insert), a task for people (a call). */
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

export const CONTACT_PURPOSES = ['marketing', 'transactional'] as const;
export type ContactPurpose = (typeof CONTACT_PURPOSES)[number];

const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM (24 h), e.g. 21:00');

/** The shortest and longest window a cap may count over (minutes). */
export const MIN_WINDOW_MINUTES = 60;
export const MAX_WINDOW_MINUTES = 90 * 24 * 60;
export const MAX_CAPS = 20;

export const CapWindow = z
  .strictObject({
    days: z.number().int().min(0).max(90).optional(),
    hours: z
      .number()
      .int()
      .min(0)
      .max(90 * 24)
      .optional(),
  })
  .refine((window) => windowMinutes(window) >= MIN_WINDOW_MINUTES, { message: 'a window is at least one hour' })
  .refine((window) => windowMinutes(window) <= MAX_WINDOW_MINUTES, { message: 'a window is at most 90 days' })
  .meta({ id: 'CapWindow', description: 'days and hours added together; from 1 hour to 90 days' });
export type CapWindow = z.infer<typeof CapWindow>;

export function windowMinutes(window: { days?: number | undefined; hours?: number | undefined }): number {
  return ((window.days ?? 0) * 24 + (window.hours ?? 0)) * 60;
}

export const FrequencyCap = z
  .strictObject({
    /** Unique among the workspace's caps; decisions name it. */
    id: z.string().regex(KEY_PATTERN, 'a rule id is lower-case letters, digits and _ (start with a letter), e.g. marketing_weekly'),
    name: z.string().trim().min(1).max(100),
    /** At most this many contacts in any window-long span. */
    max: z.number().int().min(1).max(1000),
    window: CapWindow,
    /** Counted channels; absent: every channel. */
    channels: z.array(z.enum(CONTACT_CHANNELS)).min(1).max(CONTACT_CHANNELS.length).optional(),
    /** Counted purposes; absent: marketing only. A transactional message is never held back, but counts when named here. */
    purposes: z.array(z.enum(CONTACT_PURPOSES)).min(1).max(2).optional(),
    /** Counted departments; absent: every department. */
    departments: z.array(z.enum(DEPARTMENTS)).min(1).max(DEPARTMENTS.length).optional(),
  })
  .meta({ id: 'FrequencyCap', description: 'At most `max` contacts in any `window`-long span, over the channels, purposes and departments it names' });
export type FrequencyCap = z.infer<typeof FrequencyCap>;

export const QuietHours = z
  .strictObject({
    channel: z.enum(CONTACT_CHANNELS),
    /** The span of the day when nothing is sent (from ≤ t < to; from > to crosses midnight). Absent both: whole days only. */
    from: LocalTime.optional(),
    to: LocalTime.optional(),
    /** Weekdays when nothing is sent on this channel all day. */
    weekdays: z.array(z.enum(WEEKDAYS)).max(7).optional(),
    /** Purposes held back; absent: marketing only. */
    purposes: z.array(z.enum(CONTACT_PURPOSES)).min(1).max(2).optional(),
  })
  .refine((quiet) => (quiet.from === undefined) === (quiet.to === undefined), { message: 'quiet hours name both "from" and "to", or neither' })
  .refine((quiet) => quiet.from === undefined || quiet.from !== quiet.to, { message: '"from" and "to" differ (a whole day: use weekdays)' })
  .refine((quiet) => quiet.from !== undefined || (quiet.weekdays?.length ?? 0) > 0, { message: 'quiet hours name a span ("from", "to") and/or weekdays' })
  .meta({ id: 'QuietHours', description: 'When a channel stays quiet, in the customer’s time zone' });
export type QuietHours = z.infer<typeof QuietHours>;

export const ContactRules = z
  .strictObject({
    /** The time zone of customers without one of their own; absent: the workspace's. */
    timezone: z
      .string()
      .refine((zone) => isValidTimezone(zone), { message: 'an IANA time zone, e.g. Asia/Tokyo' })
      .optional(),
    /** The customer attribute holding a customer's own IANA time zone (default "timezone"). */
    timezoneAttribute: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
      .default('timezone'),
    caps: z.array(FrequencyCap).max(MAX_CAPS).default([]),
    quietHours: z
      .array(QuietHours)
      .max(CONTACT_CHANNELS.length * 2)
      .default([]),
    complaints: z
      .strictObject({
        /** The event type that opens a complaint (support starts handling it). */
        openEvent: z
          .string()
          .regex(/^[a-z][a-z0-9_.]{0,63}$/)
          .default('support.complaint_opened'),
        /**
         * Tests the opening event's properties must pass, as a scenario trigger's `where` (a brand
         * that records every support contact as one event type: `[{ "property": "topic", "op": "=",
         * "value": "complaint" }]`); absent: every event of the type opens one.
         */
        openWhere: z.array(PropertyTest).min(1).max(10).optional(),
        /** A complaint no closing event closed counts as handled after this many days; absent: open until closed. */
        openForDays: z.number().int().min(1).max(365).optional(),
        /** The event type that closes it. */
        closeEvent: z
          .string()
          .regex(/^[a-z][a-z0-9_.]{0,63}$/)
          .default('support.complaint_resolved'),
        /** An open task of the support department for the customer counts as a complaint under way (but a marketing scenario's own follow-up call does not). */
        openSupportTask: z.boolean().default(true),
      })
      .default({ openEvent: 'support.complaint_opened', closeEvent: 'support.complaint_resolved', openSupportTask: true }),
    /** The customer attribute holding "do not contact until" (a date or date-time); marketing waits until then. */
    doNotContactAttribute: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
      .default('do_not_contact_until'),
    /** The global control group: this share (percent, 0 = none, else 1–15) of customers gets no marketing at all. */
    globalControlPercent: z
      .number()
      .int()
      .min(0)
      .max(15)
      .refine((percent) => percent === 0 || percent >= 1, { message: 'the global control group is 0 (none) or 1–15 %' })
      .default(0),
  })
  .superRefine((rules, context) => {
    const seen = new Set<string>();
    rules.caps.forEach((cap, index) => {
      if (seen.has(cap.id)) context.addIssue({ code: 'custom', path: ['caps', index, 'id'], message: `the rule id "${cap.id}" is used twice` });
      seen.add(cap.id);
    });
  })
  .meta({ id: 'ContactRules', description: 'The workspace’s contact rules: caps, quiet hours, suppression, global control group (docs/governance.md)' });
export type ContactRules = z.infer<typeof ContactRules>;
export type ContactRulesInput = z.input<typeof ContactRules>;

export const DEFAULT_CONTACT_RULES: ContactRules = ContactRules.parse({});

/** One contact of a customer in the ledger: sent (or under way), or scheduled (a deferred message holding its place). */
export interface LedgerContact {
  /** The ledger row's id. */
  id: string;
  /** The effect it belongs to (a scenario's send), or null (a one-off send, a task made by hand). */
  effectId: string | null;
  at: Date;
  channel: ContactChannel;
  purpose: ContactPurpose;
  department: Department;
  priority: number;
  state: 'sent' | 'scheduled';
  /** The scenario it belongs to, for "displaced by …". */
  scenarioId: string | null;
  scenarioName?: string | null;
}

/** A message asking to go now. */
export interface Candidate {
  effectId: string | null;
  channel: ContactChannel;
  purpose: ContactPurpose;
  department: Department;
  /** 1–100; higher goes first. */
  priority: number;
  scenarioId: string | null;
  /** When it was first due (the deadline of a deferral counts from here). */
  dueAt: Date;
  whenHeld: WhenHeld;
}

/** What else the decision knows about the customer. */
export interface CustomerFacts {
  /** The customer's IANA time zone (their own, or the rules', or the workspace's). */
  timezone: string;
  /** A complaint is being handled by support. */
  complaintOpen: boolean;
  /** "Do not contact until" (null: none). */
  doNotContactUntil: Date | null;
  /** Every contact from (now − the longest window) on, sent or scheduled. */
  contacts: readonly LedgerContact[];
}

/** The rule a decision names. */
export type RuleRef =
  | { kind: 'cap'; id: string; name: string }
  | { kind: 'quiet_hours'; channel: ContactChannel }
  | { kind: 'complaint' }
  | { kind: 'do_not_contact'; until: string };

export type Decision =
  | { kind: 'send'; displaced: LedgerContact[] }
  | { kind: 'defer'; until: Date; rule: RuleRef }
  | { kind: 'skip'; rule: RuleRef; why: 'deadline' | 'step_skips' | 'complaint' };
