import type { StoredCharter, SaveCharterOutcome } from '../../../charter/charters.ts';
import type { CheckResult, Severity } from '../../../charter/types.ts';

export type Language = 'ja' | 'en';

export interface CheckedFile {
  file: string;
  result: CheckResult;
  positions: { line: number; column: number }[];
}

const SEVERITY: Record<Language, Record<Severity, string>> = {
  ja: { error: 'エラー', warning: '警告', info: '情報' },
  en: { error: 'error', warning: 'warning', info: 'info' },
};

/** One line per finding, `file:line:col  severity  rule  message  (→ fix)  (rewording: …)`, then the summary. */
export function printCheckedFiles(files: CheckedFile[], lang: Language): string[] {
  const lines: string[] = [];
  for (const { file, result, positions } of files) {
    result.findings.forEach((finding, index) => {
      const { line, column } = positions[index]!;
      const fix = finding.fix !== undefined ? `  (→ ${finding.fix === '' ? (lang === 'ja' ? '削除' : 'delete') : finding.fix.replace(/\n/g, '\\n')})` : '';
      const suggestion = finding.suggestion !== undefined ? `  (${lang === 'ja' ? '言い換え例' : 'rewording'}: ${finding.suggestion})` : '';
      lines.push(`${file}:${line}:${column}  ${SEVERITY[lang][finding.severity]}  ${finding.rule}  ${finding.message[lang]}${fix}${suggestion}`);
    });
  }
  if (lines.length > 0) lines.push('');
  const total = { error: 0, warning: 0, info: 0 };
  for (const { result } of files) for (const severity of ['error', 'warning', 'info'] as const) total[severity] += result.counts[severity];
  const scores = files.map(({ file, result }) => `${file} ${result.score}`).join(', ');
  lines.push(
    lang === 'ja'
      ? `${files.length} ファイル：エラー ${total.error}、警告 ${total.warning}、情報 ${total.info}（スコア：${scores}）`
      : `${files.length} file${files.length === 1 ? '' : 's'}: ${total.error} error${total.error === 1 ? '' : 's'}, ${total.warning} warning${total.warning === 1 ? '' : 's'}, ${total.info} info (score: ${scores})`,
  );
  return lines;
}

export function printCharter(stored: StoredCharter, workspace: string): string[] {
  const { charter, version } = stored;
  const list = (items: string[]) => (items.length > 0 ? items.join('、') : '—');
  return [
    `Charter of ${workspace}, version ${version}`,
    `  お客様と「${charter.relationship}」のような関係を築く`,
    `  meaning:    ${charter.meaning}`,
    `  goal:       ${charter.goal}`,
    `  register:   ${charter.register ?? 'not fixed'}`,
    `  address:    ${list(charter.address.use)} (not: ${list(charter.address.avoid)})`,
    `  dictionary: ${list(charter.dictionary.map((entry) => `${entry.variants.join('/')} → ${entry.preferred}`))}`,
    `  avoid:      ${list(charter.avoid.map((entry) => (entry.replacement ? `${entry.word} → ${entry.replacement}` : entry.word)))}`,
    `  pressure:   ${list(charter.pressure.map((entry) => `${entry.phrase} (${entry.severity})`))}`,
    `  limits:     ${charter.limits.maxSentenceLength} characters a sentence, ${charter.limits.maxCommasPerSentence} commas a sentence, ${charter.limits.maxExclamations} exclamation marks, emoji ${charter.limits.emoji}`,
    `  greetings:  ${list(charter.greetings)}`,
    `  sign-offs:  ${list(charter.signOffs)}`,
    `  claims:     ${list(charter.claimsPacks)}`,
  ];
}

export function printSavedCharter(saved: SaveCharterOutcome & { templatesRechecked: number }, workspace: string): string[] {
  const { version } = saved;
  if (saved.outcome === 'unchanged') return [`The charter of ${workspace} is already this one (version ${version.version}); nothing written.`];
  return [
    `Saved the charter of ${workspace} as version ${version.version}:`,
    ...version.summary.split('\n').map((line) => `  ${line}`),
    `Checked ${saved.templatesRechecked} template${saved.templatesRechecked === 1 ? '' : 's'} again against it.`,
  ];
}
