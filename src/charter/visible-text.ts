import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import type { MessageFormat } from './types.ts';

/**
 * The text a reader sees in a message part, with a map back to the part's source. Rules run on
 * `text`; `toSource` turns a range of `text` into the exact UTF-16 range in the source, so a
 * finding in an HTML or MJML body underlines the characters the author typed.
 *
 * Liquid (`{{ customer.name }}`, `{% if %}`) is masked before anything else with LIQUID_MASK
 * characters of the same length: offsets stay exact, HTML parsing is not confused by a `>` in
 * a Liquid condition, and no rule reacts to the mask (it is a symbol, never a word).
 */
export interface VisibleText {
  text: string;
  /** Source spans of Liquid markup; findings overlapping them are dropped. */
  liquidSpans: Array<[number, number]>;
  toSource(start: number, end: number): { start: number; end: number };
}

/** 〓 (geta): a symbol no Japanese message uses and no rule flags. */
export const LIQUID_MASK = '\u3013';
const LIQUID = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

function maskLiquid(source: string): { masked: string; spans: Array<[number, number]> } {
  const spans: Array<[number, number]> = [];
  const masked = source.replace(LIQUID, (match, offset: number) => {
    spans.push([offset, offset + match.length]);
    return LIQUID_MASK.repeat(match.length);
  });
  return { masked, spans };
}

/** Elements whose content is never seen by the reader (or is styling, not text). */
const HIDDEN = new Set([
  'head',
  'script',
  'style',
  'template',
  'noscript',
  'title',
  'mj-style',
  'mj-attributes',
  'mj-font',
  'mj-breakpoint',
  'mj-html-attributes',
  'mj-title',
]);
/** Elements that flow inside a sentence; every other element ends the text block. */
const INLINE = new Set(['a', 'b', 'strong', 'em', 'i', 'u', 's', 'span', 'small', 'sup', 'sub', 'font', 'mark', 'code', 'wbr']);

/** Extracts the visible text of one message part in its format. */
export function visibleText(source: string, format: MessageFormat): VisibleText {
  const { masked, spans } = maskLiquid(source);
  switch (format) {
    case 'text':
      return { text: masked, liquidSpans: spans, toSource: (start, end) => ({ start, end }) };
    case 'html':
    case 'mjml':
      return markupText(masked, spans);
  }
}

/** A character reference: &amp; &nbsp; &#12354; &#x1F600; (the ones HTML decodes without a semicolon are left as typed). */
const ENTITY = /&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g;

function markupText(masked: string, liquidSpans: Array<[number, number]>): VisibleText {
  let text = '';
  /** sourceAt[i], sourceEnd[i]: the source range text[i] comes from (a whole entity for a decoded character); separators point at their tag. */
  const sourceAt: number[] = [];
  const sourceEnd: number[] = [];
  let hiddenDepth = 0;
  const push = (chars: string, start: number, end: number) => {
    text += chars;
    for (let i = 0; i < chars.length; i += 1) {
      sourceAt.push(start);
      sourceEnd.push(end);
    }
  };
  const separate = (at: number, separator: string) => {
    if (text.length === 0 || text.endsWith('\n\n') || (separator === '\n' && text.endsWith('\n'))) return;
    push(separator, at, at + 1);
  };
  /** A text chunk as the reader sees it: entities decoded (&nbsp; is a space to the rules), each character mapped to its source. */
  const pushChunk = (chunk: string, start: number) => {
    let last = 0;
    for (const match of chunk.matchAll(ENTITY)) {
      const decoded = decodeHTML(match[0]).replace(/\u00a0/g, ' ');
      if (decoded === match[0]) continue;
      for (let i = last; i < match.index; i += 1) push(chunk[i]!, start + i, start + i + 1);
      push(decoded, start + match.index, start + match.index + match[0].length);
      last = match.index + match[0].length;
    }
    for (let i = last; i < chunk.length; i += 1) push(chunk[i]!, start + i, start + i + 1);
  };
  const parser: Parser = new Parser(
    {
      onopentag(name) {
        if (HIDDEN.has(name)) hiddenDepth += 1;
        else if (name === 'br') separate(parser.startIndex, '\n');
        else if (!INLINE.has(name)) separate(parser.startIndex, '\n\n');
      },
      onclosetag(name) {
        if (HIDDEN.has(name)) hiddenDepth = Math.max(0, hiddenDepth - 1);
        else if (!INLINE.has(name) && name !== 'br') separate(parser.startIndex, '\n\n');
      },
      ontext(chunk) {
        if (hiddenDepth > 0) return;
        pushChunk(chunk, parser.startIndex);
      },
    },
    { decodeEntities: false, recognizeSelfClosing: true, lowerCaseTags: true },
  );
  parser.write(masked);
  parser.end();
  return {
    text,
    liquidSpans,
    toSource(start, end) {
      if (end <= start) {
        const at = sourceAt[start] ?? masked.length;
        return { start: at, end: at };
      }
      return { start: sourceAt[start] ?? masked.length, end: sourceEnd[end - 1] ?? masked.length };
    },
  };
}
