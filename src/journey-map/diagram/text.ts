/**
 * Text measurement without a font engine, for the diagram's layout (pure: no DOM, no Node).
 *
 * Widths are estimates in em: CJK, kana, full-width forms and the symbols Noto Sans JP draws
 * full-width (arrows, ★, ●, …) are 1 em; everything else is 0.55 em, a little more than the
 * font's average Latin advance, so an estimate errs on the wide side and text never overflows
 * its box in the SVG, the PNG or the PDF (all three draw with Noto Sans JP).
 */

const NARROW_EM = 0.55;
/** Bold Latin runs about 5 % wider in Noto Sans JP; CJK advances do not change. */
const BOLD_NARROW_EM = 0.58;
export const ELLIPSIS = '…';

/** Whether a code point is drawn 1 em wide. */
export function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2010 && codePoint <= 0x2bff) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    codePoint >= 0x20000
  );
}

/** The estimated width of `text` in px at font size `size`. */
export function textWidth(text: string, size: number, bold = false): number {
  let em = 0;
  for (const char of text) em += isWide(char.codePointAt(0) ?? 0) ? 1 : bold ? BOLD_NARROW_EM : NARROW_EM;
  return em * size;
}

/** Characters that must not start a line (句読点, closing brackets): they stay on the line before. */
const NO_LINE_START = new Set([...'、。，．,.:;!?！？)）」』】〕〉》ー・…ぁぃぅぇぉっゃゅょァィゥェォッャュョ']);

/** A text split into units a line may break between: one CJK character, a Latin word, or a run of spaces. */
function tokens(paragraph: string): string[] {
  const result: string[] = [];
  let word = '';
  for (const char of paragraph) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (char === ' ' || char === '\t' || isWide(codePoint)) {
      if (word) result.push(word);
      word = '';
      result.push(char === '\t' ? ' ' : char);
    } else {
      word += char;
    }
  }
  if (word) result.push(word);
  return result;
}

/** Cuts `text` so that `text…` fits `maxWidth` (the whole text when it fits without the ellipsis). */
export function truncate(text: string, maxWidth: number, size: number, bold = false): string {
  if (textWidth(text, size, bold) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(`${chars.join('').trimEnd()}${ELLIPSIS}`, size, bold) > maxWidth) chars.pop();
  return chars.length === 0 ? ELLIPSIS : `${chars.join('').trimEnd()}${ELLIPSIS}`;
}

export interface WrappedText {
  lines: string[];
  /** Some of the text did not fit in `maxLines`; the last line ends with …. */
  truncated: boolean;
}

/**
 * Wraps `text` into lines at most `maxWidth` wide: CJK text breaks between any two characters
 * (closing punctuation never starts a line), Latin text between words (a word longer than a
 * line is broken), newlines are kept. More than `maxLines` lines: the last one ends with ….
 */
export function wrapText(text: string, options: { maxWidth: number; size: number; maxLines: number; bold?: boolean }): WrappedText {
  const { maxWidth, size, maxLines, bold = false } = options;
  if (maxLines <= 0) return { lines: [], truncated: text.trim().length > 0 };
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    let line = '';
    const push = () => {
      lines.push(line.trimEnd());
      line = '';
    };
    for (const token of tokens(paragraph)) {
      if (token === ' ' && line === '') continue;
      if (textWidth(line + token, size, bold) <= maxWidth || NO_LINE_START.has(token)) {
        line += token;
        continue;
      }
      if (token === ' ') {
        push();
        continue;
      }
      if (line !== '') push();
      if (textWidth(token, size, bold) <= maxWidth) {
        line = token;
        continue;
      }
      for (const char of token) {
        if (line !== '' && textWidth(line + char, size, bold) > maxWidth) push();
        line += char;
      }
    }
    push();
  }
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length <= maxLines) return { lines, truncated: false };
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = truncate(`${kept[maxLines - 1]}${ELLIPSIS}`, maxWidth, size, bold);
  return { lines: kept, truncated: true };
}

/** 1234567 → "1,234,567" (the same in Japanese and English, and the same on the server and in the browser). */
export function formatCount(value: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The share of `part` in `whole` as a percentage with one decimal: 123 of 1000 → "12.3%". */
export function formatShare(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)}%`;
}
