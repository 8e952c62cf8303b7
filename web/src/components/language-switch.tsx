import { LOCALES, useI18n } from '../i18n/i18n.tsx';

/** 日本語 | English: each language is named in itself, so anyone can find their own. */
export function LanguageSwitch() {
  const { t, locale, setLocale } = useI18n();
  return (
    <div className="segmented" role="group" aria-label={t.nav.language}>
      {LOCALES.map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={l === locale} onClick={() => setLocale(l)}>
          {t.languages[l]}
        </button>
      ))}
    </div>
  );
}
