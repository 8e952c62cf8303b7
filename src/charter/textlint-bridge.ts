import { TextlintKernel, type TextlintKernelPlugin, type TextlintKernelRule } from '@textlint/kernel';
import * as textPluginModule from '@textlint/textlint-plugin-text';
import maxTenModule from 'textlint-rule-max-ten';
import noMixModule from 'textlint-rule-no-mix-dearu-desumasu';
import prhModule from 'textlint-rule-prh';
import sentenceLengthModule from 'textlint-rule-sentence-length';
import type { Charter } from './types.ts';
import type { VisibleFinding } from './rules/rule-finding.ts';
import { LIQUID_MASK } from './visible-text.ts';

/**
 * The charter rules that established textlint rules already cover, run through @textlint/kernel
 * as a library (one kernel, rules and options built once per charter):
 * no-mix-dearu-desumasu (register), prh (the brand dictionary, built in memory), max-ten
 * (commas per sentence), sentence-length. Their reports become findings with our rule ids.
 */
export interface TextlintRules {
  lint(text: string): Promise<VisibleFinding[]>;
}

/** CommonJS modules compiled from ES modules arrive as `{ default: … }` under Node's ESM loader. */
function unwrapDefault<T>(module: T): T {
  const inner = (module as { default?: T }).default;
  return inner !== undefined && inner !== null ? unwrapDefault(inner) : module;
}
type TextlintPlugin = TextlintKernelPlugin['plugin'];
const textPlugin = unwrapDefault(textPluginModule as unknown) as TextlintPlugin;
const maxTen = unwrapDefault(maxTenModule);
const noMixDearuDesumasu = unwrapDefault(noMixModule);
const prh = unwrapDefault(prhModule);
const sentenceLength = unwrapDefault(sentenceLengthModule);

const REGISTER_NAMES = { desumasu: 'ですます', dearu: 'である' } as const;

/** The prh dictionary of a charter, as YAML (JSON is YAML): preferred ← variants, avoided word → replacement. */
export function prhRules(charter: Charter): string {
  const rules = [
    ...charter.dictionary.map((entry) => ({ expected: entry.preferred, patterns: entry.variants, prh: entry.note })),
    ...charter.avoid.flatMap((entry) => (entry.replacement ? [{ expected: entry.replacement, patterns: [entry.word], prh: entry.reason }] : [])),
  ];
  return JSON.stringify({ version: 1, rules });
}

/**
 * Sentence-final copula forms and their counterpart in the other register, longest first.
 * Verb endings (します ↔ する) are left without a fix: they need conjugation, not a swap.
 */
const REGISTER_REWRITES: Record<NonNullable<Charter['register']>, ReadonlyArray<readonly [string, string]>> = {
  desumasu: [
    ['ではなかった', 'ではありませんでした'],
    ['ではない', 'ではありません'],
    ['であった', 'でした'],
    ['であろう', 'でしょう'],
    ['である', 'です'],
  ],
  dearu: [
    ['ではありませんでした', 'ではなかった'],
    ['ではありません', 'ではない'],
    ['でしょう', 'であろう'],
    ['でした', 'であった'],
    ['です', 'である'],
  ],
};

/** A polite verb ending (飲みます, 届きました): marked whole, though it has no swap. */
const POLITE_VERB_ENDING = /^(?:ませんでした|ません|ました|ましょう|ます)/;

/** The form at `start` written in the charter's register, when it is a copula form we can swap. */
function registerRewrite(text: string, start: number, register: NonNullable<Charter['register']>): { from: string; to: string } | undefined {
  const match = REGISTER_REWRITES[register].find(([from]) => text.startsWith(from, start));
  return match ? { from: match[0], to: match[1] } : undefined;
}

