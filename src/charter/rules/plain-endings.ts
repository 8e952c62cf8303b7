import type { KuromojiToken } from '../morphology.ts';
import type { Sentence } from '../sentences.ts';
import type { Severity } from '../types.ts';
import type { VisibleFinding } from './rule-finding.ts';

/**
 * Plain (常体) sentence endings in a message whose charter fixes です・ます: 明日だ。, 雨だった。,
 * 届くだろう。, 発送した。, 毎朝飲む。, おいしい。 textlint's no-mix-dearu-desumasu counts only
 * である as the plain register, so a support mail ending one sentence in だ passes it; this
 * rule reads the last words of each sentence with kuromoji.
 *
 * Only sentences closed by 。！？!? are judged: headings, list items and taglines (送料無料,
 * 新登場) end without them and are not sentences of the register. Nor are sentences inside
 * 「」『』: a customer's own words (「とてもおいしい。」) are quoted as they were said. The fix is
 * the polite form, conjugated from kuromoji's dictionary form and conjugation class (だ → です,
 * 届いた → 届きました, 飲まない → 飲みません, おいしい → おいしいです); a verb of a class it does not
 * know gets none. である itself is left to textlint.
 */
const POLITE_ENDING = /(?:です|ます|ません|でした|ました|でしょう|ましょう|ください|下さい|ませ)[」』）)〕】]*[。！？!?]+$/;
const CLOSED = /[。！？!?]+[」』）)〕】]*$|[」』）)〕】]*[。！？!?]+$/;
const QUOTE_STEP = (char: string) => (char === '「' || char === '『' ? 1 : char === '」' || char === '』' ? -1 : 0);
/** The i-row kana a godan verb's ending takes before ます (飲む → 飲み). */
const I_ROW: Record<string, string> = { う: 'い', く: 'き', ぐ: 'ぎ', す: 'し', つ: 'ち', ぬ: 'に', ぶ: 'び', む: 'み', る: 'り' };

/**
 * The form a verb takes before ます (連用形), from its dictionary form and conjugation class as
 * kuromoji (IPADIC) gives them: 飲む 五段・マ行 → 飲み, 食べる 一段 → 食べ, 保存する サ変 → し, 来る → 来;
 * くださる (五段・ラ行特殊) → ください. Undefined for a class it does not know, or when the
 * written verb does not begin like its dictionary form (the fix would not fit the text).
 */
function masuStem(verb: KuromojiToken): string | undefined {
  const base = verb.basic_form;
  const type = verb.conjugated_type;
  const irregular = type.startsWith('サ変') || type.startsWith('カ変');
  if (!verb.surface_form.startsWith(base.slice(0, base.length - (irregular ? 2 : 1)))) return undefined;
  if (type.startsWith('五段・ラ行特殊')) return `${base.slice(0, -1)}い`;
  if (type.startsWith('五段')) {
    const kana = I_ROW[base.at(-1) ?? ''];
    return kana === undefined ? undefined : base.slice(0, -1) + kana;
  }
  if (type.startsWith('一段')) return base.slice(0, -1);
  if (type.startsWith('サ変') && base.endsWith('する')) return `${base.slice(0, -2)}し`;
  if (type.startsWith('サ変') && base.endsWith('ずる')) return `${base.slice(0, -2)}じ`;
  if (type === 'カ変・来ル') return `${base.slice(0, -2)}来`;
  if (type === 'カ変・クル') return `${base.slice(0, -2)}き`;
  return undefined;
}

interface PlainEnding {
  start: number;
  end: number;
  fix?: string;
}

