/**
 * The charter section's shared words (section, pages, departments, channels, severities, rule
 * families…), Japanese and English. Each page's own words live beside this file
 * (charter-editor.ts, charter-checker.ts, charter-templates.ts, charter-one-voice.ts) and are
 * merged into ja.ts / en.ts under `charter`.
 */
export const charterCommonJa = {
  section: '関係性定義',
  sectionNav: '関係性定義のページ',
  pages: {
    editor: '関係性定義',
    check: 'チェッカー',
    templates: 'テンプレート',
    oneVoice: 'ワンボイス',
    overrides: '承認ログ',
  },
  /** お客様と「＿＿」のような関係を築く, with the word in the brackets. */
  relationshipPhrase: (word: string) => `お客様と「${word}」のような関係を築く`,
  noCharter: 'このワークスペースにはまだ関係性定義がありません。',
  noCharterWrite: '「関係性定義」のページで、まず関係性定義を作成してください。',
  noCharterRead: '管理者または編集者が関係性定義を作成すると、ここに表示されます。',
  openEditor: '関係性定義を開く',
  departments: { marketing: 'マーケティング', support: 'カスタマーサポート', site_operations: 'サイト運営', sales: '営業' },
  channels: { email: 'メール', line: 'LINE', sms: 'SMS' },
  formats: { text: 'テキスト', html: 'HTML', mjml: 'MJML' },
  severities: { error: 'エラー', warning: '警告', info: '情報' },
  severityCounts: (error: string, warning: string, info: string) => `エラー ${error}・警告 ${warning}・情報 ${info}`,
  registers: { desumasu: 'です・ます調', dearu: 'である調', none: '指定しない' },
  emoji: { allowed: '使ってよい', few: '控えめに', none: '使わない' },
  claimsPacks: {
    yakkiho_health_food: '薬機法(健康食品)',
    yakkiho_cosmetics: '薬機法(化粧品)',
    keihyoho: '景品表示法',
  },
  /** Rule families, by the first part(s) of a rule id (claims.yakkiho.cure → claims.yakkiho). */
  ruleFamilies: {
    register: '文体',
    dictionary: '用語集',
    pressure: '押し売り表現',
    address: '呼びかけ',
    limits: '文の長さ・記号',
    tone: 'あいさつ・結び',
    'claims.yakkiho': '薬機法(健康食品)',
    'claims.cosmetics': '薬機法(化粧品)',
    'claims.keihyoho': '景品表示法',
  },
  templateStatus: { draft: '下書き', published: '公開中' },
  score: 'スコア',
  scoreOf: (score: string) => `${score} 点`,
  stale: '定義の変更後に未チェック',
  staleNote: '関係性定義が変わりました。保存または公開すると、新しい定義で再チェックされます。',
};

export const charterCommonEn: typeof charterCommonJa = {
  section: 'Charter',
  sectionNav: 'Charter pages',
  pages: {
    editor: 'Charter',
    check: 'Checker',
    templates: 'Templates',
    oneVoice: 'One voice',
    overrides: 'Override log',
  },
  relationshipPhrase: (word) => `We build a relationship with our customers like "${word}"`,
  noCharter: 'This workspace has no relationship charter yet.',
  noCharterWrite: 'Create the charter on the Charter page first.',
  noCharterRead: 'It shows here once an admin or editor creates the charter.',
  openEditor: 'Open the charter',
  departments: { marketing: 'Marketing', support: 'Customer support', site_operations: 'Site operations', sales: 'Sales' },
  channels: { email: 'Email', line: 'LINE', sms: 'SMS' },
  formats: { text: 'Text', html: 'HTML', mjml: 'MJML' },
  severities: { error: 'Error', warning: 'Warning', info: 'Info' },
  severityCounts: (error, warning, info) => `${error} errors · ${warning} warnings · ${info} info`,
  registers: { desumasu: 'です・ます (polite)', dearu: 'である (plain)', none: 'Not fixed' },
  emoji: { allowed: 'Allowed', few: 'A few', none: 'None' },
  claimsPacks: {
    yakkiho_health_food: 'PMD Act (health foods)',
    yakkiho_cosmetics: 'PMD Act (cosmetics)',
    keihyoho: 'Act against Misleading Representations',
  },
  ruleFamilies: {
    register: 'Register',
    dictionary: 'Dictionary',
    pressure: 'Pressure',
    address: 'Address',
    limits: 'Length and marks',
    tone: 'Greetings and sign-offs',
    'claims.yakkiho': 'PMD Act (health foods)',
    'claims.cosmetics': 'PMD Act (cosmetics)',
    'claims.keihyoho': 'Misleading representations',
  },
  templateStatus: { draft: 'Draft', published: 'Published' },
  score: 'Score',
  scoreOf: (score) => `${score} points`,
  stale: 'Not checked since the charter changed',
  staleNote: 'The charter has changed. Saving or publishing checks the template against the new charter.',
};
