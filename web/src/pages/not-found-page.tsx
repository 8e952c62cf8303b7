import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n.tsx';

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <main className="content">
      <h1>{t.app.notFound}</h1>
      <Link to="/">{t.app.backHome}</Link>
    </main>
  );
}