/** The plain ending of one sentence, in offsets of the sentence text, or undefined when it ends politely. */
function plainEndingOf(sentence: string, tokens: readonly KuromojiToken[]): PlainEnding | undefined {
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last]!.pos === '記号') last -= 1;
  if (last < 0) return undefined;
  const at = (i: number) => tokens[i]!.word_position - 1;
  const end = at(last) + tokens[last]!.surface_form.length;
  const t0 = tokens[last]!;
  const t1 = tokens[last - 1];
  const t2 = tokens[last - 2];
  const isCopula = (t: KuromojiToken | undefined) => t?.pos === '助動詞' && t.conjugated_type === '特殊・ダ';
  const polite = (verb: KuromojiToken, ending: string) => {
    const stem = masuStem(verb);
    return stem === undefined ? undefined : stem + ending;
  };
  const span = (from: number, fix: string | undefined): PlainEnding => ({ start: at(from), end, ...(fix !== undefined ? { fix } : {}) });

  // Copula: 明日だ → です, だろう → でしょう. である is textlint's rule's.
  if (isCopula(t0) && t0.conjugated_form === '基本形') return span(last, 'です');
  if (t0.basic_form === 'う' && isCopula(t1) && t1!.surface_form === 'だろ') return span(last - 1, 'でしょう');
  // Past (た, or だ after a voiced stem: 喜んだ).
  if (t0.pos === '助動詞' && t0.conjugated_type === '特殊・タ') {
    if (isCopula(t1) && t1!.surface_form === 'だっ') return span(last - 1, 'でした');
    if (t1?.basic_form === 'ある' && isCopula(t2) && t2!.surface_form === 'で') return span(last - 2, 'でした');
    if (t1?.pos === '動詞') return span(last - 1, polite(t1, 'ました'));
    if (t1?.pos === '形容詞') return span(last - 1, `${sentence.slice(at(last - 1), end)}です`);
    return undefined;
  }
  // Negative: ではない → ではありません, 飲まない → 飲みません.
  if (t0.pos === '助動詞' && t0.conjugated_type === '特殊・ナイ' && t0.conjugated_form === '基本形') {
    if (t1?.surface_form === 'は' && t2?.surface_form === 'で') return span(last - 2, 'ではありません');
    if (t1?.pos === '動詞' && t1.conjugated_form === '未然形') return span(last - 1, polite(t1, 'ません'));
    return undefined;
  }
  if (t0.pos === '動詞' && t0.conjugated_form === '基本形') {
    if (t0.basic_form === 'ある' && isCopula(t1)) return undefined;
    return span(last, polite(t0, 'ます'));
  }
  if (t0.pos === '形容詞' && t0.conjugated_form === '基本形') return span(last, `${t0.surface_form}です`);
  return undefined;
}

/** The plain endings of a text's closed sentences outside quotes, as findings of the register rule. */
export async function findPlainEndings(
  text: string,
  sentences: readonly Sentence[],
  tokenize: (text: string) => Promise<readonly KuromojiToken[]>,
  severity: Severity,
): Promise<VisibleFinding[]> {
  const findings: VisibleFinding[] = [];
  // quoteDepth[i]: how many 「『 are open before text[i].
  const quoteDepth = new Int16Array(text.length + 1);
  for (let i = 0; i < text.length; i += 1) quoteDepth[i + 1] = Math.max(0, quoteDepth[i]! + QUOTE_STEP(text[i]!));
  for (const sentence of sentences) {
    // Most sentences of a polite message end politely: no morphology for them.
    if (!CLOSED.test(sentence.text) || POLITE_ENDING.test(sentence.text)) continue;
    const ending = plainEndingOf(sentence.text, await tokenize(sentence.text));
    if (!ending || quoteDepth[sentence.start + ending.start]! > 0) continue;
    const words = sentence.text.slice(ending.start, ending.end);
    findings.push({
      rule: 'register.mixed',
      severity,
      start: sentence.start + ending.start,
      end: sentence.start + ending.end,
      message: {
        ja: `「${words}」は常体(である調)の結びです。「です・ます」調に統一します。`,
        en: `"${words}" ends the sentence in the plain register; write in the です・ます register.`,
      },
      explanation: { ja: '一通の中で文体を混ぜると、お客様に一貫しない印象を与えます。', en: 'Mixing registers in one message reads as two voices.' },
      ...(ending.fix !== undefined ? { fix: ending.fix } : {}),
    });
  }
  return findings;
}
