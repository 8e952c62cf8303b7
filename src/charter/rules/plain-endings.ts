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
 * 「」『』: a customer's own words (「とてもおいしい。」) are quoted as they were said. The fix is the polite form
 * when it follows from the words alone (だ → です, した → しました, おいしい → おいしいです, いる →
 * います); other verbs need conjugation and get none. である itself is left to textlint.
 */
const POLITE_ENDING = /(?:です|ます|ません|でした|ました|でしょう|ましょう|ください|下さい|ませ)[」』）)〕】]*[。！？!?]+$/;
const CLOSED = /[。！？!?]+[」』）)〕】]*$|[」』）)〕】]*[。！？!?]+$/;
const QUOTE_STEP = (char: string) => (char === '「' || char === '『' ? 1 : char === '」' || char === '』' ? -1 : 0);
/** Verbs whose polite form is known without conjugation tables. */
const POLITE_VERBS: Record<string, string> = { する: 'します', いる: 'います', ある: 'あります', なる: 'なります', できる: 'できます', くる: 'きます', 来る: '来ます' };

export interface PlainEnding {
  start: number;
  end: number;
  fix?: string;
}

/** The plain ending of one sentence, in offsets of the sentence text, or undefined when it ends politely (or is not closed). */
export function plainEndingOf(sentence: string, tokens: readonly KuromojiToken[]): PlainEnding | undefined {
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last]!.pos === '記号') last -= 1;
  if (last < 0) return undefined;
  const token = (i: number) => tokens[i];
  const at = (i: number) => token(i)!.word_position - 1;
  const end = at(last) + token(last)!.surface_form.length;
  const t0 = token(last)!;
  const t1 = token(last - 1);
  const t2 = token(last - 2);
  const isDa = (t: KuromojiToken | undefined) => t?.pos === '助動詞' && t.conjugated_type === '特殊・ダ';

  // である / であった are textlint's (or, for であった, the copula's own below).
  if (t0.pos === '助動詞' && t0.basic_form === 'だ' && t0.conjugated_form === '基本形') return { start: at(last), end, fix: 'です' };
  if (t0.basic_form === 'う' && isDa(t1) && t1!.surface_form === 'だろ') return { start: at(last - 1), end, fix: 'でしょう' };
  if (t0.basic_form === 'た' && t0.pos === '助動詞') {
    if (isDa(t1) && t1!.surface_form === 'だっ') return { start: at(last - 1), end, fix: 'でした' };
    if (t1?.basic_form === 'ある' && isDa(t2) && t2!.surface_form === 'で') return { start: at(last - 2), end, fix: 'でした' };
    if (t1?.pos === '動詞') {
      if (t1.conjugated_type === 'サ変・スル') return { start: at(last - 1), end, fix: 'しました' };
      return { start: at(last - 1), end };
    }
    if (t1?.pos === '形容詞') return { start: at(last - 1), end, fix: `${sentence.slice(at(last - 1), end)}です` };
    return undefined;
  }
  if (t0.pos === '助動詞' && t0.basic_form === 'ない' && t1?.surface_form === 'は' && t2?.surface_form === 'で') {
    return { start: at(last - 2), end, fix: 'ではありません' };
  }
  if (t0.pos === '動詞' && t0.conjugated_form === '基本形') {
    if (t0.basic_form === 'ある' && isDa(t1)) return undefined;
    const polite = POLITE_VERBS[t0.basic_form];
    return polite && t0.surface_form === t0.basic_form ? { start: at(last), end, fix: polite } : { start: at(last), end };
  }
  if (t0.pos === '形容詞' && t0.conjugated_form === '基本形') return { start: at(last), end, fix: `${t0.surface_form}です` };
  return undefined;
}

/** The plain endings of a text's closed sentences outside quotes, as findings of the register rule. */
export async function findPlainEndings(
  text: string, sentences: readonly Sentence[], tokenize: (text: string) => Promise<readonly KuromojiToken[]>, severity: Severity,
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
      rule: 'register.mixed', severity,
      start: sentence.start + ending.start, end: sentence.start + ending.end,
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
