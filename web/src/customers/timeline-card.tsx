import { useEffect, useState, type ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import type { Format } from '../format.ts';
import { governanceText, noteOfTimeline } from '../governance/outcome-text.ts';
import { labelOf, useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { DataFields, displayValue, ReadableText, readableValue } from './data-fields.tsx';

type TimelineEntry = Schemas['CustomerTimeline']['entries'][number];

const PAGE_SIZE = 50;

type TimelineState =
  | { state: 'loading' }
  | { state: 'failed'; error: Error }
  | { state: 'ready'; entries: TimelineEntry[]; nextBefore: string | null; loadingMore: boolean };

/** Everything that happened to the customer, newest first; "load more" goes further back. */
export function TimelineCard({ customerId }: { customerId: string }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const [timeline, setTimeline] = useState<TimelineState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  const fetchPage = (before: string | undefined, signal?: AbortSignal) =>
    unwrap(
      api.GET('/api/v1/workspaces/{workspace}/customers/{id}/timeline', {
        params: { path: { workspace: workspace.name, id: customerId }, query: { limit: PAGE_SIZE, ...(before ? { before } : {}) } },
        ...(signal ? { signal } : {}),
      }),
    );

  useEffect(() => {
    const controller = new AbortController();
    setTimeline({ state: 'loading' });
    fetchPage(undefined, controller.signal).then(
      (page) => {
        if (!controller.signal.aborted) setTimeline({ state: 'ready', ...page, loadingMore: false });
      },
      (error: Error) => {
        if (!controller.signal.aborted) setTimeline({ state: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [workspace.name, customerId, attempt]);

  async function loadMore() {
    if (timeline.state !== 'ready' || !timeline.nextBefore) return;
    setTimeline({ ...timeline, loadingMore: true });
    try {
      const page = await fetchPage(timeline.nextBefore);
      setTimeline({ state: 'ready', entries: [...timeline.entries, ...page.entries], nextBefore: page.nextBefore, loadingMore: false });
    } catch (error) {
      setTimeline({ state: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  return (
    <section className="card" aria-labelledby="timeline-heading">
      <div className="card-header">
        <h2 id="timeline-heading">{t.customer360.timeline}</h2>
        <span className="muted">{t.customer360.timelineLead}</span>
      </div>
      {timeline.state === 'loading' && <Loading />}
      {timeline.state === 'failed' && <Failure error={timeline.error} retry={() => setAttempt((a) => a + 1)} />}
      {timeline.state === 'ready' && (
        <>
          {timeline.entries.length === 0 ? (
            <p className="muted">{t.customer360.noTimeline}</p>
          ) : (
            <ol className="timeline" aria-labelledby="timeline-heading">
              {timeline.entries.map((entry, index) => (
                <TimelineItem key={`${entry.kind}:${entry.at}:${index}`} entry={entry} />
              ))}
            </ol>
          )}
          {timeline.nextBefore && (
            <button type="button" className="button" disabled={timeline.loadingMore} onClick={() => void loadMore()}>
              {timeline.loadingMore ? t.app.loading : t.customer360.loadMore}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function TimelineItem({ entry }: { entry: TimelineEntry }) {
  const { t, locale } = useI18n();
  const { format } = useCurrentWorkspace();
  const { text, details } = describe(entry, t, format, locale);
  return (
    <li className={`kind-${entry.kind}`}>
      <div className="timeline-meta">
        <span className={`badge badge-${entry.kind}`}>{entry.kind === 'contact_decision' ? t.governance.timeline.kind : t.timeline.kinds[entry.kind]}</span>
        <time dateTime={entry.at}>{format.dateTime(entry.at)}</time>
      </div>
      <div className="timeline-text">{text}</div>
      {details && <div className="timeline-details">{details}</div>}
    </li>
  );
}

/** One line of text in the operator's language for each kind of entry, and its remaining details. */
function describe(entry: TimelineEntry, t: Messages, format: Format, locale: 'ja' | 'en'): { text: ReactNode; details?: ReactNode } {
  const detail = (key: string) => displayValue(entry.details[key]);
  switch (entry.kind) {
    case 'order':
      return {
        text: t.timeline.order(
          detail('externalId'),
          format.money(detail('amount')),
          format.integer(Number(entry.details.itemCount ?? 0)),
          labelOf(t.orderStatus, detail('status')),
        ),
        details: [labelOf(t.channels.order, detail('channel')), entry.details.store ? detail('store') : undefined].filter(Boolean).join(' / '),
      };
    case 'event':
      return {
        // A brand's own event type is shown as given, marked as raw data.
        text: <ReadableText readable={{ text: labelOf(t.timeline.eventTypes, entry.type), raw: !(entry.type in t.timeline.eventTypes) }} />,
        ...(Object.keys(entry.details).length > 0 ? { details: <DataFields fields={entry.details} /> } : {}),
      };
    case 'consent':
      return {
        text: t.timeline.consent(
          labelOf(t.channels.consent, detail('channel')),
          labelOf(t.consent.purpose, detail('purpose')),
          labelOf(t.consent.status, detail('status')),
        ),
        ...(entry.details.source ? { details: <ReadableText readable={readableValue(t, format, 'source', entry.details.source)} /> } : {}),
      };
    case 'profile':
      return { text: t.timeline.profileCreated(entry.summary) };
    case 'message': {
      // What a scenario did for the customer, and why (the same words as the message's footer).
      const whyText = entry.details.whyText as { ja?: string; en?: string } | undefined;
      return {
        text: t.timeline.message(entry.summary, labelOf(t.timeline.effects, detail('effect')), labelOf(t.timeline.effectStatus, entry.type)),
        ...(whyText?.[locale] ? { details: whyText[locale] } : {}),
      };
    }
    case 'contact_decision': {
      // A message the contact rules held back: the same words as the send log's, and where it came from.
      const scenario = typeof entry.details.scenario === 'string' && entry.details.scenario !== '' ? entry.details.scenario : null;
      const step = typeof entry.details.step === 'string' && entry.details.step !== '' ? entry.details.step : null;
      return {
        text: governanceText(t, format, noteOfTimeline(entry.details)) ?? entry.type,
        ...(scenario ? { details: t.governance.timeline.where(scenario, step) } : {}),
      };
    }
  }
}
