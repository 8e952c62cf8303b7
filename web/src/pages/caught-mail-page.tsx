import { Link, useSearchParams } from 'react-router';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import '../mail/caught-mail.css';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

const PAGE_SIZE = 50;

/**
 * 受信箱（デモ）: the mail the demo server caught instead of delivering (no KIZUNA_SMTP_URL),
 * this workspace's only, newest first: to whom, the subject, when, why it was sent and its
 * RFC 8058 unsubscribe headers. A message opens on its own page.
 */
export function CaughtMailPage() {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const [params, setParams] = useSearchParams();
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const page = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/caught-mail', {
          params: { path: { workspace: workspace.name }, query: { limit: PAGE_SIZE, offset } },
          signal,
        }),
      ),
    [workspace.name, offset],
  );
  const goTo = (next: number) => setParams(next > 0 ? { offset: String(next) } : {});
  return (
    <>
      <div className="card-header">
        <h1>{t.caughtMail.title}</h1>
        <button type="button" className="button" onClick={page.reload}>
          {t.caughtMail.refresh}
        </button>
      </div>
      {page.state === 'loading' && <Loading />}
      {page.state === 'failed' && <Failure error={page.error} retry={page.reload} />}
      {page.state === 'ready' && (
        <>
          <p className="alert alert-info">{t.caughtMail.lead(format.integer(page.data.capacity))}</p>
          {page.data.messages.length === 0 ? (
            <p className="status">{t.caughtMail.empty}</p>
          ) : (
            <CaughtMailTable messages={page.data.messages} refreshing={page.refreshing} />
          )}
          <nav className="list-footer" aria-label={t.caughtMail.pagination}>
            <span className="muted">
              {page.data.messages.length > 0 && t.caughtMail.range(format.integer(offset + 1), format.integer(offset + page.data.messages.length))}
            </span>
            <div className="actions">
              <button type="button" className="button" disabled={offset === 0} onClick={() => goTo(Math.max(0, offset - PAGE_SIZE))}>
                ← {t.caughtMail.previous}
              </button>
              <button
                type="button"
                className="button"
                disabled={page.data.nextOffset === null}
                onClick={() => page.data.nextOffset !== null && goTo(page.data.nextOffset)}
              >
                {t.caughtMail.next} →
              </button>
            </div>
          </nav>
        </>
      )}
    </>
  );
}

function CaughtMailTable({ messages, refreshing }: { messages: Schemas['CaughtMailSummary'][]; refreshing: boolean }) {
  const { t, locale } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const base = `/w/${encodeURIComponent(workspace.name)}`;
  return (
    <div className="table-wrap" aria-busy={refreshing}>
      <table aria-label={t.caughtMail.tableLabel} className="caught-table">
        <thead>
          <tr>
            <th scope="col">{t.caughtMail.columns.receivedAt}</th>
            <th scope="col">{t.caughtMail.columns.to}</th>
            <th scope="col">{t.caughtMail.columns.subject}</th>
            <th scope="col">{t.caughtMail.columns.why}</th>
            <th scope="col">{t.caughtMail.columns.unsubscribe}</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((mail) => (
            <tr key={mail.id}>
              <td className="caught-when">{format.dateTime(mail.receivedAt)}</td>
              <td>
                {mail.customer && (
                  <div>
                    <Link to={`${base}/customers/${mail.customer.id}`}>{mail.customer.name ?? mail.to.join(', ')}</Link>
                  </div>
                )}
                <span className="muted">{mail.to.join(', ')}</span>
              </td>
              <td>
                <Link to={`${base}/caught-mail/${mail.id}`}>{mail.subject || t.caughtMail.noSubject}</Link>
              </td>
              <td className="caught-why">
                {mail.whyText ? <p>{mail.whyText[locale]}</p> : <p className="muted">{t.caughtMail.noReason}</p>}
                {mail.scenario && <p className="muted">{t.caughtMail.fromScenario(mail.scenario.key, mail.scenario.stepId)}</p>}
              </td>
              <td>
                {mail.listUnsubscribe ? (
                  <>
                    <div>
                      <code>List-Unsubscribe: {mail.listUnsubscribe}</code>
                    </div>
                    {mail.listUnsubscribePost && (
                      <div>
                        <code>List-Unsubscribe-Post: {mail.listUnsubscribePost}</code>
                      </div>
                    )}
                  </>
                ) : (
                  <span className="muted">{t.caughtMail.noUnsubscribe}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
