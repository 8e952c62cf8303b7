import { useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { Brand } from '../components/brand.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session/session.tsx';
import { ApiError } from '../api/client.ts';

export function SignInPage() {
  const { t } = useI18n();
  const { session, signIn } = useSession();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(params.get('expired') ? t.signIn.sessionExpired : undefined);

  if (session.state === 'signed-in') {
    const next = params.get('next');
    // Only paths of this console: never an absolute URL given by a link.
    return <Navigate to={next?.startsWith('/') && !next.startsWith('//') ? next : '/'} replace />;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setProblem(undefined);
    try {
      if (!(await signIn(email, password))) setProblem(t.signIn.failed);
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) {
        const seconds = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 60;
        setProblem(t.signIn.locked(Math.ceil(seconds / 60)));
      } else {
        setProblem(error instanceof Error ? error.message : String(error));
      }
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={(event) => void submit(event)}>
        <Brand large />
        <h1>{t.signIn.title}</h1>
        <p className="muted">{t.signIn.lead}</p>
        {problem && (
          <div className="alert alert-error" role="alert">
            {problem}
          </div>
        )}
        <label className="field">
          <span>{t.signIn.email}</span>
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>{t.signIn.password}</span>
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" className="button button-primary" disabled={submitting}>
          {submitting ? t.signIn.submitting : t.signIn.submit}
        </button>
        <div className="sign-in-footer">
          <LanguageSwitch />
        </div>
      </form>
    </main>
  );
}
