import { useEffect, useLayoutEffect, useRef, useState, type PointerEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { findingKey } from './finding-edits.ts';
import type { Finding } from './live-check.ts';
import { FindingCard } from './finding-card.tsx';

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;
/** How long the hover card stays after the pointer leaves, so it can be reached. */
const HIDE_DELAY_MS = 300;

export interface SelectRequest {
  start: number;
  end: number;
  /** Changes with every request, so the same range can be asked for twice. */
  seq: number;
}

interface CheckedTextProps {
  id: string;
  value: string;
  onChange(value: string): void;
  /** This part's findings, valid for `value`. */
  findings: Finding[];
  /** false: one line (an email subject); Enter does not break the line. */
  multiline: boolean;
  minRows?: number;
  readOnly?: boolean;
  onApplyFix(finding: Finding): void;
  /** Select a range in the text (from the findings list) and show its card. */
  select?: SelectRequest;
  describedBy?: string;
  label?: string;
  /** An IME composition started (true) or ended (false). */
  onComposing?(composing: boolean): void;
}

/**
 * A text field whose findings are underlined in place, under the text the user types: a
 * backdrop with the same text, font and wrapping sits behind a transparent textarea and draws
 * the marks. Pointing at an underline, or putting the caret in it, shows the finding's card
 * with its suggestion and a one-click fix.
 */
export function CheckedText({
  id,
  value,
  onChange,
  findings,
  multiline,
  minRows = 10,
  readOnly,
  onApplyFix,
  select,
  describedBy,
  label,
  onComposing,
}: CheckedTextProps) {
  const { t } = useI18n();
  const input = useRef<HTMLTextAreaElement>(null);
  const backdrop = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const hideTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const [card, setCard] = useState<{ keys: string[]; top: number; left: number } | undefined>(undefined);

  const shown = card ? findings.filter((finding) => card.keys.includes(findingKey(finding))) : [];

  useLayoutEffect(() => {
    if (backdrop.current && input.current) {
      backdrop.current.scrollTop = input.current.scrollTop;
      backdrop.current.scrollLeft = input.current.scrollLeft;
    }
  });

  useEffect(() => () => clearTimeout(hideTimer.current), []);

  useEffect(() => {
    if (!select || !input.current) return;
    input.current.focus();
    input.current.setSelectionRange(select.start, select.end);
    showCardAtOffset(select.start, select.end);
    // Only a new request selects; findings moving under it must not steal the caret.
  }, [select?.seq]);

  /** The marks (and point markers) drawn for findings, with the keys of the findings they carry. */
  function marks(): Array<{ element: HTMLElement; keys: string[] }> {
    const nodes = backdrop.current?.querySelectorAll<HTMLElement>('[data-findings]') ?? [];
    return [...nodes].map((element) => ({ element, keys: (element.dataset.findings ?? '').split('|') }));
  }

  function open(keys: string[], element: HTMLElement) {
    if (!frame.current) return;
    clearTimeout(hideTimer.current);
    const box = frame.current.getBoundingClientRect();
    const at = element.getBoundingClientRect();
    setCard({ keys, top: at.bottom - box.top + 6, left: Math.max(0, Math.min(at.left - box.left, box.width - 370)) });
  }

  function scheduleHide() {
    clearTimeout(hideTimer.current);
    hideTimer.current = setTimeout(() => setCard(undefined), HIDE_DELAY_MS);
  }

  function onPointerMove(event: PointerEvent) {
    const hit = marks().find(({ element }) =>
      [...element.getClientRects()].some(
        (rect) => event.clientX >= rect.left - 2 && event.clientX <= rect.right + 2 && event.clientY >= rect.top && event.clientY <= rect.bottom,
      ),
    );
    if (hit) open(hit.keys, hit.element);
    else if (card) scheduleHide();
  }

  function showCardAtOffset(start: number, end: number) {
    const covering = findings.filter((finding) => covers(finding, start, end));
    const hit = covering.length > 0 ? marks().find(({ keys }) => covering.some((finding) => keys.includes(findingKey(finding)))) : undefined;
    if (hit) open(covering.map(findingKey), hit.element);
    else setCard(undefined);
  }

  function onCaret() {
    const element = input.current;
    if (!element) return;
    showCardAtOffset(element.selectionStart, element.selectionEnd);
  }

  return (
    <div className={`checked-field ${multiline ? 'checked-multiline' : 'checked-single'}`} ref={frame} onPointerLeave={scheduleHide}>
      <div className="checked-backdrop" ref={backdrop} aria-hidden="true">
        {renderMarks(value, findings)}
        {'\u200b'}
      </div>
      <textarea
        id={id}
        ref={input}
        className="checked-input"
        value={value}
        readOnly={readOnly}
        rows={multiline ? minRows : 1}
        spellCheck={false}
        aria-label={label}
        aria-describedby={describedBy}
        onChange={(event) => onChange(multiline ? event.target.value : event.target.value.replace(/[\r\n]+/g, ' '))}
        onKeyDown={(event) => {
          if (!multiline && event.key === 'Enter') event.preventDefault();
          if (event.key === 'Escape') setCard(undefined);
        }}
        onKeyUp={(event) => {
          if (event.key.startsWith('Arrow') || event.key === 'Home' || event.key === 'End') onCaret();
        }}
        onClick={onCaret}
        onCompositionStart={() => onComposing?.(true)}
        onCompositionEnd={() => onComposing?.(false)}
        onScroll={() => {
          if (backdrop.current && input.current) backdrop.current.scrollTop = input.current.scrollTop;
        }}
        onPointerMove={onPointerMove}
      />
      {card && shown.length > 0 && (
        <div
          className="finding-popover"
          role="dialog"
          aria-label={t.charter.checker.findingCard}
          style={{ top: card.top, left: card.left }}
          onPointerEnter={() => clearTimeout(hideTimer.current)}
          onPointerLeave={scheduleHide}
        >
          {shown.map((finding) => (
            <FindingCard
              key={findingKey(finding)}
              finding={finding}
              readOnly={readOnly}
              onApplyFix={() => {
                setCard(undefined);
                onApplyFix(finding);
                input.current?.focus();
              }}
            />
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * The text cut where findings start and end; each piece covered by findings is a <mark>
 * carrying their keys and the most severe one's colour. A finding with no length (something
 * missing, such as a greeting) is a point marker between pieces.
 */
function renderMarks(text: string, findings: Finding[]): ReactNode[] {
  const cuts = new Set([0, text.length]);
  for (const finding of findings) {
    cuts.add(Math.min(finding.range.start, text.length));
    cuts.add(Math.min(finding.range.end, text.length));
  }
  const positions = [...cuts].sort((a, b) => a - b);
  const nodes: ReactNode[] = [];
  for (let i = 0; i < positions.length; i++) {
    const at = positions[i]!;
    const points = findings.filter((finding) => finding.range.start === finding.range.end && Math.min(finding.range.start, text.length) === at);
    if (points.length > 0) {
      nodes.push(<span key={`p${at}`} className={`finding-point severity-${mostSevere(points)}`} data-findings={points.map(findingKey).join('|')} />);
    }
    const next = positions[i + 1];
    if (next === undefined) break;
    const piece = text.slice(at, next);
    const covering = findings.filter((finding) => finding.range.start < finding.range.end && finding.range.start <= at && next <= finding.range.end);
    nodes.push(
      covering.length === 0 ? (
        piece
      ) : (
        <mark key={`m${at}`} className={`finding-mark severity-${mostSevere(covering)}`} data-findings={covering.map(findingKey).join('|')}>
          {piece}
        </mark>
      ),
    );
  }
  return nodes;
}

function mostSevere(findings: Finding[]): Finding['severity'] {
  return findings.reduce((worst, finding) => (SEVERITY_RANK[finding.severity] < SEVERITY_RANK[worst] ? finding.severity : worst), findings[0]!.severity);
}

/**
 * Whether a selection [start, end) (a caret when start = end) lies on a finding: within its
 * range, the caret also just after it; on a point finding (no length), the caret at its place.
 */
function covers(finding: Finding, start: number, end: number): boolean {
  const { start: from, end: to } = finding.range;
  if (from === to) return start === from && end === from;
  return from <= start && end <= to && (start < to || start === end);
}
