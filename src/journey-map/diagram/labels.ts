import type { DiagramLabels } from './types.ts';

/** 12.34 → "12.3", 12.04 → "12". */
function oneDecimal(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** The export's words (`journey export --locale`); the console passes its own from its i18n. */
export const DIAGRAM_LABELS_JA: DiagramLabels = {
  title: 'CRM戦略ダイアグラム',
  stageAxis: 'ステージ',
  levelAxis: '好意度',
  goal: 'ゴール',
  customers: (count) => `${count}人`,
  compactNumber: (value) => (value >= 1e8 ? `${oneDecimal(value / 1e8)}億` : value >= 1e4 ? `${oneDecimal(value / 1e4)}万` : String(value)),
  period: (from, to) => `期間 ${from} 〜 ${to}`,
  statuses: { in_use: '実施中', planned: '計画中', not_introduced: '未導入' },
  channels: { email: 'メール', line: 'LINE', sms: 'SMS', print: '印刷物', task: 'タスク', webhook: 'Webhook' },
  noContact: '接触しない',
  hiddenMeasures: (count) => `ほか${count}件`,
  flows: { advance: '前進', rise: '上昇', step_down: 'ステップダウン' },
  staircase: '目指す階段',
  editCell: (cell) => `「${cell}」を編集`,
};

export const DIAGRAM_LABELS_EN: DiagramLabels = {
  title: 'CRM strategy diagram',
  stageAxis: 'Stage',
  levelAxis: 'Affinity',
  goal: 'Goal',
  customers: (count) => `${count} customers`,
  compactNumber: (value) => (value >= 1e6 ? `${oneDecimal(value / 1e6)}M` : value >= 1e3 ? `${oneDecimal(value / 1e3)}k` : String(value)),
  period: (from, to) => `Period ${from} – ${to}`,
  statuses: { in_use: 'In use', planned: 'Planned', not_introduced: 'Not introduced' },
  channels: { email: 'Email', line: 'LINE', sms: 'SMS', print: 'Print', task: 'Task', webhook: 'Webhook' },
  noContact: 'No contact',
  hiddenMeasures: (count) => `+${count} more`,
  flows: { advance: 'Advance', rise: 'Rise', step_down: 'Step-down' },
  staircase: 'Staircase',
  editCell: (cell) => `Edit ${cell}`,
};

export const DIAGRAM_LOCALES = ['ja', 'en'] as const;
export type DiagramLocale = (typeof DIAGRAM_LOCALES)[number];

export function diagramLabels(locale: DiagramLocale): DiagramLabels {
  return locale === 'ja' ? DIAGRAM_LABELS_JA : DIAGRAM_LABELS_EN;
}
