import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="status" role="status">
      {t.app.loading}
    </p>
  );
}

/** An error from the API (its message is the API's own, in English) with an optional retry. */
export function Failure({ error, retry }: { error: Error; retry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="alert alert-error" role="alert">
      <strong>{t.app.errorTitle}</strong>
      <p>
        {error.message}
        {error instanceof ApiError ? ` (${error.code})` : ''}
      </p>
      {retry && (
        <button type="button" className="button" onClick={retry}>
          {t.app.retry}
        </button>
      )}
    </div>
  );
}
