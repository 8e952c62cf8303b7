import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n.tsx';

/**
 * No page at this address. It is drawn inside the frame (app.tsx: a workspace's unknown
 * path under its Layout, any other address under the Layout of the workspace last used), so
 * the navigation stays at hand.
 */
export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <section className="not-found">
      <h1>{t.app.notFound}</h1>
      <p className="muted">{t.frame.notFoundLead}</p>
      <Link className="button" to="/">
        {t.app.backHome}
      </Link>
    </section>
  );
}
