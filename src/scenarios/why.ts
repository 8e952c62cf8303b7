import type pg from 'pg';
import { assertNever } from '../shared/errors.ts';
import type { Timing } from './interpreter.ts';
import { type ScenarioTrigger, ScenarioDocument, type Weekday } from './model.ts';
import type { TriggerRecord } from './runtime/enrollments.ts';

/**
 * Why a customer receives a message, in words: the structured reason every effect keeps
 * (scenario_effects.why: the scenario, its version, the step, the trigger and the timing) turned
 * into a sentence in the charter's voice (polite です・ます) and in English. The email footer
 * shows it under 「このメールをお送りした理由」; the customer's page and the timeline show it too.
 * docs/scenarios.md ("Effects and why") has the wording table.
 */

/** The structured reason of an effect, as the runtime writes it (scenario_effects.why). */
export interface Why {
  scenarioId: string;
  /** The scenario's key. */
  key: string;
  version: number;
  stepId: string;
  trigger: TriggerRecord;
  timing: Timing;
}

/** The display names a reason needs (loadWhyNames reads them). */
export interface WhyNames {
  /** The scenario's name (of the version the customer is in); absent: its key is shown. */
  scenarioName?: string;
  /** The scenario's trigger as published (the change of a subscription trigger, a date attribute …). */
  trigger?: ScenarioTrigger;
  /** Product names by SKU. */
  products?: Record<string, string>;
  /** The journey map's stage and level names by key. */
  stages?: Record<string, string>;
  levels?: Record<string, string>;
}

export type WhyLocale = 'ja' | 'en';

/** Words for an event type: who did it, and the thing itself (for "did not … in 3 days"). */
interface EventWords {
  ja: { who: string; noun: string };
  en: { who: string; noun: string };
}

/** The standard event types (src/events/event-types.ts) in words. */
export const EVENT_WORDS: Record<string, EventWords> = {
  page_view: {
    ja: { who: 'サイトのページをご覧になった方', noun: 'サイトのご覧' },
    en: { who: 'you viewed a page of our site', noun: 'a visit to our site' },
  },
  email_open: { ja: { who: 'メールを開封された方', noun: 'メールの開封' }, en: { who: 'you opened our email', noun: 'an opened email' } },
  email_click: {
    ja: { who: 'メール内のリンクをクリックされた方', noun: 'メール内のリンクのクリック' },
    en: { who: 'you clicked a link in our email', noun: 'a click on a link in our email' },
  },
  line_message: {
    ja: { who: 'LINEでメッセージをお送りいただいた方', noun: 'LINEでのメッセージ' },
    en: { who: 'you sent us a message on LINE', noun: 'a message on LINE' },
  },
  support_contact: { ja: { who: 'お問い合わせをいただいた方', noun: 'お問い合わせ' }, en: { who: 'you contacted us', noun: 'an enquiry' } },
  survey_answer: {
    ja: { who: 'アンケートにお答えいただいた方', noun: 'アンケートへのご回答' },
    en: { who: 'you answered our survey', noun: 'an answer to our survey' },
  },
  subscription_started: { ja: { who: '定期便を始められた方', noun: '定期便の開始' }, en: { who: 'you started a subscription', noun: 'a new subscription' } },
  subscription_paused: {
    ja: { who: '定期便をお休みされた方', noun: '定期便のお休み' },
    en: { who: 'you paused your subscription', noun: 'a paused subscription' },
  },
  subscription_resumed: {
    ja: { who: '定期便を再開された方', noun: '定期便の再開' },
    en: { who: 'you resumed your subscription', noun: 'a resumed subscription' },
  },
  subscription_skipped: {
    ja: { who: '定期便のお届けを1回お休みされた方', noun: '定期便のお届けのお休み' },
    en: { who: 'you skipped a delivery of your subscription', noun: 'a skipped delivery' },
  },
  subscription_cancelled: {
    ja: { who: '定期便を解約された方', noun: '定期便の解約' },
    en: { who: 'you cancelled your subscription', noun: 'a cancelled subscription' },
  },
};

function eventWords(type: string): EventWords {
  return (
    EVENT_WORDS[type] ?? {
      ja: { who: `「${type}」の記録があった方`, noun: `「${type}」の記録` },
      en: { who: `we recorded "${type}" for you`, noun: `a "${type}" event` },
    }
  );
}

