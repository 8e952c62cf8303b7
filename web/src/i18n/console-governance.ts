/** Contact rules (連絡ルール): frequency caps, quiet hours, suppression, the global control group, the preview. */

type Channel = 'email' | 'line' | 'sms' | 'print' | 'task';
type Purpose = 'marketing' | 'transactional';
type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** Which purposes a cap counts or quiet hours hold back: absent (marketing only), both, or transactional only. */
type PurposeChoice = 'marketing' | 'both' | 'transactional';
/** The complaint rule as the sentence names it: the property tests already in words, '' days: until closed. */
interface ComplaintWords {
  openEvent: string;
  openWhere: string | null;
  openForDays: string;
  closeEvent: string;
  openSupportTask: boolean;
}

export const governanceJa = {
  nav: '連絡ルール',
  title: '連絡ルール',
  lead: 'すべての部署・チャネルをまたいで、お客様一人ひとりへの連絡の回数・時間帯・停止の条件を決めます。メッセージは送る直前に毎回このルールで判断され、延期・スキップされたものは送信ログと顧客のタイムラインに理由が残ります。',
  channels: { email: 'メール', line: 'LINE', sms: 'SMS', print: '印刷物(DM・同梱物)', task: 'タスク(電話など)' } satisfies Record<Channel, string>,
  purposes: { marketing: 'マーケティング', transactional: '取引連絡' } satisfies Record<Purpose, string>,
  weekdays: { mon: '月曜日', tue: '火曜日', wed: '水曜日', thu: '木曜日', fri: '金曜日', sat: '土曜日', sun: '日曜日' } satisfies Record<Weekday, string>,
  weekdaysShort: { mon: '月', tue: '火', wed: '水', thu: '木', fri: '金', sat: '土', sun: '日' } satisfies Record<Weekday, string>,
  purposeChoices: {
    marketing: 'マーケティングのみ(既定)',
    both: 'マーケティングと取引連絡',
    transactional: '取引連絡のみ',
  } satisfies Record<PurposeChoice, string>,
  all: 'すべて',
  list: (items: string[]) => items.join('・'),

  // ─── Saving ────────────────────────────────────────────────────────────────
  updated: (when: string, who: string) => `最終更新: ${when}(${who})`,
  updatedNoUser: (when: string) => `最終更新: ${when}`,
  neverSaved: 'まだ保存されていません。既定の設定(上限なし・配信停止時間なし・全体コントロール群なし)で動いています。',
  userN: (id: string) => `ユーザー #${id}`,
  readOnly: '連絡ルールはすべての部署を縛るため、変更できるのは管理者だけです。このページは閲覧のみです。',
  dirty: '未保存の変更があります。',
  leaveWarning: '連絡ルールに未保存の変更があります。このページを離れますか?',
  save: '保存',
  saving: '保存しています…',
  saved: '連絡ルールを保存しました。これから判断する送信に適用されます。',
  discard: '変更を取り消す',
  refused: '保存できませんでした(何も保存されていません)。次の問題を直してください。',
  formLabel: '連絡ルールの編集',

  // ─── Frequency caps ────────────────────────────────────────────────────────
  caps: {
    title: '配信回数の上限',
    lead: '「この期間に最大この件数まで」。期間はずらしながら数えます(どの時点から数えても上限を超えない)。上限で止められるのはマーケティングのメッセージだけで、取引連絡はいつでも送られます。',
    tableLabel: '配信回数の上限',
    columns: { name: '名前', id: 'ID', rule: '内容', actions: '操作' },
    none: '上限はありません。',
    add: '上限を追加',
    newName: (n: number) => `上限${n}`,
    edit: '編集',
    close: '閉じる',
    remove: '削除',
    removeNamed: (name: string) => `上限「${name}」を削除`,
    editNamed: (name: string) => `上限「${name}」を編集`,
    editing: (name: string) => `上限「${name}」`,
    name: '名前',
    id: 'ID(英小文字・数字・_)',
    idHint: '送信ログや判断の記録に残る名前です。名前から作られます(英字の名前のとき)。',
    max: '最大件数',
    windowDays: '期間(日)',
    windowHours: '期間(時間)',
    windowHint: '日と時間を足した長さ。1時間から90日まで。',
    channels: '数えるチャネル',
    purposes: '数える目的',
    departments: '数える部署',
    transactionalNote: '取引連絡を数えても、取引連絡そのものが止められることはありません(マーケティングの枠が減るだけです)。',
    windowText: (days: number, hours: number) => (days > 0 && hours > 0 ? `${days}日と${hours}時間` : days > 0 ? `${days}日間` : `${hours}時間`),
    sentence: (purpose: string, scope: string[], window: string, max: string) =>
      `${purpose}のメッセージ${scope.length > 0 ? `(${scope.join('、')})` : ''}は ${window}に最大 ${max}通`,
    purposeWords: { marketing: 'マーケティング', both: 'マーケティングと取引連絡', transactional: '取引連絡' } satisfies Record<PurposeChoice, string>,
    departmentScope: (departments: string) => `部署: ${departments}`,
  },

  // ─── Quiet hours ──────────────────────────────────────────────────────────
  quiet: {
    title: '配信停止時間',
    lead: 'チャネルごとに、送らない時間帯と曜日を決めます。お客様のタイムゾーンの時刻です。時間帯は日付をまたげます(21:00〜9:00)。',
    none: '配信停止時間はありません。',
    add: '配信停止時間を追加',
    remove: '削除',
    removeNamed: (channel: string) => `${channel}の配信停止時間を削除`,
    entry: (n: number) => `配信停止時間 ${n}`,
    channel: 'チャネル',
    from: '開始時刻',
    to: '終了時刻',
    spanHint: '時間帯がなければ両方とも空にします(曜日だけ)。',
    weekdays: '終日送らない曜日',
    purposes: '止める目的',
    time: (time: string) => time.replace(/^0(\d)/, '$1'),
    sentence: (channel: string, span: string | null, weekdays: string | null, purpose: PurposeChoice) =>
      `${channel} は ${span && weekdays ? `${span} と${weekdays}` : span ? `${span} ` : (weekdays ?? '')}は送りません${purpose === 'both' ? '(取引連絡も)' : purpose === 'transactional' ? '(取引連絡のみ)' : ''}`,
    span: (from: string, to: string) => `${from}〜${to}`,
  },

  // ─── Suppression ──────────────────────────────────────────────────────────
  suppression: {
    title: '連絡の停止',
    lead: 'サポートが苦情に対応している間と、お客様ごとの「この日まで連絡しない」の間は、マーケティングの連絡をしません。',
    openEvent: '苦情の受付を表すイベントの種類',
    openWhere: '苦情とみなすイベントの条件（任意）',
    openWhereHint:
      'お問い合わせを1種類のイベントで記録している場合、例: [{"property": "topic", "op": "=", "value": "complaint"}]。空欄なら、その種類のイベントはすべて苦情です。',
    openForDays: '解決のイベントがなくても対応済みとみなす日数',
    openForDaysNone: '空欄: 解決のイベントまで',
    closeEvent: '苦情の解決を表すイベントの種類',
    openSupportTask: 'カスタマーサポートの未完了タスクがある間も苦情対応中とみなす',
    doNotContact: '「この日まで連絡しない」の顧客属性',
    complaintSentence: (c: ComplaintWords) =>
      `イベント ${c.openEvent}${c.openWhere ? `（${c.openWhere}）` : ''} から ${c.closeEvent} まで${c.openForDays ? `（最長${c.openForDays}日）` : ''}の間${c.openSupportTask ? '(とカスタマーサポートの未完了タスクがある間)' : ''}は、マーケティングの連絡をしません`,
    doNotContactSentence: (attribute: string) => `属性 ${attribute} の日付までは、マーケティングの連絡をしません`,
  },

  // ─── Time zone ────────────────────────────────────────────────────────────
  timezone: {
    title: 'タイムゾーン',
    lead: '配信停止時間と曜日は、お客様それぞれのタイムゾーンで判断します。',
    zone: '既定のタイムゾーン(自分のタイムゾーンがないお客様)',
    zoneDefault: (zone: string) => `ワークスペースと同じ(${zone})`,
    zoneHint: 'IANA の名前(例: Asia/Tokyo)。空欄ならワークスペースのタイムゾーンです。',
    attribute: 'お客様のタイムゾーンを持つ顧客属性',
    sentence: (attribute: string, zone: string) => `お客様の時刻は属性 ${attribute} のタイムゾーンで数えます(ないお客様は ${zone})`,
  },

  // ─── Global control group ─────────────────────────────────────────────────
  globalControl: {
    title: '全体コントロール群',
    percent: '割合(%)',
    explain:
      'お客様のこの割合(1〜15%)にはマーケティングの連絡を一切せず、連絡したお客様と比べて CRM 全体の効果を測ります。0 で使いません。同じお客様がずっと同じ群に入ります。',
    sentence: (percent: string) => `お客様の ${percent}% にはマーケティングの連絡をしません(CRM全体の効果の測定用)`,
    off: '全体コントロール群は使っていません',
  },

  // ─── Preview ──────────────────────────────────────────────────────────────
  preview: {
    title: 'プレビュー: いま送ったらどうなるか',
    lead: '編集中のルール(保存前でも)で、いまこの対象にメッセージを送ったら何人に送られ、何人が延期・スキップされるかを数えます。何も送らず、何も保存しません。',
    channel: 'チャネル',
    purpose: '目的',
    department: '部署',
    priority: '優先度(1〜100)',
    whenHeld: '止められたとき',
    defer: '延期する',
    deferWithin: '延期の期限(日)',
    skip: 'スキップする',
    audience: '対象',
    everyone: 'すべてのお客様',
    condition: '条件で絞る',
    conditionLabel: '対象の条件(JSON)',
    conditionHint: 'カスタマージャーニーマップと同じ条件の書き方です。右の例から挿入できます。',
    conditionInvalid: (message: string) => `JSONとして読めません: ${message}`,
    conditionNotObject: '条件は { } で囲んだオブジェクトで書きます。',
    run: 'プレビュー',
    running: '数えています…',
    unsavedRules: '未保存のルールで数えています。',
    at: (when: string) => `${when} 時点`,
    audienceCount: '対象',
    send: '送信',
    deferred: '延期',
    skipped: 'スキップ',
    globalControl: '全体コントロール群',
    displacing: (n: string) => `うち ${n} 人分は、優先度の低い延期中のメッセージに枠を譲らせて送ります。`,
    byRuleLabel: 'ルール別の内訳',
    byRuleColumns: { rule: 'ルール', deferred: '延期', skipped: 'スキップ' },
    noneHeld: 'どのルールにも止められません。',
    median: (wait: string) => `延期の中央値: ${wait}`,
    wait: (days: number, hours: number, minutes: number) =>
      [days > 0 ? `${days}日` : '', hours > 0 ? `${hours}時間` : '', minutes > 0 || (days === 0 && hours === 0) ? `${minutes}分` : ''].join(''),
    sampled: (rate: string) => `お客様の一部(${rate})から推定した数です。`,
    rule: {
      cap: (name: string, id: string) => `上限「${name}」(${id})`,
      quiet_hours: (channel: string) => `${channel}の配信停止時間`,
      complaint: '苦情の対応中',
      do_not_contact: (until: string) => `連絡しない期間(${until}まで)`,
    },
  },

  // ─── Global control report ────────────────────────────────────────────────
  report: {
    title: 'CRM全体の効果(全体コントロール群との比較)',
    lead: (from: string, to: string) =>
      `${from}〜${to} に購入したかどうかと売上を、連絡しなかったお客様(全体コントロール群)とそれ以外で比べます。期間の前から登録されていたお客様が対象です。`,
    tableLabel: '全体コントロール群とそれ以外',
    columns: { group: '', customers: 'お客様', buyers: '購入者', rate: '購入率', revenue: '1人あたり売上' },
    control: (percent: string) => `全体コントロール群(${percent}%)`,
    rest: 'それ以外(連絡したお客様)',
    purchase: (difference: string, low: string, high: string) => `CRMの効果:購入率 ${difference}(95%信頼区間 ${low}〜${high})`,
    revenue: (difference: string, low: string, high: string) => `CRMの効果:1人あたり売上 ${difference}(95%信頼区間 ${low}〜${high})`,
    purchaseUnclear: (low: string, high: string) => `購入率: まだ差は確認できません(95%信頼区間 ${low}〜${high})`,
    revenueUnclear: (low: string, high: string) => `1人あたり売上: まだ差は確認できません(95%信頼区間 ${low}〜${high})`,
    points: (value: string) => `${value}pt`,
    incremental: (amount: string) => `期間中の増分売上(推定): ${amount}`,
    notEnough: 'まだ比べられるだけのお客様がいません。',
    capNote: (cap: string) => `売上は1人 ${cap} で頭打ちにして比べています(極端な値の影響を抑えるため)。`,
    savedOnly: '保存済みのルールの割合で表示しています。',
  },

  // ─── Outcomes (send log, timeline) ────────────────────────────────────────
  outcome: {
    cause: {
      cap: (name: string) => `配信ルール「${name}」`,
      quiet_hours: (channel: string) => `${channel}の配信停止時間`,
      complaint: 'サポートが苦情に対応中',
      do_not_contact: (until: string) => `連絡しない期間(${until}まで)`,
    },
    deferred: (cause: string, until: string) => `${cause}により ${until} まで延期`,
    skipped: (cause: string, why: string | null) => `${cause}のためスキップ${why ? `(${why})` : ''}`,
    why: {
      deadline: '期限内に送れる時間がありません',
      step_skips: 'このステップは止められたら送らない設定です',
      complaint: null,
    } satisfies Record<'deadline' | 'step_skips' | 'complaint', string | null>,
    displaced: (scenario: string | null) => (scenario ? `優先度の高いシナリオ(#${scenario})に枠を譲りました` : '優先度の高いメッセージに枠を譲りました'),
    holdout: 'ホールドアウト(比較対照)のため送っていません',
    global_control: '全体コントロール群のため送っていません',
    unknownRule: '連絡ルール',
  },
  timeline: {
    kind: '連絡ルール',
    where: (scenario: string, step: string | null) => (step ? `シナリオ ${scenario}・ステップ ${step}` : `シナリオ ${scenario}`),
  },
};