export function compileTextlintRules(charter: Charter): TextlintRules {
  const kernel = new TextlintKernel();
  const register = charter.register ? REGISTER_NAMES[charter.register] : '';
  const rules: TextlintKernelRule[] = [
    {
      ruleId: 'no-mix-dearu-desumasu',
      rule: noMixDearuDesumasu,
      options: { preferInHeader: register, preferInBody: register, preferInList: register, strict: false },
    },
  ];
  const commaRule: TextlintKernelRule = { ruleId: 'max-ten', rule: maxTen, options: { max: charter.limits.maxCommasPerSentence } };
  const lengthRule: TextlintKernelRule = {
    ruleId: 'sentence-length',
    rule: sentenceLength,
    // Liquid masks are not words the reader sees; a long variable must not make a sentence long.
    options: { max: charter.limits.maxSentenceLength, skipPatterns: [`/${LIQUID_MASK}+/`] },
  };
  const dictionary = prhRules(charter);
  const dictionaryWords = new Map<string, { preferred: string; kind: 'variant' | 'avoid' }>();
  for (const entry of charter.dictionary) for (const variant of entry.variants) dictionaryWords.set(variant, { preferred: entry.preferred, kind: 'variant' });
  for (const entry of charter.avoid) if (entry.replacement) dictionaryWords.set(entry.word, { preferred: entry.replacement, kind: 'avoid' });
  if (dictionaryWords.size > 0) rules.push({ ruleId: 'prh', rule: prh, options: { ruleContents: [dictionary] } });
  const registerSeverity = charter.register ? 'error' : 'warning';
  const plugins = [{ pluginId: 'text', plugin: textPlugin }];

  return {
    async lint(text) {
      const longest = longestSegments(text);
      const run = [
        ...rules,
        ...(longest.commas > charter.limits.maxCommasPerSentence ? [commaRule] : []),
        ...(longest.length > charter.limits.maxSentenceLength ? [lengthRule] : []),
      ];
      const result = await kernel.lintText(text, { ext: '.txt', filePath: '/message.txt', plugins, rules: run });
      const findings: VisibleFinding[] = [];
      for (const report of result.messages) {
        const [reportStart, reportEnd] = report.range;
        switch (report.ruleId) {
          case 'no-mix-dearu-desumasu': {
            const found = /次の "(.+?)"/.exec(report.message)?.[1]?.replace(/。$/, '');
            // The rule reports the start of its match's node; the words themselves ("である") come a little later.
            const at = found ? text.indexOf(found, reportStart) : -1;
            const start = at >= 0 && found ? at : reportStart;
            const expected = charter.register ? REGISTER_NAMES[charter.register] : undefined;
            const rewrite = charter.register ? registerRewrite(text, start, charter.register) : undefined;
            const polite = charter.register === 'dearu' ? POLITE_VERB_ENDING.exec(text.slice(start, start + 8))?.[0] : undefined;
            const end = start + (rewrite?.from ?? polite ?? (at >= 0 && found ? found : text.slice(start, reportEnd))).length;
            findings.push({
              rule: 'register.mixed',
              severity: registerSeverity,
              start,
              end,
              ...(rewrite ? { fix: rewrite.to } : {}),
              message: expected
                ? {
                    ja: `文体は「${expected}」調に統一します（「${found ?? ''}」は異なる文体です）。`,
                    en: `Write in the ${charter.register} register; "${found ?? ''}" is not.`,
                  }
                : {
                    ja: `「です・ます」調と「である」調が混在しています（「${found ?? ''}」）。`,
                    en: `The message mixes です・ます and である ("${found ?? ''}").`,
                  },
              explanation: { ja: '一通の中で文体を混ぜると、お客様に一貫しない印象を与えます。', en: 'Mixing registers in one message reads as two voices.' },
            });
            break;
          }
          case 'prh': {
            const [start, end] = report.fix?.range ?? [reportStart, reportEnd];
            const word = text.slice(start, end);
            const entry = dictionaryWords.get(word);
            const replacement = report.fix?.text ?? entry?.preferred;
            findings.push({
              rule: entry?.kind === 'avoid' ? 'dictionary.avoid' : 'dictionary.variant',
              severity: 'warning',
              start,
              end,
              message: { ja: `「${word}」は「${replacement ?? ''}」と書きます。`, en: `Write "${replacement ?? ''}" instead of "${word}".` },
              explanation: { ja: 'ブランドの用語集（表記ルール）', en: 'The brand dictionary' },
              ...(replacement !== undefined ? { fix: replacement } : {}),
            });
            break;
          }
          case 'max-ten':
            findings.push({
              rule: 'limits.commas',
              severity: 'warning',
              start: reportStart,
              end: Math.max(reportEnd, reportStart + 1),
              message: {
                ja: `一文の読点（、）は${charter.limits.maxCommasPerSentence}個までです。`,
                en: `At most ${charter.limits.maxCommasPerSentence} commas per sentence.`,
              },
              explanation: { ja: '読点の多い文は読みにくくなります。', en: 'Sentences with many commas are hard to read.' },
            });
            break;
          case 'sentence-length':
            findings.push({
              rule: 'limits.sentence_length',
              severity: 'warning',
              start: reportStart,
              end: reportEnd,
              message: {
                ja: `一文は${charter.limits.maxSentenceLength}文字までです。`,
                en: `Sentences have at most ${charter.limits.maxSentenceLength} characters.`,
              },
              explanation: { ja: '長い文は読みにくくなります。', en: 'Long sentences are hard to read.' },
            });
            break;
          default:
            break;
        }
      }
      return findings;
    },
  };
}

/**
 * The longest sentence and the most commas in one sentence, measured on segments at least as
 * long as the sentences textlint's sentence-splitter makes (we cut only at 。！？!? outside
 * brackets and at blank lines). When even these are within the limits, max-ten and
 * sentence-length cannot report, and we skip them: max-ten tokenizes every sentence.
 */
function longestSegments(text: string): { length: number; commas: number } {
  let length = 0;
  let commas = 0;
  let segmentLength = 0;
  let segmentCommas = 0;
  let depth = 0;
  const close = () => {
    length = Math.max(length, segmentLength);
    commas = Math.max(commas, segmentCommas);
    segmentLength = 0;
    segmentCommas = 0;
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    segmentLength += 1;
    if (char === '、') segmentCommas += 1;
    else if (char === '「' || char === '『' || char === '（' || char === '(') depth += 1;
    else if (char === '」' || char === '』' || char === '）' || char === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (char === '。' || char === '！' || char === '？' || char === '!' || char === '?')) close();
    else if (char === '\n' && text[i + 1] === '\n') close();
  }
  close();
  return { length, commas };
}
