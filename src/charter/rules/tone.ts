import type { Charter, MessageChannel } from '../types.ts';
import type { VisibleFinding } from './rule-finding.ts';

/**
 * The charter's tone rules that no textlint rule covers: pressure phrases, forms of address,
 * avoided words without a replacement (those with one go through prh), exclamation marks, emoji,
 * greetings and sign-offs. Plain string rules on the visible text; the charter's words are
 * literal phrases, so no morphology is needed to find them.
 */
export interface ToneRules {
  /** Findings of one part; `counts` carries exclamation and emoji counts from subject to body. */
  check(text: string, counts: { exclamations: number; emoji: number }): VisibleFinding[];
  /** Greeting and sign-off present? Info findings on the body of an email or LINE message. */
  checkFrame(text: string, channel: MessageChannel): VisibleFinding[];
}

const EMOJI = /(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2})(?:\uFE0F|\u200D\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}])*/gu;
const NOT_EMOJI = new Set(['©', '®', '™', '‼', '〽']);
/** Emoji a message may carry under the 'few' policy. */
const FEW_EMOJI = 2;

export function compileToneRules(charter: Charter): ToneRules {
  const pressure = charter.pressure.map((entry) => ({ ...entry, pattern: literal(entry.phrase) }));
  const address = charter.address.avoid.map((form) => ({ form, pattern: literal(form) }));
  const avoided = charter.avoid.filter((entry) => !entry.replacement).map((entry) => ({ ...entry, pattern: literal(entry.word) }));
  const preferredAddress = charter.address.use[0];
  const charterLine = { ja: `関係性「${charter.relationship}」にもとづくトンマナ`, en: `Tone rules of the relationship "${charter.relationship}"` };

  return {
    check(text, counts) {
      const findings: VisibleFinding[] = [];
      for (const entry of pressure) {
        for (const match of text.matchAll(entry.pattern)) {
          const end = match.index + match[0].length;
          const fix = pressureFix(text, end, entry.suggestion);
          findings.push({
            rule: 'pressure.phrase',
            severity: entry.severity,
            start: match.index,
            end,
            message: { ja: `「${entry.phrase}」はお客様を急かす表現です。`, en: `"${entry.phrase}" pressures the customer.` },
            explanation: charterLine,
            ...(fix !== undefined ? { fix } : {}),
          });
        }
      }
      for (const entry of address) {
        for (const match of text.matchAll(entry.pattern)) {
          findings.push({
            rule: 'address.avoided',
            severity: 'warning',
            start: match.index,
            end: match.index + match[0].length,
            message: {
              ja: `呼びかけは「${preferredAddress}」を使います（「${entry.form}」は使いません）。`,
              en: `Address the customer as "${preferredAddress}", not "${entry.form}".`,
            },
            explanation: charterLine,
            ...(preferredAddress !== undefined ? { fix: preferredAddress } : {}),
          });
        }
      }
      for (const entry of avoided) {
        for (const match of text.matchAll(entry.pattern)) {
          findings.push({
            rule: 'dictionary.avoid',
            severity: 'warning',
            start: match.index,
            end: match.index + match[0].length,
            message: { ja: `「${entry.word}」は使わない言葉です。${entry.reason ?? ''}`, en: `"${entry.word}" is a word the brand does not use.` },
            explanation: charterLine,
          });
        }
      }
      for (const match of text.matchAll(/[!！]/g)) {
        counts.exclamations += 1;
        if (counts.exclamations <= charter.limits.maxExclamations) continue;
        findings.push({
          rule: 'limits.exclamations',
          severity: 'warning',
          start: match.index,
          end: match.index + 1,
          message: {
            ja: `感嘆符は1通に${charter.limits.maxExclamations}個までです。`,
            en: `At most ${charter.limits.maxExclamations} exclamation marks per message.`,
          },
          explanation: charterLine,
          fix: '。',
        });
      }
      if (charter.limits.emoji !== 'allowed') {
        const allowed = charter.limits.emoji === 'few' ? FEW_EMOJI : 0;
        for (const match of text.matchAll(EMOJI)) {
          if (NOT_EMOJI.has(match[0])) continue;
          counts.emoji += 1;
          if (counts.emoji <= allowed) continue;
          findings.push({
            rule: 'limits.emoji',
            severity: 'warning',
            start: match.index,
            end: match.index + match[0].length,
            message:
              allowed === 0
                ? { ja: '絵文字は使いません。', en: 'No emoji.' }
                : { ja: `絵文字は1通に${allowed}個までです。`, en: `At most ${allowed} emoji per message.` },
            explanation: charterLine,
            fix: '',
          });
        }
      }
      return findings;
    },

    checkFrame(text, channel) {
      // SMS is too short for a greeting; emails and LINE messages open and close like a letter.
      if (channel === 'sms' || text.trim().length === 0) return [];
      const findings: VisibleFinding[] = [];
      const opening = text.slice(0, 200);
      if (charter.greetings.length > 0 && !charter.greetings.some((greeting) => opening.includes(greeting))) {
        findings.push({
          rule: 'tone.greeting_missing',
          severity: 'info',
          start: 0,
          end: 0,
          message: {
            ja: `書き出しの挨拶（${charter.greetings.join('・')}）がありません。`,
            en: "The message does not open with one of the charter's greetings.",
          },
          explanation: charterLine,
          fix: `${asSentence(charter.greetings[0]!)}\n`,
        });
      }
      if (charter.signOffs.length > 0 && !charter.signOffs.some((signOff) => text.includes(signOff))) {
        const end = text.trimEnd().length;
        findings.push({
          rule: 'tone.sign_off_missing',
          severity: 'info',
          start: end,
          end,
          message: { ja: `結びの挨拶（${charter.signOffs.join('・')}）がありません。`, en: "The message does not close with one of the charter's sign-offs." },
          explanation: charterLine,
          fix: `\n${asSentence(charter.signOffs[0]!)}`,
        });
      }
      return findings;
    },
  };
}

/**
 * The replacement of a pressure phrase in its place. The charter's suggestion is written for
 * the phrase on its own (今だけ → この期間は); right before 限定 it would read 「この期間は限定です」,
 * so there the phrase becomes 期間, the usual word: 「今だけ限定です」 → 「期間限定です」.
 */
function pressureFix(text: string, end: number, suggestion: string | undefined): string | undefined {
  if (text.startsWith('限定', end)) return '期間';
  return suggestion;
}

/** A greeting or sign-off inserted as a sentence of its own ends with 。 (unless the charter wrote its own mark). */
function asSentence(phrase: string): string {
  return /[。．.!！?？]$/.test(phrase) ? phrase : `${phrase}。`;
}

function literal(phrase: string): RegExp {
  return new RegExp(phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g');
}