const WEEKDAY_WORDS: Record<Weekday, { ja: string; en: string }> = {
  mon: { ja: '月曜日', en: 'Monday' },
  tue: { ja: '火曜日', en: 'Tuesday' },
  wed: { ja: '水曜日', en: 'Wednesday' },
  thu: { ja: '木曜日', en: 'Thursday' },
  fri: { ja: '金曜日', en: 'Friday' },
  sat: { ja: '土曜日', en: 'Saturday' },
  sun: { ja: '日曜日', en: 'Sunday' },
};

/** A duration in words: 2日, 3時間, 1日と6時間, 30分 / 2 days, 3 hours … */
export function durationInWords(minutes: number, locale: WhyLocale): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (locale === 'ja') {
    const parts = [days ? `${days}日` : '', hours ? `${hours}時間` : '', rest ? `${rest}分` : ''].filter(Boolean);
    return parts.length > 0 ? parts.join('と') : '0分';
  }
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [days ? unit(days, 'day') : '', hours ? unit(hours, 'hour') : '', rest ? unit(rest, 'minute') : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' and ') : '0 minutes';
}

function productName(sku: string | null | undefined, names: WhyNames): string | null {
  if (!sku) return null;
  return names.products?.[sku] ?? sku;
}

function cellName(ref: string | null, names: WhyNames, locale: WhyLocale): string | null {
  const trigger = names.trigger;
  const [stageKey, levelKey] = ref?.split('/') ?? [
    trigger && (trigger.kind === 'cell_entered' || trigger.kind === 'cell_left') ? trigger.stage : undefined,
    trigger && (trigger.kind === 'cell_entered' || trigger.kind === 'cell_left') ? trigger.level : undefined,
  ];
  const stage = stageKey ? (names.stages?.[stageKey] ?? stageKey) : null;
  const level = levelKey ? (names.levels?.[levelKey] ?? levelKey) : null;
  const parts = [stage, level].filter((part): part is string => part !== null);
  if (parts.length === 0) return null;
  return locale === 'ja' ? parts.join('・') : parts.join(' / ');
}

/** The trigger in words: who it is for (「ご注文いただいた方」) and the moment to count from (「ご注文いただいて」). */
function triggerWords(why: Why, names: WhyNames, locale: WhyLocale): { who: string; since: string } {
  const record = why.trigger;
  const published = names.trigger?.kind === record.kind ? names.trigger : undefined;
  const ja = locale === 'ja';
  switch (record.kind) {
    case 'order': {
      const product = productName(record.sku, names);
      if (ja)
        return product
          ? { who: `${product}をご注文いただいた方`, since: `${product}をご注文いただいて` }
          : { who: 'ご注文いただいた方', since: 'ご注文いただいて' };
      return product ? { who: `you ordered ${product}`, since: `you ordered ${product}` } : { who: 'you placed an order', since: 'you placed an order' };
    }
    case 'cell_entered':
    case 'cell_left': {
      const cell = cellName(record.ref, names, locale);
      const entered = record.kind === 'cell_entered';
      if (ja) {
        const verb = entered ? 'になられた' : 'から移られた';
        const phrase = cell ? `お客様とのお付き合いが「${cell}」${verb}` : `お客様とのお付き合いの段階が変わった`;
        return { who: `${phrase}方`, since: `${phrase.replace(/た$/, 'て')}` };
      }
      const phrase = cell ? `your relationship with us ${entered ? 'reached' : 'moved on from'} "${cell}"` : 'your relationship with us reached a new stage';
      return { who: phrase, since: phrase };
    }
    case 'event': {
      const words = eventWords(published?.kind === 'event' ? published.type : (record.ref ?? 'event'));
      return ja ? { who: words.ja.who, since: `${words.ja.noun}があって` } : { who: words.en.who, since: words.en.who };
    }
    case 'subscription': {
      const change = published?.kind === 'subscription' ? published.change : null;
      const words = change === 'delivery' ? null : change ? eventWords(`subscription_${change}`) : null;
      if (ja) {
        if (change === 'delivery') return { who: '定期便をお届けした方', since: '定期便をお届けして' };
        return words ? { who: words.ja.who, since: `${words.ja.noun}から` } : { who: '定期便をご利用の方', since: '定期便のご変更から' };
      }
      if (change === 'delivery') return { who: 'we delivered your subscription', since: 'we delivered your subscription' };
      return words ? { who: words.en.who, since: words.en.who } : { who: 'you have a subscription with us', since: 'your subscription changed' };
    }
    case 'date_attribute': {
      const attribute = published?.kind === 'date_attribute' ? published.attribute : null;
      const offset = published?.kind === 'date_attribute' ? published.offsetDays : 0;
      const isBirthday = attribute !== null && /^(birthday|birth_date|date_of_birth)$/i.test(attribute);
      if (ja) {
        const day = isBirthday ? 'お誕生日' : attribute ? `ご登録の日付（${attribute}）` : 'ご登録の日付';
        const when = offset === 0 ? `${day}当日の方` : offset < 0 ? `${day}の${-offset}日前の方` : `${day}から${offset}日目の方`;
        return { who: when, since: `${day}から` };
      }
      const day = isBirthday ? 'your birthday' : attribute ? `your date "${attribute}"` : 'a date you gave us';
      const when = offset === 0 ? `it is ${day}` : offset < 0 ? `${day} is in ${-offset} days` : `${day} was ${offset} days ago`;
      return { who: when, since: `${day}` };
    }
    case 'subscription_anniversary': {
      const offset = published?.kind === 'subscription_anniversary' ? published.offsetDays : 0;
      if (ja) {
        const day = '定期便を始められた記念日';
        const when = offset === 0 ? `${day}を迎えられた方` : offset < 0 ? `${day}の${-offset}日前の方` : `${day}から${offset}日目の方`;
        return { who: when, since: `${day}から` };
      }
      const when =
        offset === 0
          ? 'it is the anniversary of your subscription'
          : offset < 0
            ? `the anniversary of your subscription is in ${-offset} days`
            : `the anniversary of your subscription was ${offset} days ago`;
      return { who: when, since: 'the anniversary of your subscription' };
    }
    case 'audience':
      return ja
        ? { who: 'ご案内の対象のお客様', since: 'ご案内の対象になられて' }
        : { who: 'you are among the customers this is meant for', since: 'you became one of them' };
    default:
      return assertNever(record.kind, 'trigger kind');
  }
}

