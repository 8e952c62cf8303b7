import { api, unwrap, type Schemas } from '../api/client.ts';
import { useApiData } from '../use-api-data.ts';
import { moveRange, partText } from './finding-edits.ts';

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
      result: await unwrap(
        api.POST('/api/v1/workspaces/{workspace}/charter/check', {
          params: { path: { workspace } },
          body: { ...draft, subject: draft.channel === 'email' && draft.subject ? draft.subject : undefined },
          signal,
        }),
      ),
    }),
    [workspace, draft.department, draft.channel, draft.format, draft.subject ?? null, draft.body],
    { pauseMs: TYPING_PAUSE_MS, enabled: options.paused !== true && !empty },
  );
  if (empty) return { findings: [], result: undefined, checking: false, error: undefined };
  if (checked.state === 'failed') return { findings: [], result: undefined, checking: false, error: checked.error };
  if (checked.state === 'loading') return { findings: [], result: undefined, checking: true, error: undefined };
  const { draft: sent, result } = checked.data;
  const sameKind = sent.department === draft.department && sent.channel === draft.channel && sent.format === draft.format;
  const findings = !sameKind
    ? []
    : result.findings.flatMap((finding) => {
        const part = finding.range.part;
        const moved = moveRange(partText(sent, part), partText(draft, part), finding.range);
        return moved ? [{ ...finding, range: { part, ...moved } }] : [];
      });
  return { findings, result, checking: checked.refreshing, error: undefined };
}
