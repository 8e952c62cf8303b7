import type { CheckMessage } from './templates.ts';
import type { Finding } from './types.ts';

/**
 * A stand-in for the checker in tests of templates and the one-voice report, so they guard
 * storage and the publish gate alone: each of the charter's pressure phrases and dictionary
 * variants found in the body is a finding (pressure at its severity, a variant a warning).
 */
export const fakeCheck: CheckMessage = async (charter, input) => {
  const findings: Finding[] = [];
  const find = (word: string, finding: Omit<Finding, 'range' | 'text'>) => {
    for (let at = input.body.indexOf(word); at >= 0; at = input.body.indexOf(word, at + word.length)) {
      findings.push({ ...finding, range: { part: 'body', start: at, end: at + word.length }, text: word });
    }
  };
  for (const { phrase, severity } of charter.pressure) {
    find(phrase, { rule: 'pressure.phrase', severity, message: { ja: `「${phrase}」は急かす表現です`, en: `"${phrase}" pressures the customer` } });
  }
  for (const { preferred, variants } of charter.dictionary) {
    for (const variant of variants) {
      find(variant, {
        rule: 'dictionary.variant',
        severity: 'warning',
        fix: preferred,
        message: { ja: `「${preferred}」と書きます`, en: `Write "${preferred}"` },
      });
    }
  }
  const counts = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  const score = Math.max(0, 100 - 20 * counts.error - 5 * counts.warning - counts.info);
  return { findings, counts, score, publishable: counts.error === 0 };
};