/** Whether a wait started when the customer entered the scenario (its time is the trigger's). */
function startedAtTrigger(since: string, trigger: TriggerRecord): boolean {
  return Math.abs(new Date(since).getTime() - new Date(trigger.at).getTime()) < 60_000;
}

/**
 * The reason of an effect in words, one sentence for the reason and one naming the scenario.
 *
 * @example
 * whyInWords(why, { scenarioName: '引き上げCRM', products: { 'MNR-AOJ-TRIAL14': 'みのり青汁 お試し14日分' } }, 'ja')
 * // 'みのり青汁 お試し14日分をお届けしてから14日目の方にお送りしています。「引き上げCRM」のご案内です。'
 */
export function whyInWords(why: Why, names: WhyNames, locale: WhyLocale): string {
  const reason = reasonInWords(why, names, locale);
  const scenario = names.scenarioName ?? why.key;
  return locale === 'ja'
    ? `${reason}にお送りしています。「${scenario}」のご案内です。`
    : `We are sending you this because ${reason}. It is part of "${scenario}".`;
}

/** The kinds of rule that can hold a message back (the contact rules, src/governance/model.ts RuleRef). */
export type HeldBy = 'cap' | 'quiet_hours' | 'do_not_contact';

/**
 * What the customer is told when the contact rules moved a message (it went later than it was
 * due): a sentence added to the reason, in the customer's terms — the brand's internal rule is
 * not named. Null for any other kind.
 */
export function heldInWords(kind: string | null | undefined, locale: WhyLocale): string | null {
  const ja = locale === 'ja';
  switch (kind) {
    case 'cap':
      return ja ? 'ほかのご案内と続かないよう、お送りする時刻を調整しました。' : 'We moved it so that it would not follow another message too closely.';
    case 'quiet_hours':
      return ja ? '夜間や休日のご連絡を控えるため、お送りする時刻を調整しました。' : 'We held it back outside quiet hours.';
    case 'do_not_contact':
      return ja ? 'ご連絡を控える期間が明けてからお送りしています。' : 'We waited until the end of the period without contact.';
    default:
      return null;
  }
}

/** The reason with the note of a message the contact rules moved (heldInWords), when there is one. */
export function whyInWordsHeld(why: Why, names: WhyNames, locale: WhyLocale, heldBy: string | null | undefined): string {
  const note = heldInWords(heldBy, locale);
  const reason = whyInWords(why, names, locale);
  return note ? `${reason}${locale === 'ja' ? '' : ' '}${note}` : reason;
}

/**
 * The reason without the closing: 「…の方」 / "you …" (whyInWords wraps it for the customer; a
 * task for people shows it to the operator as is).
 */
