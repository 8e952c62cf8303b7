import { sharedTokenizer, tokenizeSentence } from './morphology.ts';
import { findClaims, type ClaimRule } from './rules/claim-rule.ts';
import { COSMETICS_RULES } from './rules/claims-yakkiho-cosmetics.ts';
import { HEALTH_FOOD_RULES } from './rules/claims-yakkiho-health-food.ts';
import { KEIHYOHO_RULES } from './rules/claims-keihyoho.ts';
import type { VisibleFinding } from './rules/rule-finding.ts';
import { findPlainEndings } from './rules/plain-endings.ts';
import { compileToneRules } from './rules/tone.ts';
import { splitSentences } from './sentences.ts';
import type { TextlintRules } from './textlint-bridge.ts';
import type { Charter, CheckResult, ClaimsPack, Finding, FindingRange, MessageFormat, MessageInput, Severity } from './types.ts';
import { visibleText } from './visible-text.ts';

/**
 * The message checker: a message (subject and body; text, HTML or MJML; Liquid allowed) held to
 * a relationship charter. textlint rules cover register, the dictionary, commas and sentence
 * length; our own rules, with kuromoji morphology where context matters, cover claims packs
 * (薬機法, 景品表示法), pressure phrases, address forms, exclamations, emoji, greetings.
 *
 * Contract: every finding's range is exact UTF-16 offsets in the source of its part, and
 * `finding.text === source.slice(range.start, range.end)`; nothing inside Liquid is flagged.
 *
 * @example
 *   const checker = createChecker(DEMO_CHARTER);
 *   const result = await checker.check({ body: 'これで痩せる！', format: 'text', channel: 'line', department: 'marketing' });
 *   result.publishable; // false: 痩せる is a 薬機法 claim (error)
 */
export interface MessageChecker {
  check(input: MessageInput): Promise<CheckResult>;
}

const CLAIMS_PACK_RULES: Record<ClaimsPack, readonly ClaimRule[]> = {
  yakkiho_health_food: HEALTH_FOOD_RULES,
  yakkiho_cosmetics: COSMETICS_RULES,
  keihyoho: KEIHYOHO_RULES,
};

const SEVERITY_WEIGHT: Record<Severity, number> = { error: 20, warning: 5, info: 1 };
/** Findings whose range is a whole sentence; they stay even when the sentence holds Liquid. */
const SENTENCE_SCOPED_RULES = new Set(['limits.sentence_length']);

/** Compiles a charter's rules once (textlint kernel options, prh dictionary, claims packs); `check` reuses them. */
export function createChecker(charter: Charter): MessageChecker {
  // textlint and its rules (~0.6 s of module loading) are imported on the first check, while
  // kuromoji's dictionary is read and decompressed off the main thread: the two overlap.
  let textlintRules: Promise<TextlintRules> | undefined;
  const tone = compileToneRules(charter);
  const claims = charter.claimsPacks.flatMap((pack) => CLAIMS_PACK_RULES[pack]);

  async function checkPart(
    textlint: TextlintRules,
    part: FindingRange['part'],
    source: string,
    format: MessageFormat,
    input: MessageInput,
    counts: { exclamations: number; emoji: number },
  ): Promise<Finding[]> {
    const visible = visibleText(source, format);
    const found: VisibleFinding[] = [...(await textlint.lint(visible.text)), ...tone.check(visible.text, counts)];
    if (part === 'body') found.push(...tone.checkFrame(visible.text, input.channel));
    const sentences = splitSentences(visible.text);
    if (claims.length > 0) {
      for (const sentence of sentences) found.push(...(await findClaims(claims, sentence, tokenizeSentence)));
    }
    if (charter.register === 'desumasu') {
      // だ, した, 飲む …: plain endings textlint's rule does not count; である stays textlint's.
      const registerFound = found.filter((finding) => finding.rule === 'register.mixed');
      for (const plain of await findPlainEndings(visible.text, sentences, tokenizeSentence, 'error')) {
        if (!registerFound.some((other) => plain.start < other.end && other.start < plain.end)) found.push(plain);
      }
    }
    const findings: Finding[] = [];
    for (const finding of found) {
      const range = visible.toSource(finding.start, finding.end);
      const inLiquid = visible.liquidSpans.some(([start, end]) => range.start < end && start < range.end);
      if (inLiquid && !SENTENCE_SCOPED_RULES.has(finding.rule)) continue;
      findings.push({
        rule: finding.rule,
        severity: finding.severity,
        range: { part, ...range },
        text: source.slice(range.start, range.end),
        message: finding.message,
        // A fix replaces the source range; across a tag it would delete markup, so it is left to the writer.
        ...(finding.fix !== undefined && !(format !== 'text' && /[<>]/.test(source.slice(range.start, range.end))) ? { fix: finding.fix } : {}),
        ...(finding.suggestion !== undefined ? { suggestion: finding.suggestion } : {}),
        ...(finding.explanation !== undefined ? { explanation: finding.explanation } : {}),
      });
    }
    return findings;
  }

  return {
    async check(input) {
      // The textlint rules fetch kuromoji themselves; make sure they get the shared, sentence-cached one.
      const tokenizerReady = sharedTokenizer();
      textlintRules ??= import('./textlint-bridge.ts').then((bridge) => bridge.compileTextlintRules(charter));
      const textlint = await textlintRules;
      await tokenizerReady;
      const counts = { exclamations: 0, emoji: 0 };
      const subject = input.subject ? await checkPart(textlint, 'subject', input.subject, 'text', input, counts) : [];
      const body = await checkPart(textlint, 'body', input.body, input.format, input, counts);
      return summarize([...subject, ...body].sort(byPosition));
    },
  };
}

/** Compiled checkers by charter content, most recently used last; a few workspaces' charters. */
const checkersByCharter = new Map<string, MessageChecker>();
const MAX_COMPILED_CHARTERS = 32;

/**
 * One-off check. The compiled checker is kept for the same charter content, so a server that
 * reads the charter afresh for each request (a new object each time) compiles it once.
 */
export function checkMessage(charter: Charter, input: MessageInput): Promise<CheckResult> {
  const key = JSON.stringify(charter);
  let checker = checkersByCharter.get(key);
  if (checker) checkersByCharter.delete(key);
  else checker = createChecker(charter);
  checkersByCharter.set(key, checker);
  if (checkersByCharter.size > MAX_COMPILED_CHARTERS) checkersByCharter.delete(checkersByCharter.keys().next().value!);
  return checker.check(input);
}

/** Loads kuromoji's dictionary now (~1–2 s) so the first check does not wait: call it when a server starts. */
export { preloadMorphology } from './morphology.ts';

export function summarize(findings: Finding[]): CheckResult {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  const penalty = counts.error * SEVERITY_WEIGHT.error + counts.warning * SEVERITY_WEIGHT.warning + counts.info * SEVERITY_WEIGHT.info;
  return { findings, counts, score: Math.max(0, 100 - penalty), publishable: counts.error === 0 };
}

function byPosition(a: Finding, b: Finding): number {
  if (a.range.part !== b.range.part) return a.range.part === 'subject' ? -1 : 1;
  return a.range.start - b.range.start || a.range.end - b.range.end;
}
