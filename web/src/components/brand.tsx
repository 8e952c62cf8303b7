import { useI18n } from '../i18n/i18n.tsx';

/** The logo: 絆 (kizuna, "bond") is the mark in every language, like a logo's shape. */
export function Brand({ large }: { large?: boolean }) {
  const { t } = useI18n();
  return (
    <div className={large ? 'brand brand-large' : 'brand'}>
      <span className="brand-mark" aria-hidden="true">
        絆
      </span>
      <span>
        <span className="brand-name">{t.app.name}</span>
        <span className="brand-tagline">{t.app.tagline}</span>
      </span>
    </div>
  );
}