export function reasonInWords(why: Why, names: WhyNames, locale: WhyLocale): string {
  const timing = why.timing;
  const ja = locale === 'ja';
  switch (timing.kind) {
    case 'trigger':
      return triggerWords(why, names, locale).who;
    case 'after': {
      const duration = durationInWords(timing.minutes, locale);
      const have = /^1 [a-z]+$/.test(duration) ? 'has' : 'have';
      if (startedAtTrigger(timing.since, why.trigger)) {
        const since = triggerWords(why, names, locale).since;
        return ja ? `${since.endsWith('から') ? since : `${since}から`}${duration}後の方` : `${duration} ${have} passed since ${since}`;
      }
      return ja ? `前回のご案内から${duration}後の方` : `${duration} ${have} passed since our previous message`;
    }
    case 'local_time': {
      const who = triggerWords(why, names, locale).who;
      const days = timing.weekdays?.map((day) => WEEKDAY_WORDS[day][locale]) ?? null;
      if (ja) {
        const when = [days ? `${days.join('・')}` : '', timing.time ?? ''].filter(Boolean).join('の');
        return `${who}へ、${when}`;
      }
      const when = [days ? `on ${days.join(', ')}` : '', timing.time ? `at ${timing.time}` : ''].filter(Boolean).join(' ');
      return `${who} (sent ${when})`;
    }
    case 'effect': {
      // The point (first feeling, clear effect) is not named: for a health food 「効果がはっきりする頃」
      // is an efficacy claim (薬機法 第68条; the charter's checker refuses it). The day is a fact.
      const product = names.products?.[timing.sku] ?? timing.productName ?? timing.sku;
      if (ja) {
        if (timing.days === 0) return `${product}をお届けした日の方`;
        if (timing.days < 0) return `${product}をお届けする${-timing.days}日前の方`;
        return `${product}をお届けしてから${timing.days}日目の方`;
      }
      if (timing.days === 0) return `${product} was delivered to you today`;
      if (timing.days < 0) return `${product} is to be delivered to you in ${-timing.days} days`;
      return `it is day ${timing.days} since ${product} was delivered to you`;
    }
    case 'event':
      return ja ? eventWords(timing.type).ja.who : eventWords(timing.type).en.who;
    case 'timeout': {
      const duration = durationInWords(timing.minutes, locale);
      const noun = eventWords(timing.type)[locale].noun;
      return ja ? `${duration}のあいだ${noun}がなかった方` : `we saw no ${noun.replace(/^an? /, '')} from you in ${duration}`;
    }
    default:
      return assertNever(timing, 'timing');
  }
}

/**
 * The display names of a reason: the scenario's name and trigger (of the version the effect
 * came from), the names of the products it mentions, and the journey map's stage and level
 * names (the active map). Unknown ones are left out (the key or SKU is shown instead).
 */
export async function loadWhyNames(pool: pg.Pool | pg.ClientBase, workspaceId: string, why: Why): Promise<WhyNames> {
  const names: WhyNames = {};
  const { rows: versions } = await pool.query<{ document: unknown }>(
    `select v.document from scenario_versions v join scenarios s on s.id = v.scenario_id
      where s.workspace_id = $1 and v.scenario_id = $2 and v.version = $3`,
    [workspaceId, why.scenarioId, why.version],
  );
  const parsed = versions[0] ? ScenarioDocument.safeParse(versions[0].document) : undefined;
  if (parsed?.success) {
    names.scenarioName = parsed.data.name;
    names.trigger = parsed.data.trigger;
  }
  const skus = [why.trigger.sku, why.timing.kind === 'effect' ? why.timing.sku : null].filter((sku): sku is string => typeof sku === 'string');
  if (skus.length > 0) {
    const { rows } = await pool.query<{ sku: string; name: string }>('select sku, name from products where workspace_id = $1 and sku = any($2::text[])', [
      workspaceId,
      skus,
    ]);
    names.products = Object.fromEntries(rows.map((row) => [row.sku, row.name]));
  }
  if (why.trigger.kind === 'cell_entered' || why.trigger.kind === 'cell_left') {
    const { rows } = await pool.query<{ map: { stages: Array<{ key: string; name: string }>; levels: Array<{ key: string; name: string }> } }>(
      `select map from journey_maps where workspace_id = $1 and status = 'active' limit 1`,
      [workspaceId],
    );
    const map = rows[0]?.map;
    if (map) {
      names.stages = Object.fromEntries(map.stages.map((stage) => [stage.key, stage.name]));
      names.levels = Object.fromEntries(map.levels.map((level) => [level.key, level.name]));
    }
  }
  return names;
}
