/**
 * Edits of a message by its findings, as plain functions of text (no React, no API): a
 * finding's key, ranges carried over an edit, fixes applied. The live checker (live-check.ts)
 * and the message editor use them; their types are the API's shapes, reduced to what is read.
 */

export type MessagePart = 'subject' | 'body';

/** What these functions read of a finding (the API's CharterFinding has more). */
export interface EditableFinding {
  rule: string;
  range: { part: MessagePart; start: number; end: number };
  text: string;
  fix?: string;
}

/** What these functions read and write of a draft (the API's MessageInput has more). */
export interface DraftText {
  subject?: string | null;
  body: string;
}

/** A finding's identity within one check: its part, rule and range (React keys, marks, cards). */
export function findingKey(finding: EditableFinding): string {
  return `${finding.range.part}:${finding.rule}:${finding.range.start}:${finding.range.end}`;
}

export function partText(draft: DraftText, part: MessagePart): string {
  return part === 'subject' ? (draft.subject ?? '') : draft.body;
}

/**
 * A range of `before` carried over to `after`: the edit is the span between their common
 * prefix and common suffix; a range before it stays, one after it moves by the length change,
 * and one the edit touches is gone (undefined).
 */
export function moveRange(before: string, after: string, range: { start: number; end: number }): { start: number; end: number } | undefined {
  if (before === after) return { start: range.start, end: range.end };
  const shortest = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shortest && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shortest - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  const editEnd = before.length - suffix;
  if (range.end < prefix || (range.end === prefix && range.start < range.end)) return { start: range.start, end: range.end };
  if (range.start > editEnd || (range.start === editEnd && range.start < range.end && prefix < editEnd)) {
    const shift = after.length - before.length;
    return { start: range.start + shift, end: range.end + shift };
  }
  return undefined;
}

/** The draft with a finding's fix applied, or undefined when the text at its range is no longer what was found. */
export function applyFix<D extends DraftText>(draft: D, finding: EditableFinding): D | undefined {
  if (finding.fix === undefined) return undefined;
  const text = partText(draft, finding.range.part);
  if (text.slice(finding.range.start, finding.range.end) !== finding.text) return undefined;
  const fixed = text.slice(0, finding.range.start) + finding.fix + text.slice(finding.range.end);
  return finding.range.part === 'subject' ? { ...draft, subject: fixed } : { ...draft, body: fixed };
}

/** Every fix that can be applied, from the end of each part backwards so earlier ranges stay true; overlapping ones after the first are skipped. */
export function applyAllFixes<D extends DraftText>(draft: D, findings: EditableFinding[]): { draft: D; applied: number } {
  const fixable = findings
    .filter((finding) => finding.fix !== undefined)
    .sort((a, b) => (a.range.part === b.range.part ? b.range.start - a.range.start || b.range.end - a.range.end : a.range.part.localeCompare(b.range.part)));
  let next = draft;
  let applied = 0;
  const taken: Record<MessagePart, number> = { subject: Number.POSITIVE_INFINITY, body: Number.POSITIVE_INFINITY };
  for (const finding of fixable) {
    if (finding.range.end > taken[finding.range.part]) continue;
    const fixed = applyFix(next, finding);
    if (!fixed) continue;
    next = fixed;
    applied++;
    // A zero-length insertion at the very start of the next range would still be fine; an overlap is not.
    taken[finding.range.part] = finding.range.start;
  }
  return { draft: next, applied };
}
