import type { ConsentChannel, ConsentPurpose, IdentityKind } from '../db/schema.ts';
import { DAY_MS, HOUR_MS } from './calendar.ts';
import type { DemoPerson } from './person.ts';
import type { Random } from './random.ts';

export interface DemoIdentity {
  kind: IdentityKind;
  value: string;
  createdAt: number;
}

export interface DemoConsentChange {
  status: 'granted' | 'withdrawn';
  at: number;
  source: string;
}

/** One channel × purpose: its history, oldest first; the last change is the current state. */
export interface DemoConsent {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  changes: DemoConsentChange[];
}

export interface DemoContact {
  identities: DemoIdentity[];
  consents: DemoConsent[];
}

/** How a lead came to the brand; it decides which contact details the form asked for. */
export type LeadSource = 'sample_request' | 'newsletter' | 'line_friend' | 'campaign';

export interface ContactParams {
  person: DemoPerson;
  registeredAt: number;
  endMs: number;
  /** Undefined for customers. */
  leadSource?: LeadSource;
}

/**
 * Identities (email, phone, LINE) and consents of a profile. Customers who order by phone or
 * postcard often give no email; younger ones link LINE. Order forms grant transactional
 * consent on every channel given and ask separately for marketing; a share later withdraws
 * marketing consent (unsubscribe link, LINE block, a call asking for no more DMs).
 */
export function drawContact(random: Random, params: ContactParams): DemoContact {
  const { person, registeredAt, endMs, leadSource } = params;
  const isLead = leadSource !== undefined;
  const offline = person.channel === 'phone' || person.channel === 'other';
  const hasEmail = isLead || random.chance(offline ? 0.55 : 0.97);
  const hasPhone = isLead ? random.chance(0.25) : random.chance(offline ? 1 : 0.92);
  const lineLinked =
    leadSource === 'line_friend' || person.channel === 'line' || random.chance(isLead ? 0.1 : person.age < 40 ? 0.45 : person.age < 60 ? 0.32 : 0.18);
  const lineAddedAt =
    leadSource === 'line_friend' || person.channel === 'line' || random.chance(0.3)
      ? registeredAt
      : Math.min(registeredAt + random.int(1, 300) * DAY_MS + random.int(0, 23) * HOUR_MS, endMs - DAY_MS);

  const identities: DemoIdentity[] = [];
  const consents: DemoConsent[] = [];
  const formSource = leadSource ?? 'order_form';
  const grant = (
    channel: ConsentChannel,
    purpose: ConsentPurpose,
    at: number,
    source: string,
    withdraw?: { probability: number; meanDays: number; source: string },
  ) => {
    const changes: DemoConsentChange[] = [{ status: 'granted', at, source }];
    if (withdraw && random.chance(withdraw.probability)) {
      const withdrawnAt = at + Math.max(1, Math.round(random.exponential(withdraw.meanDays))) * DAY_MS + random.int(0, 86_399) * 1000;
      if (withdrawnAt < endMs) changes.push({ status: 'withdrawn', at: withdrawnAt, source: withdraw.source });
    }
    consents.push({ channel, purpose, changes });
  };

  if (hasEmail) {
    identities.push({ kind: 'email', value: person.email, createdAt: registeredAt });
    if (!isLead) grant('email', 'transactional', registeredAt, formSource);
    if (random.chance(isLead ? 0.95 : 0.72))
      grant('email', 'marketing', registeredAt, formSource, { probability: 0.15, meanDays: 240, source: 'unsubscribe_link' });
  }
  if (hasPhone) {
    identities.push({ kind: 'phone', value: person.phone, createdAt: registeredAt });
    if (!isLead && random.chance(0.55)) grant('sms', 'transactional', registeredAt, formSource);
    if (!isLead && random.chance(0.1)) grant('sms', 'marketing', registeredAt, formSource, { probability: 0.2, meanDays: 200, source: 'sms_stop_reply' });
  }
  if (lineLinked && lineAddedAt < endMs) {
    identities.push({ kind: 'line_user_id', value: person.lineUserId, createdAt: lineAddedAt });
    grant('line', 'marketing', lineAddedAt, 'line_friend_add', { probability: 0.18, meanDays: 150, source: 'line_block' });
    if (!isLead) grant('line', 'transactional', lineAddedAt, 'line_id_link');
  }
  if (!isLead) {
    grant('postal', 'transactional', registeredAt, formSource);
    if (random.chance(0.85)) grant('postal', 'marketing', registeredAt, formSource, { probability: 0.08, meanDays: 300, source: 'support_call' });
  } else if (leadSource === 'sample_request') {
    grant('postal', 'marketing', registeredAt, formSource, { probability: 0.05, meanDays: 200, source: 'support_call' });
  }
  return { identities, consents };
}

/** Whether `consent` (if any) is granted at instant `at`. */
export function isGrantedAt(consent: DemoConsent | undefined, at: number): boolean {
  if (!consent) return false;
  let granted = false;
  for (const change of consent.changes) {
    if (change.at > at) break;
    granted = change.status === 'granted';
  }
  return granted;
}
