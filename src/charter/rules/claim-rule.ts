import type { ClaimsPack } from '../types.ts';
import type { KuromojiToken } from '../morphology.ts';
import type { Sentence } from '../sentences.ts';
import type { VisibleFinding } from './rule-finding.ts';

/**
 * A claims rule is data: a surface pattern and context conditions judged within its sentence.
 *
 * - `pattern` finds the candidate (global regex on the sentence text).
 * - `context`: the candidate is a claim only when the sentence also names one of these words
 *   (a body part, a function, a disease). 改善 in 「サイトの使い勝手を改善しました」 names none, so
 *   it is not a health claim. Words of one character (体, 胃, 肌 …) must be a whole kuromoji token
 *   (so 体 does not match 体験 or 具体); longer words match as substrings (肩こり is two tokens).
 * - `unless`: a near-miss test on the tokens around the candidate (最高 followed by 気温 is a
 *   compound noun; 必ず in a request 「必ずご確認ください」 is an instruction, not a promise).
 */
export interface ClaimRule {
  id: string;
  pack: ClaimsPack;
  pattern: RegExp;
  context?: readonly string[];
  unless?: (candidate: ClaimCandidate) => boolean;
  message: { ja: string; en: string };
  explanation: { ja: string; en: string };
  /** A compliant rewording to write instead; the sentence around it needs rewriting too, so it is never applied by itself. */
  suggestion?: string;
}

export interface ClaimCandidate {
  sentence: Sentence;
  tokens: readonly KuromojiToken[];
  /** Offsets of the match within the sentence text. */
  start: number;
  end: number;
  /** The token right after the match, when the match ends on a token boundary. */
  next?: KuromojiToken;
  previous?: KuromojiToken;
}

function sentenceMentions(sentence: Sentence, tokens: readonly KuromojiToken[], words: readonly string[]): boolean {
  return words.some((word) =>
    word.length === 1 ? tokens.some((token) => token.surface_form === word || token.basic_form === word) : sentence.text.includes(word),
  );
}

/** Near-miss helper: the sentence asks the reader to do something (ください, お願い, ましょう). */
export function isRequest(candidate: ClaimCandidate): boolean {
  return /ください|下さい|お願い|ましょう|いただけます|願います/.test(candidate.sentence.text.slice(candidate.end));
}

/**
 * Runs claims rules on one sentence. Patterns run first; the sentence is tokenized only when
 * one of them matched (most sentences hold no candidate, and morphology is the costly part).
 */
export async function findClaims(
  rules: readonly ClaimRule[],
  sentence: Sentence,
  tokenize: (text: string) => Promise<readonly KuromojiToken[]>,
): Promise<VisibleFinding[]> {
  const findings: VisibleFinding[] = [];
  let tokens: readonly KuromojiToken[] | undefined;
  for (const rule of rules) {
    const matches = [...sentence.text.matchAll(rule.pattern)];
    if (matches.length === 0) continue;
    tokens ??= await tokenize(sentence.text);
    if (rule.context && !sentenceMentions(sentence, tokens, rule.context)) continue;
    for (const match of matches) {
      const start = match.index;
      const end = start + match[0].length;
      const candidate: ClaimCandidate = {
        sentence,
        tokens,
        start,
        end,
        next: tokens.find((token) => token.word_position - 1 === end),
        previous: tokens.find((token) => token.word_position - 1 + token.surface_form.length === start),
      };
      if (rule.unless?.(candidate)) continue;
      findings.push({
        rule: rule.id,
        severity: 'error',
        start: sentence.start + start,
        end: sentence.start + wordEnd(tokens, end),
        message: rule.message,
        explanation: rule.explanation,
        ...(rule.suggestion !== undefined ? { suggestion: rule.suggestion } : {}),
      });
    }
  }
  return dropOverlapping(findings);
}

/**
 * Where the expression a match starts ends: patterns match a stem (血圧が下が) so that every
 * conjugation is found, but the finding names the whole expression (血圧が下がる, 血圧が下がります):
 * to the end of the word the match ends in, then through the auxiliaries (ます, ない, た) after it.
 */
function wordEnd(tokens: readonly KuromojiToken[], end: number): number {
  let to = end;
  let last: KuromojiToken | undefined;
  for (const token of tokens) {
    const from = token.word_position - 1;
    const until = from + token.surface_form.length;
    if (until <= to) {
      if (until === to) last = token;
      continue;
    }
    const inflected = last !== undefined && (last.pos === '動詞' || last.pos === '形容詞' || last.pos === '助動詞');
    if (from < to || (from === to && token.pos === '助動詞' && inflected)) {
      to = until;
      last = token;
    } else {
      break;
    }
  }
  return to;
}

/** Two rules on the same words (血圧が下がる and 改善) give one finding: the longest. */
function dropOverlapping(findings: VisibleFinding[]): VisibleFinding[] {
  const byLength = [...findings].sort((a, b) => b.end - b.start - (a.end - a.start));
  const kept: VisibleFinding[] = [];
  for (const finding of byLength) {
    if (!kept.some((other) => finding.start < other.end && other.start < finding.end)) kept.push(finding);
  }
  return kept.sort((a, b) => a.start - b.start);
}
