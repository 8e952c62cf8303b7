/** The charter templates page's words (merged into ja.ts / en.ts under charter.templates). */
export const templatesJa = {
  title: 'テンプレート',
  lead: '部署ごとのメッセージテンプレートと、関係性定義に照らしたスコアです。名前を選ぶと内容とチェック結果を開きます。',
  filterLabel: '表示する部署',
  allDepartments: 'すべて',
  create: '新規作成',
  createIn: (department: string) => `${department}のテンプレートを新規作成`,
  summaryLabel: (department: string) => `${department}の集計`,
  summary: {
    templates: 'テンプレート',
    meanScore: '平均スコア',
    publishable: '公開できる',
    publishableNote: 'エラーがないもの',
    published: '公開中',
  },
  ofTotal: (count: string, total: string) => `${count} / ${total}`,
  tableCaption: (department: string) => `${department}のテンプレート`,
  columns: {
    name: '名前',
    channel: 'チャネル',
    format: '形式',
    status: '状態',
    score: 'スコア',
    errors: 'エラー',
    warnings: '警告',
    info: '情報',
    updated: '最終更新',
  },
  updatedBy: (who: string) => `${who} さん`,
  empty: (department: string) => `${department}のテンプレートはまだありません。`,
  emptyWrite: '「新規作成」から最初のテンプレートを作成できます。書いた文面はその場で関係性定義に照らしてチェックされます。',
  emptyRead: '管理者または編集者がテンプレートを作成すると、ここに表示されます。',
  /** `many`: more than one, for languages that say it. */
  staleAlert: (count: string, _many: boolean) =>
    `${count} 件のテンプレートは、関係性定義の変更後にまだチェックされていません。スコアは以前の定義によるものです。`,
  errorsAlert: (count: string, _many: boolean) => `${count} 件のテンプレートにエラーがあり、このままでは公開できません。`,
};

export const templatesEn: typeof templatesJa = {
  title: 'Templates',
  lead: "Each department's message templates and their scores against the relationship charter. Choose a name to open its text and check.",
  filterLabel: 'Department shown',
  allDepartments: 'All',
  create: 'New template',
  createIn: (department) => `New ${department} template`,
  summaryLabel: (department) => `${department} summary`,
  summary: {
    templates: 'Templates',
    meanScore: 'Mean score',
    publishable: 'Publishable',
    publishableNote: 'No errors',
    published: 'Published',
  },
  ofTotal: (count, total) => `${count} / ${total}`,
  tableCaption: (department) => `${department} templates`,
  columns: {
    name: 'Name',
    channel: 'Channel',
    format: 'Format',
    status: 'Status',
    score: 'Score',
    errors: 'Errors',
    warnings: 'Warnings',
    info: 'Info',
    updated: 'Last updated',
  },
  updatedBy: (who) => who,
  empty: (department) => `${department} has no templates yet.`,
  emptyWrite: 'Create the first one with "New template"; its text is checked against the charter as you write.',
  emptyRead: 'Templates show here once an admin or editor creates them.',
  staleAlert: (count, many) =>
    many
      ? `${count} templates have not been checked since the charter changed; their scores are from the older charter.`
      : `${count} template has not been checked since the charter changed; its score is from the older charter.`,
  errorsAlert: (count, many) =>
    many ? `${count} templates have errors and cannot be published as they are.` : `${count} template has errors and cannot be published as it is.`,
};
