import { api, unwrap, type Schemas } from '../api/client.ts';
import { useApiData } from '../use-api-data.ts';

export type MessageDraft = Schemas['MessageInputInput'];
export type CheckResult = Schemas['CheckResult'];
export type Finding = Schemas['CharterFinding'];
export type MessagePart = Finding['range']['part'];

/** Pause after the last keystroke before the message is checked again. */
const TYPING_PAUSE_MS = 120;

export interface LiveCheck {
  /** The findings, valid for the draft as it is now (moved along with edits made since the last check). */
  findings: Finding[];
  /** The last result from the server; its score and counts are of the draft last checked. */
  result: CheckResult | undefined;
  /** True while the draft on screen differs from the one last checked. */
  checking: boolean;
  error: Error | undefined;
}

/**
 * Checks a draft against the workspace's charter as it is typed: after a short pause, one
 * request at a time (a newer draft aborts the older request); not while `paused` (an IME
 * composition: the kana not yet converted are not what the user means to write). Between checks, the last
 * findings are carried over the edit (those the edit touched are dropped), so the underlines
 * stay in place while the user types instead of flickering.
 */
export function useLiveCheck(workspace: string, draft: MessageDraft, options: { paused?: boolean } = {}): LiveCheck {
  const empty = draft.body.trim() === '';
  const checked = useApiData(
    async (signal) => ({
      draft,
      result: await unwrap(api.POST('/api/v1/workspaces/{workspace}/charter/check', {
        params: { path: { workspace } },
        body: { ...draft, subject: draft.channel === 'email' && draft.subject ? draft.subject : undefined },
        signal,
      })),
    }),
    [workspace, draft.department, draft.channel, draft.format, draft.subject ?? null, draft.body],
    { pauseMs: TYPING_PAUSE_MS, enabled: options.paused !== true && !empty },
  );
  if (empty) return { findings: [], result: undefined, checking: false, error: undefined };
  if (checked.state === 'failed') return { findings: [], result: undefined, checking: false, error: checked.error };
  if (checked.state === 'loading') return { findings: [], result: undefined, checking: true, error: undefined };
  const { draft: sent, result } = checked.data;
  const sameKind = sent.department === draft.department && sent.channel === draft.channel && sent.format === draft.format;
  const findings = !sameKind ? [] : result.findings.flatMap((finding) => {
    const part = finding.range.part;
    const moved = moveRange(partText(sent, part), partText(draft, part), finding.range);
    return moved ? [{ ...finding, range: { part, ...moved } }] : [];
  });
  return { findings, result, checking: checked.refreshing, error: undefined };
}

/** A finding's identity within one check: its part, rule and range (React keys, marks, cards). */
export function findingKey(finding: Finding): string {
  return `${finding.range.part}:${finding.rule}:${finding.range.start}:${finding.range.end}`;
}

export function partText(draft: MessageDraft, part: MessagePart): string {
  return part === 'subject' ? draft.subject ?? '' : draft.body;
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
export function applyFix(draft: MessageDraft, finding: Finding): MessageDraft | undefined {
  if (finding.fix === undefined) return undefined;
  const text = partText(draft, finding.range.part);
  if (text.slice(finding.range.start, finding.range.end) !== finding.text) return undefined;
  const fixed = text.slice(0, finding.range.start) + finding.fix + text.slice(finding.range.end);
  return finding.range.part === 'subject' ? { ...draft, subject: fixed } : { ...draft, body: fixed };
}

/** Every fix that can be applied, from the end of each part backwards so earlier ranges stay true; overlapping ones after the first are skipped. */
export function applyAllFixes(draft: MessageDraft, findings: Finding[]): { draft: MessageDraft; applied: number } {
  const fixable = findings.filter((finding) => finding.fix !== undefined)
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
