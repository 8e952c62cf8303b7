/**
 * The event types Kizuna knows without having seen them: the ones its channels and
 * subscription changes record, and the usual web, LINE, support and survey events. A journey
 * map's rule may name these, or any type the workspace's events have (src/journey-map/rules/
 * check-map.ts); the demo brand generates exactly these (src/demo/behaviour-events.ts).
 */
export const STANDARD_EVENT_TYPES = [
  'page_view',
  'email_open',
  'email_click',
  'line_message',
  'support_contact',
  'survey_answer',
  'subscription_started',
  'subscription_paused',
  'subscription_resumed',
  'subscription_skipped',
  'subscription_cancelled',
] as const;
export type StandardEventType = (typeof STANDARD_EVENT_TYPES)[number];
