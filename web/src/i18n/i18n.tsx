import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en } from './en.ts';
import { ja, type Messages } from './ja.ts';

export const LOCALES = ['ja', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const dictionaries: Record<Locale, Messages> = { ja, en };
const STORAGE_KEY = 'kizuna.locale';

interface I18n {
  locale: Locale;
  t: Messages;
  setLocale(locale: Locale): void;
}

const I18nContext = createContext<I18n | undefined>(undefined);

function storedLocale(): Locale {
  const stored = localStorage.getItem(STORAGE_KEY);
  return LOCALES.find((l) => l === stored) ?? 'ja';
}

/** Japanese first; the choice of language is kept in localStorage. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(storedLocale);
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLocaleState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const value = useMemo(() => ({ locale, t: dictionaries[locale], setLocale }), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n() needs an <I18nProvider> above it.');
  return i18n;
}

/** The label of a code value (a status, a channel...), or the code itself when the dictionary has none. */
export function labelOf(labels: object, code: string): string {
  const label: unknown = (labels as Record<string, unknown>)[code];
  return typeof label === 'string' ? label : code;
}
