/** A sentence of the visible text: [start, end) in that text, end after its final mark. */
export interface Sentence {
  start: number;
  end: number;
  text: string;
}

const SENTENCE_END = /[。！？!?]+|\n/g;

/**
 * Splits visible text into sentences at 。！？!? and line breaks, trimming white space. Our
 * rules judge a word by the other words of its sentence (claims need a body or health word in
 * the same sentence), so this is the unit of context.
 */
export function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  let from = 0;
  const push = (start: number, end: number) => {
    while (start < end && /\s/.test(text[start] ?? '')) start += 1;
    while (end > start && /\s/.test(text[end - 1] ?? '')) end -= 1;
    if (end > start) sentences.push({ start, end, text: text.slice(start, end) });
  };
  for (const match of text.matchAll(SENTENCE_END)) {
    const end = match.index + match[0].length;
    push(from, end);
    from = end;
  }
  push(from, text.length);
  return sentences;
}
