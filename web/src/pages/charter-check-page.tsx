import { useI18n } from '../i18n/i18n.tsx';

export function CharterCheckPage() {
  const { t } = useI18n();
  return <h1>{t.charter.section}</h1>;
}
