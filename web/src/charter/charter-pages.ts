import type { Messages } from '../i18n/ja.ts';

/** The charter section's pages, in the order of the navigation: path under charter/ and title key. */
export const CHARTER_PAGES = [
  { path: 'editor', key: 'editor' },
  { path: 'check', key: 'check' },
  { path: 'templates', key: 'templates' },
  { path: 'one-voice', key: 'oneVoice' },
  { path: 'overrides', key: 'overrides' },
] as const satisfies readonly { path: string; key: keyof Messages['charter']['pages'] }[];
