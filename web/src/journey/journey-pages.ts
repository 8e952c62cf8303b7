import type { Messages } from '../i18n/ja.ts';

/** The journey section's pages under journey/, after the diagram itself (the section's own link), in the navigation's order. */
export const JOURNEY_PAGES = [
  { path: 'coverage', key: 'coverage' },
  { path: 'technology', key: 'technology' },
] as const satisfies readonly { path: string; key: keyof Messages['journey']['pages'] }[];
