import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import '../mail/caught-mail.css';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

/**
 * One caught message: who, when, why; its HTML in a sandboxed frame (no scripts, no forms, an
 * origin of its own: it is mail, not the console), its text part and every header.
 */
export function CaughtMessagePage() {
  const { t, locale } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const { messageId = '' } = useParams();
  const base = `/w/${encodeURIComponent(workspace.name)}`;
  const loaded = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/caught-mail/{id}', { params: { path: { workspace: workspace.name, id: messageId } }, signal })),
    [workspace.name, messageId],
  );
  return (
    <>
      <p>
        <Link to={`${base}/caught-mail`}>← {t.caughtMail.back}</Link>
      </p>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <Failure error={loaded.error} retry={loaded.reload} />}
      {loaded.state === 'ready' && (
        <>
          <h1>{loaded.data.subject || t.caughtMail.noSubject}</h1>
          <section className="card" aria-labelledby="caught-facts">
            <dl className="caught-facts" id="caught-facts" aria-label={loaded.data.subject}>
              <dt>{t.caughtMail.from}</dt>
              <dd>{loaded.data.from ?? t.app.none}</dd>
              <dt>{t.caughtMail.to}</dt>
              <dd>
                {loaded.data.to.join(', ')}
                {loaded.data.customer && (
                  <>
                    {' '}
                    (<Link to={`${base}/customers/${loaded.data.customer.id}`}>{loaded.data.customer.name ?? loaded.data.customer.id}</Link>)
                  </>
                )}
              </dd>
              <dt>{t.caughtMail.receivedAt}</dt>
              <dd>
                {format.dateTime(loaded.data.receivedAt)} · {t.caughtMail.size(format.decimal(loaded.data.size / 1024, 1))}
              </dd>
              <dt>{t.caughtMail.messageId}</dt>
              <dd>
                <code>{loaded.data.messageId ?? t.app.none}</code>
              </dd>
              <dt>{t.caughtMail.why}</dt>
              <dd>
                {loaded.data.whyText ? loaded.data.whyText[locale] : t.caughtMail.noReason}
                {loaded.data.scenario && <div className="muted">{t.caughtMail.fromScenario(loaded.data.scenario.key, loaded.data.scenario.stepId)}</div>}
              </dd>
              <dt>{t.caughtMail.columns.unsubscribe}</dt>
              <dd>
                {loaded.data.listUnsubscribe ? (
                  <>
                    <code>List-Unsubscribe: {loaded.data.listUnsubscribe}</code>
                    {loaded.data.listUnsubscribePost && (
                      <div>
                        <code>List-Unsubscribe-Post: {loaded.data.listUnsubscribePost}</code>
                      </div>
                    )}
                  </>
                ) : (
                  t.caughtMail.noUnsubscribe
                )}
              </dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="caught-html">
            <h2 id="caught-html">{t.caughtMail.html}</h2>
            {loaded.data.html !== null ? (
              <iframe className="caught-html" title={t.caughtMail.htmlFrame(loaded.data.subject)} sandbox="" srcDoc={loaded.data.html} />
            ) : (
              <p className="muted">{t.caughtMail.noHtml}</p>
            )}
          </section>
          <section className="card" aria-labelledby="caught-text">
            <h2 id="caught-text">{t.caughtMail.text}</h2>
            {loaded.data.text !== null ? <pre className="caught-text">{loaded.data.text}</pre> : <p className="muted">{t.caughtMail.noText}</p>}
          </section>
          <section className="card" aria-labelledby="caught-headers">
            <h2 id="caught-headers">{t.caughtMail.headers}</h2>
            <div className="table-wrap">
              <table className="table-compact caught-headers" aria-labelledby="caught-headers">
                <thead>
                  <tr>
                    <th scope="col">{t.caughtMail.headerColumns.name}</th>
                    <th scope="col">{t.caughtMail.headerColumns.value}</th>
                  </tr>
                </thead>
                <tbody>
                  {loaded.data.headers.map((header, i) => (
                    // Headers repeat (Received, …): their place is their identity.
                    <tr key={i}>
                      <td>{header.name}</td>
                      <td>{header.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </>
  );
}
