import { z } from 'zod';

/**
 * The relationship charter (関係性定義) and what the checker says about a message. The one
 * contract between the checker (check-message.ts and the rules under rules/), the charter's
 * storage and versions (charters.ts), templates, the HTTP routes, the CLI and the console.
 */

export const DEPARTMENTS = ['marketing', 'support', 'site_operations', 'sales'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export const MESSAGE_CHANNELS = ['email', 'line', 'sms'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/** How a message's text is written: plain text, HTML or MJML (checked on the visible text, ranges in the source). */
export const MESSAGE_FORMATS = ['text', 'html', 'mjml'] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Claims rule packs a brand switches on for its category (Japanese law on what may be said). */
export const CLAIMS_PACKS = ['yakkiho_health_food', 'yakkiho_cosmetics', 'keihyoho'] as const;
export type ClaimsPack = (typeof CLAIMS_PACKS)[number];

const Text = z.string().trim().min(1);

/** A preferred term and the variants that should become it (e.g. お客様 ← お客さま). */
export const DictionaryEntry = z.object({
  preferred: Text,
  variants: z.array(Text).min(1),
  note: z.string().optional(),
});

/** A word the brand does not use, with what to say instead (when there is something). */
export const AvoidedWord = z.object({
  word: Text,
  replacement: z.string().optional(),
  reason: z.string().optional(),
});

/** A hard-sell phrase; its severity depends on the relationship the brand chose. */
export const PressurePhrase = z.object({
  phrase: Text,
  severity: z.enum(SEVERITIES),
  suggestion: z.string().optional(),
});

export const Charter = z.object({
  /** お客様と「＿＿」のような関係を築く: the word in the brackets. */
  relationship: Text,
  /** What the relationship means, in a few sentences. */
  meaning: z.string(),
  /** The goal state of the relationship. */
  goal: z.string(),
  /** です・ます or である; null: not fixed (a mix is then a warning, not an error). */
  register: z.enum(['desumasu', 'dearu']).nullable(),
  /** How the customer is addressed (お客様, ○○様 written as {{ customer.name }}様, あなた …) and forms not used. */
  address: z.object({ use: z.array(Text).min(1), avoid: z.array(Text) }),
  dictionary: z.array(DictionaryEntry),
  avoid: z.array(AvoidedWord),
  pressure: z.array(PressurePhrase),
  limits: z.object({
    /** Characters per sentence. */
    maxSentenceLength: z.number().int().min(10).max(1000),
    /** Commas (、) per sentence. */
    maxCommasPerSentence: z.number().int().min(0).max(20),
    /** Exclamation marks (! ！) per message. */
    maxExclamations: z.number().int().min(0).max(100),
    emoji: z.enum(['allowed', 'few', 'none']),
  }),
  greetings: z.array(Text),
  signOffs: z.array(Text),
  claimsPacks: z.array(z.enum(CLAIMS_PACKS)),
});
export type Charter = z.infer<typeof Charter>;

/** A message to check. */
export interface MessageInput {
  /** Email subject (plain text); absent for LINE and SMS. */
  subject?: string;
  body: string;
  format: MessageFormat;
  channel: MessageChannel;
  department: Department;
}

/** Where a finding is: the part of the message and UTF-16 offsets [start, end) in that part's source text. */
export interface FindingRange {
  part: 'subject' | 'body';
  start: number;
  end: number;
}

export interface Finding {
  /** Stable rule id, e.g. 'register.mixed', 'claims.yakkiho.cure', 'dictionary.variant'. */
  rule: string;
  severity: Severity;
  range: FindingRange;
  /** The text at the range, as found. */
  text: string;
  message: { ja: string; en: string };
  /** Replacement text for the range (a one-click fix), when there is one: the message reads right with it in place. */
  fix?: string;
  /**
   * A compliant rewording to write instead (claims): guidance for the writer, not a fix, since
   * the sentence around the range has to be rewritten with it (「血圧が下がる」→「食生活のバランスを応援」).
   */
  suggestion?: string;
  /** Why the rule exists (the law or the charter line), for the console's hover. */
  explanation?: { ja: string; en: string };
}

export interface CheckResult {
  findings: Finding[];
  counts: Record<Severity, number>;
  /** 100 minus weighted findings (error 20, warning 5, info 1), at least 0. */
  score: number;
  /** No error: the message may be published. */
  publishable: boolean;
}