export const governanceEn: typeof governanceJa = {
  nav: 'Contact rules',
  title: 'Contact rules',
  lead: 'How often, when, and when not at all one customer may be contacted, across every department and channel. Every message is decided against these rules just before it goes out; a deferred or skipped one says why in the send log and on the customer’s timeline.',
  channels: { email: 'Email', line: 'LINE', sms: 'SMS', print: 'Print (mail, package inserts)', task: 'Task (a call…)' },
  purposes: { marketing: 'Marketing', transactional: 'Transactional' },
  weekdays: { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' },
  weekdaysShort: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
  purposeChoices: {
    marketing: 'Marketing only (default)',
    both: 'Marketing and transactional',
    transactional: 'Transactional only',
  },
  all: 'All',
  list: (items: string[]) => items.join(', '),

  updated: (when: string, who: string) => `Last updated ${when} by ${who}`,
  updatedNoUser: (when: string) => `Last updated ${when}`,
  neverSaved: 'Never saved: the defaults apply (no caps, no quiet hours, no global control group).',
  userN: (id: string) => `user #${id}`,
  readOnly: 'The contact rules bind every department: only an admin can change them. You see them read-only.',
  dirty: 'There are unsaved changes.',
  leaveWarning: 'The contact rules have unsaved changes. Leave this page?',
  save: 'Save',
  saving: 'Saving…',
  saved: 'The contact rules are saved. Sends decided from now on follow them.',
  discard: 'Discard changes',
  refused: 'Not saved (nothing was saved). Fix these problems:',
  formLabel: 'Edit the contact rules',

  caps: {
    title: 'Frequency caps',
    lead: '“At most this many in this long.” The window slides (no span of that length holds more). A cap only ever holds back marketing messages; transactional ones always go.',
    tableLabel: 'Frequency caps',
    columns: { name: 'Name', id: 'Id', rule: 'Rule', actions: 'Actions' },
    none: 'No caps.',
    add: 'Add a cap',
    newName: (n: number) => `Cap ${n}`,
    edit: 'Edit',
    close: 'Close',
    remove: 'Remove',
    removeNamed: (name: string) => `Remove the cap "${name}"`,
    editNamed: (name: string) => `Edit the cap "${name}"`,
    editing: (name: string) => `Cap "${name}"`,
    name: 'Name',
    id: 'Id (a-z, 0-9, _)',
    idHint: 'Named in the send log and the decisions. Made from the name (when it is in English).',
    max: 'At most',
    windowDays: 'Window (days)',
    windowHours: 'Window (hours)',
    windowHint: 'Days and hours added together; from 1 hour to 90 days.',
    channels: 'Channels counted',
    purposes: 'Purposes counted',
    departments: 'Departments counted',
    transactionalNote: 'Counting transactional messages never holds them back: they only use up room for marketing.',
    windowText: (days: number, hours: number) =>
      [days > 0 ? `${days} day${days === 1 ? '' : 's'}` : '', hours > 0 ? `${hours} hour${hours === 1 ? '' : 's'}` : ''].filter(Boolean).join(' '),
    sentence: (purpose: string, scope: string[], window: string, max: string) =>
      `${purpose} messages${scope.length > 0 ? ` (${scope.join('; ')})` : ''}: at most ${max} in ${window}`,
    purposeWords: { marketing: 'Marketing', both: 'Marketing and transactional', transactional: 'Transactional' },
    departmentScope: (departments: string) => `departments: ${departments}`,
  },

  quiet: {
    title: 'Quiet hours',
    lead: 'Per channel, the hours and weekdays when nothing is sent, in the customer’s time zone. A span may cross midnight (21:00–9:00).',
    none: 'No quiet hours.',
    add: 'Add quiet hours',
    remove: 'Remove',
    removeNamed: (channel: string) => `Remove the quiet hours of ${channel}`,
    entry: (n: number) => `Quiet hours ${n}`,
    channel: 'Channel',
    from: 'From',
    to: 'To',
    spanHint: 'Leave both empty for whole weekdays only.',
    weekdays: 'Quiet all day on',
    purposes: 'Purposes held back',
    time: (time: string) => time.replace(/^0(\d)/, '$1'),
    sentence: (channel: string, span: string | null, weekdays: string | null, purpose: PurposeChoice) =>
      `No ${channel} ${[span, weekdays ? `on ${weekdays}` : null].filter(Boolean).join(' or ')}${purpose === 'both' ? ' (transactional too)' : purpose === 'transactional' ? ' (transactional only)' : ''}`,
    span: (from: string, to: string) => `from ${from} to ${to}`,
  },

  suppression: {
    title: 'Suppression',
    lead: 'No marketing while support handles a complaint, nor before a customer’s “do not contact until” date.',
    openEvent: 'Event type that opens a complaint',
    openWhere: 'Conditions on that event (optional)',
    openWhereHint:
      'When every support contact is one event type, e.g. [{"property": "topic", "op": "=", "value": "complaint"}]. Empty: every event of the type is a complaint.',
    openForDays: 'Days after which a complaint counts as handled without a resolving event',
    openForDaysNone: 'empty: until the resolving event',
    closeEvent: 'Event type that resolves it',
    openSupportTask: 'An open customer-support task also counts as a complaint under way',
    doNotContact: 'Customer attribute “do not contact until”',
    complaintSentence: (c: ComplaintWords) =>
      `No marketing between the events ${c.openEvent}${c.openWhere ? ` (${c.openWhere})` : ''} and ${c.closeEvent}${c.openForDays ? ` (${c.openForDays} days at most)` : ''}${c.openSupportTask ? ' (nor while customer support has an open task)' : ''}`,
    doNotContactSentence: (attribute: string) => `No marketing before the date in the attribute ${attribute}`,
  },

  timezone: {
    title: 'Time zone',
    lead: 'Quiet hours and weekdays are judged in each customer’s own time zone.',
    zone: 'Default time zone (customers without one)',
    zoneDefault: (zone: string) => `The workspace’s (${zone})`,
    zoneHint: 'An IANA name (e.g. Asia/Tokyo). Empty: the workspace’s time zone.',
    attribute: 'Customer attribute holding their time zone',
    sentence: (attribute: string, zone: string) => `Customers’ local time comes from the attribute ${attribute} (else ${zone})`,
  },

  globalControl: {
    title: 'Global control group',
    percent: 'Share (%)',
    explain:
      'This share of customers (1–15 %) gets no marketing at all, so the total effect of CRM can be measured against everyone else. 0: none. A customer stays in the same group.',
    sentence: (percent: string) => `${percent}% of customers get no marketing (to measure the total effect of CRM)`,
    off: 'No global control group',
  },

  preview: {
    title: 'Preview: what would happen now',
    lead: 'With the rules as edited (saved or not): if a message went to this audience now, how many would get it, and how many would be deferred or skipped. Nothing is sent or saved.',
    channel: 'Channel',
    purpose: 'Purpose',
    department: 'Department',
    priority: 'Priority (1–100)',
    whenHeld: 'When held back',
    defer: 'Defer',
    deferWithin: 'Defer for at most (days)',
    skip: 'Skip',
    audience: 'Audience',
    everyone: 'Every customer',
    condition: 'Customers matching a rule',
    conditionLabel: 'Audience rule (JSON)',
    conditionHint: 'Written like the journey map’s rules; insert an example from the side.',
    conditionInvalid: (message: string) => `Not JSON: ${message}`,
    conditionNotObject: 'A rule is an object in { }.',
    run: 'Preview',
    running: 'Counting…',
    unsavedRules: 'Counted with unsaved rules.',
    at: (when: string) => `As of ${when}`,
    audienceCount: 'Audience',
    send: 'Sent',
    deferred: 'Deferred',
    skipped: 'Skipped',
    globalControl: 'Global control',
    displacing: (n: string) => `${n} of them would take the place of a lower-priority deferred message.`,
    byRuleLabel: 'By rule',
    byRuleColumns: { rule: 'Rule', deferred: 'Deferred', skipped: 'Skipped' },
    noneHeld: 'No rule holds anything back.',
    median: (wait: string) => `Median deferral: ${wait}`,
    wait: (days: number, hours: number, minutes: number) =>
      [days > 0 ? `${days} d` : '', hours > 0 ? `${hours} h` : '', minutes > 0 || (days === 0 && hours === 0) ? `${minutes} min` : '']
        .filter(Boolean)
        .join(' '),
    sampled: (rate: string) => `Estimated from a sample (${rate} of customers).`,
    rule: {
      cap: (name: string, id: string) => `Cap "${name}" (${id})`,
      quiet_hours: (channel: string) => `Quiet hours of ${channel}`,
      complaint: 'Complaint under way',
      do_not_contact: (until: string) => `Do not contact until ${until}`,
    },
  },

  report: {
    title: 'The total effect of CRM (against the global control group)',
    lead: (from: string, to: string) =>
      `Purchases and revenue from ${from} to ${to}: the customers never contacted (the global control group) against everyone else. Customers registered before the period are compared.`,
    tableLabel: 'Global control group and everyone else',
    columns: { group: '', customers: 'Customers', buyers: 'Buyers', rate: 'Purchase rate', revenue: 'Revenue per customer' },
    control: (percent: string) => `Global control group (${percent}%)`,
    rest: 'Everyone else (contacted)',
    purchase: (difference: string, low: string, high: string) => `Effect of CRM: purchase rate ${difference} (95% CI ${low} to ${high})`,
    revenue: (difference: string, low: string, high: string) => `Effect of CRM: revenue per customer ${difference} (95% CI ${low} to ${high})`,
    purchaseUnclear: (low: string, high: string) => `Purchase rate: no difference shown yet (95% CI ${low} to ${high})`,
    revenueUnclear: (low: string, high: string) => `Revenue per customer: no difference shown yet (95% CI ${low} to ${high})`,
    points: (value: string) => `${value} pt`,
    incremental: (amount: string) => `Incremental revenue in the period (estimated): ${amount}`,
    notEnough: 'Not enough customers to compare yet.',
    capNote: (cap: string) => `Revenue is capped at ${cap} a customer (so a few extreme values do not dominate).`,
    savedOnly: 'Shown for the share in the saved rules.',
  },

  outcome: {
    cause: {
      cap: (name: string) => `the rule "${name}"`,
      quiet_hours: (channel: string) => `the quiet hours of ${channel}`,
      complaint: 'a complaint support is handling',
      do_not_contact: (until: string) => `do not contact until ${until}`,
    },
    deferred: (cause: string, until: string) => `Deferred until ${until} by ${cause}`,
    skipped: (cause: string, why: string | null) => `Skipped because of ${cause}${why ? ` (${why})` : ''}`,
    why: {
      deadline: 'no moment allowed before the deadline',
      step_skips: 'the step skips a held-back message',
      complaint: null,
    },
    displaced: (scenario: string | null) =>
      scenario ? `Gave its place to a higher-priority scenario (#${scenario})` : 'Gave its place to a higher-priority message',
    holdout: 'Not sent: holdout (the comparison group)',
    global_control: 'Not sent: global control group',
    unknownRule: 'a contact rule',
  },
  timeline: {
    kind: 'Contact rules',
    where: (scenario: string, step: string | null) => (step ? `Scenario ${scenario}, step ${step}` : `Scenario ${scenario}`),
  },
};
