import { ApiError, type Schemas } from '../api/client.ts';

/**
 * The charter as the editor holds it while the user types: numbers and variant lists stay the
 * text the user wrote, rows carry a key for React. `charterOf` turns a draft into the
 * Charter the API takes; the server's schema is the one judge of validity (a wrong field comes
 * back as a problem naming it, see `problemsOf`).
 */

export type Charter = Schemas['Charter'];
export type ClaimsPack = Charter['claimsPacks'][number];
export type Severity = Charter['pressure'][number]['severity'];
export type Emoji = Charter['limits']['emoji'];
export type Register = Charter['register'];
export type LimitName = Exclude<keyof Charter['limits'], 'emoji'>;

export const CLAIMS_PACKS = ['yakkiho_health_food', 'yakkiho_cosmetics', 'keihyoho'] as const satisfies readonly ClaimsPack[];
export const SEVERITIES = ['error', 'warning', 'info'] as const satisfies readonly Severity[];
export const EMOJI = ['allowed', 'few', 'none'] as const satisfies readonly Emoji[];

/** The limits' bounds, as in the server's Charter schema (src/charter/types.ts). */
export const LIMIT_BOUNDS: Record<LimitName, { min: number; max: number }> = {
  maxSentenceLength: { min: 10, max: 1000 },
  maxCommasPerSentence: { min: 0, max: 20 },
  maxExclamations: { min: 0, max: 100 },
};
export const LIMIT_NAMES = ['maxSentenceLength', 'maxCommasPerSentence', 'maxExclamations'] as const satisfies readonly LimitName[];

export interface DictionaryRow {
  key: string;
  preferred: string;
  variants: string;
  note: string;
}
export interface AvoidRow {
  key: string;
  word: string;
  replacement: string;
  reason: string;
}
export interface PressureRow {
  key: string;
  phrase: string;
  severity: Severity;
  suggestion: string;
}

export interface CharterDraft {
  relationship: string;
  meaning: string;
  goal: string;
  register: Register;
  addressUse: string[];
  addressAvoid: string[];
  dictionary: DictionaryRow[];
  avoid: AvoidRow[];
  pressure: PressureRow[];
  limits: Record<LimitName, string> & { emoji: Emoji };
  greetings: string[];
  signOffs: string[];
  claimsPacks: ClaimsPack[];
}

/** What a workspace without a charter starts from: です・ます, お客様, the usual limits. */
export const DEFAULT_CHARTER: Charter = {
  relationship: '',
  meaning: '',
  goal: '',
  register: 'desumasu',
  address: { use: ['お客様'], avoid: [] },
  dictionary: [],
  avoid: [],
  pressure: [],
  limits: { maxSentenceLength: 80, maxCommasPerSentence: 3, maxExclamations: 1, emoji: 'few' },
  greetings: [],
  signOffs: [],
  claimsPacks: [],
};

let lastKey = 0;
/** A key for a new row, unique in this page's life. */
export function rowKey(): string {
  lastKey += 1;
  return `row-${lastKey}`;
}

export function draftOf(charter: Charter): CharterDraft {
  return {
    relationship: charter.relationship,
    meaning: charter.meaning,
    goal: charter.goal,
    register: charter.register,
    addressUse: [...charter.address.use],
    addressAvoid: [...charter.address.avoid],
    dictionary: charter.dictionary.map((e) => ({ key: rowKey(), preferred: e.preferred, variants: e.variants.join('、'), note: e.note ?? '' })),
    avoid: charter.avoid.map((e) => ({ key: rowKey(), word: e.word, replacement: e.replacement ?? '', reason: e.reason ?? '' })),
    pressure: charter.pressure.map((e) => ({ key: rowKey(), phrase: e.phrase, severity: e.severity, suggestion: e.suggestion ?? '' })),
    limits: {
      maxSentenceLength: String(charter.limits.maxSentenceLength),
      maxCommasPerSentence: String(charter.limits.maxCommasPerSentence),
      maxExclamations: String(charter.limits.maxExclamations),
      emoji: charter.limits.emoji,
    },
    greetings: [...charter.greetings],
    signOffs: [...charter.signOffs],
    claimsPacks: [...charter.claimsPacks],
  };
}

/** Variants as typed: separated by commas (, ，) or 、, blanks dropped. */
function splitVariants(text: string): string[] {
  return text
    .split(/[,，、]/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** A blank optional text is left out (the server stores no empty note). */
function optional(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A number field's text; blank is NaN, which JSON sends as null, which the server refuses by name. */
function limit(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** The Charter to send for a draft (texts as typed: the server trims and checks them). */
export function charterOf(draft: CharterDraft): Charter {
  return {
    relationship: draft.relationship,
    meaning: draft.meaning,
    goal: draft.goal,
    register: draft.register,
    address: { use: draft.addressUse, avoid: draft.addressAvoid },
    dictionary: draft.dictionary.map((r) => ({ preferred: r.preferred, variants: splitVariants(r.variants), note: optional(r.note) })),
    avoid: draft.avoid.map((r) => ({ word: r.word, replacement: optional(r.replacement), reason: optional(r.reason) })),
    pressure: draft.pressure.map((r) => ({ phrase: r.phrase, severity: r.severity, suggestion: optional(r.suggestion) })),
    limits: {
      maxSentenceLength: limit(draft.limits.maxSentenceLength),
      maxCommasPerSentence: limit(draft.limits.maxCommasPerSentence),
      maxExclamations: limit(draft.limits.maxExclamations),
      emoji: draft.limits.emoji,
    },
    greetings: draft.greetings,
    signOffs: draft.signOffs,
    claimsPacks: draft.claimsPacks,
  };
}

/** Whether two drafts would send the same charter (row keys and variant spelling aside). */
export function sameCharter(a: CharterDraft, b: CharterDraft): boolean {
  return JSON.stringify(charterOf(a)) === JSON.stringify(charterOf(b));
}

/** The claims packs with `pack` switched on or off, in the canonical order. */
export function toggledPacks(packs: readonly ClaimsPack[], pack: ClaimsPack, on: boolean): ClaimsPack[] {
  const next = new Set(packs);
  if (on) next.add(pack);
  else next.delete(pack);
  return CLAIMS_PACKS.filter((p) => next.has(p));
}

/** Field path (`limits.maxSentenceLength`, `dictionary.2.variants`) → the server's reason. */
export type Problems = ReadonlyMap<string, string>;

interface FieldIssue {
  field?: unknown;
  reason?: unknown;
}

/**
 * The fields a refused save names, or undefined when the error is not a refusal of fields.
 * The API answers a body of the wrong shape with 400 `details.issues` (fields prefixed
 * `body.`) and a charter refused by the domain with 422 `details.problems`.
 */
export function problemsOf(error: unknown): Problems | undefined {
  if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 422)) return undefined;
  const details = error.details as { issues?: unknown; problems?: unknown } | undefined;
  const list = Array.isArray(details?.issues) ? details.issues : Array.isArray(details?.problems) ? details.problems : undefined;
  if (!list || list.length === 0) return undefined;
  const problems = new Map<string, string>();
  for (const issue of list as FieldIssue[]) {
    const field = String(issue.field ?? '').replace(/^body\.?/, '') || 'charter';
    if (!problems.has(field)) problems.set(field, String(issue.reason ?? ''));
  }
  return problems;
}
