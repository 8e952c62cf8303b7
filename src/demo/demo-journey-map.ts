import type { Cell, Condition, JourneyMap, PropertyTest } from '../journey-map/model.ts';

/**
 * The journey map of みのり青汁本舗, as a CRM consultant would leave it after a workshop with
 * the brand's marketing, support, site and sales teams (seed 000: one diagram, stages left →
 * right, affinity bottom → top, the goal at the top right; seed 003: rational satisfaction
 * first, emotional satisfaction above it, and a technology map that shows the solutions not
 * introduced yet).
 *
 * Its rules read only what the demo generates (src/demo/catalogue.ts, behaviour-events.ts,
 * complaints.ts): the two trial SKUs and their effect timelines, purchases, the 定期, page
 * views, email opens and clicks, LINE messages, support contacts of topic 'complaint', the
 * trial surveys (trial_day14 / trial_day21: felt_effect, satisfaction 1–5), the yearly NPS
 * survey (score 0–10), the RFM segment and P(alive). Some cells are left without a measure on
 * purpose, so the coverage view has gaps to show (docs/demo-brand.md lists them).
 *
 *   await saveJourneyMap({ ..., map: demoJourneyMap() });
 */
export function demoJourneyMap(): JourneyMap {
  return {
    name: 'みのり青汁本舗 2軸カスタマージャーニー（2026年度版）',
    goal: '毎朝の一杯で体が軽く、ストレスなく健やかに過ごせていて、みのりとの接点が暮らしの一部になっている状態',
    stages: [
      {
        key: 'awareness',
        name: '認知・関心',
        description: '広告・LP・サンプル請求・メルマガ登録などでみのりを知った段階。まだ商品を手にしていない（見込み客を含む）。',
      },
      {
        key: 'trial',
        name: 'お試し',
        description: 'お試しセット（青汁14日分・乳酸菌21日分）を買った、または初めて商品を手にした段階。以前からのお客様もここから始まる。',
        rule: {
          any: [
            { fact: 'bought', products: [SKU.aojiruTrial, SKU.lacticTrial] },
            { fact: 'purchase_count', op: '>=', value: 1 },
            { fact: 'attribute', name: 'customer_since' },
          ],
        },
      },
      {
        key: 'felt',
        name: '実感',
        description:
          'お試し品の効果がはっきりする日（青汁は届いて14日、乳酸菌は21日）を過ぎた、14日目・21日目アンケートで「効果を感じた」と答えた、または2回目を買った段階。',
        rule: {
          any: [
            { fact: 'days_since_delivered', products: [SKU.aojiruTrial], which: 'first', op: '>=', value: { effect: 'clear' } },
            { fact: 'days_since_delivered', products: [SKU.lacticTrial], which: 'first', op: '>=', value: { effect: 'clear' } },
            trialSurvey([{ property: 'felt_effect', op: '=', value: true }], 3650),
            { fact: 'purchase_count', op: '>=', value: 2 },
          ],
        },
      },
      {
        key: 'subscription',
        name: '定期継続',
        description: '定期便を始めた（いまは休止・解約していても、一度始めた経験は残る）、または3回以上買った段階。',
        rule: {
          any: [
            { fact: 'subscription_status', in: ['active', 'paused', 'cancelled'] },
            { fact: 'purchase_count', op: '>=', value: 3 },
          ],
        },
      },
      {
        key: 'habit',
        name: '日常化',
        description: '定期便のお届けが6回以上になった、または8回以上買った段階。みのりが毎朝の習慣になっている。',
        rule: {
          any: [
            { fact: 'subscription_deliveries', op: '>=', value: 6 },
            { fact: 'purchase_count', op: '>=', value: 8 },
          ],
        },
      },
    ],
    levels: [
      {
        key: 'indifferent',
        name: '無関心',
        description: '半年以上買っておらず、この2〜3か月はメールもLINEもサイトも見ていない。長い沈黙はここに落ちる。',
      },
      {
        key: 'interested',
        name: '関心',
        description:
          '最近メールを開いた・サイトを見た・LINEで反応した・アンケートに答えた、半年以内に買った、または定期便がある（休止中を含む）。苦情の直後もここまで下がる。',
        rule: {
          any: [
            events('email_open', 60),
            events('page_view', 60),
            events('line_message', 90),
            events('survey_answer', 90),
            { fact: 'days_since_last_purchase', op: '<=', value: 180 },
            { fact: 'subscription_status', in: ['active', 'paused'] },
          ],
        },
      },
      {
        key: 'trust',
        name: '信頼',
        description:
          '商品と対応を信頼している（合理的な満足）：定期便が続いている、2回以上買って直近4か月以内にも買った、効果を感じたと答えた、NPSで7点以上、またはメールのリンクを繰り返し開いている。90日以内に苦情があれば外れる。',
        rule: {
          all: [
            NO_COMPLAINT_90,
            {
              any: [
                { fact: 'subscription_status', in: ['active'] },
                REPEAT_AND_RECENT,
                trialSurvey([{ property: 'felt_effect', op: '=', value: true }], 90),
                nps('>=', 7),
                { ...events('email_click', 90), op: '>=', value: 2 },
              ],
            },
          ],
        },
      },
      {
        key: 'liking',
        name: '好意',
        description:
          '買い続けていて、気持ちの面でも近い（感情的な満足）：定期便か直近の再購入があり、そのうえでメールのリンクやLINEに反応している、お試しの満足度が4以上、NPSで7点以上、またはRFMで優良。90日以内に苦情があれば外れ、定期を解約すると支えを一つ失う。',
        rule: {
          all: [
            NO_COMPLAINT_90,
            { any: [{ fact: 'subscription_status', in: ['active'] }, REPEAT_AND_RECENT] },
            {
              any: [
                events('email_click', 90),
                events('line_message', 90),
                trialSurvey([{ property: 'satisfaction', op: '>=', value: 4 }], 90),
                nps('>=', 7),
                { fact: 'rfm_segment', in: ['loyal'] },
              ],
            },
          ],
        },
      },
      {
        key: 'fan',
        name: 'ファン',
        description:
          'みのりを人に薦めたい：NPSで9点以上、または優良客で最近もメールやLINEに反応している、または購入の続く見込み（P(alive)）が0.9以上で定期便が1年続いている。半年以内に苦情があれば外れる。',
        rule: {
          all: [
            { not: complaintWithin(180) },
            { any: [{ fact: 'subscription_status', in: ['active'] }, REPEAT_AND_RECENT] },
            {
              any: [
                nps('>=', 9),
                { all: [{ fact: 'rfm_segment', in: ['loyal'] }, { any: [events('email_click', 90), events('line_message', 90)] }] },
                {
                  all: [
                    { fact: 'p_alive', op: '>=', value: 0.9 },
                    { fact: 'subscription_deliveries', op: '>=', value: 12 },
                  ],
                },
              ],
            },
          ],
        },
      },
    ],
    cells: CELLS,
  };
}

/** The SKUs the rules name (src/demo/catalogue.ts). */
export const SKU = { aojiruTrial: 'MNR-AOJ-TRIAL14', lacticTrial: 'MNR-LAC-TRIAL21' } as const;

function events(type: string, withinDays: number): Extract<Condition, { fact: 'events' }> {
  return { fact: 'events', type, withinDays };
}

/** A support contact of topic 'complaint' (src/demo/complaints.ts) in the last `withinDays` days. */
function complaintWithin(withinDays: number): Condition {
  return { fact: 'events', type: 'support_contact', where: [{ property: 'topic', op: '=', value: 'complaint' }], withinDays };
}

/** A complaint pulls a customer below 信頼 for 90 days (below ファン for half a year). */
const NO_COMPLAINT_90: Condition = { not: complaintWithin(90) };

/** Bought at least twice, and the last time within four months. */
const REPEAT_AND_RECENT: Condition = {
  all: [
    { fact: 'purchase_count', op: '>=', value: 2 },
    { fact: 'days_since_last_purchase', op: '<=', value: 120 },
  ],
};

/** An answer to the trial's day-14 (aojiru) or day-21 (lactic acid) survey. */
function trialSurvey(where: PropertyTest[], withinDays: number): Condition {
  return { fact: 'events', type: 'survey_answer', where: [{ property: 'survey', op: 'in', value: ['trial_day14', 'trial_day21'] }, ...where], withinDays };
}

/** An answer to the yearly NPS survey (each November) within the last 13 months. */
function nps(op: '>=' | '<=', score: number): Condition {
  return { fact: 'events', type: 'survey_answer', where: [{ property: 'score', op, value: score }], withinDays: 400 };
}

/** The cells: the workshop's words, the goal, the measures and the two decisions not to contact. */
const CELLS: Cell[] = [
  // ─── 認知・関心 ────────────────────────────────────────────────────────────────────────
  {
    stage: 'awareness',
    level: 'indifferent',
    feelings: '「青汁って、まずいし続かないものでしょう」「広告はよく見るけど、自分には関係ない」',
    noContact: { reason: '広告で十分。メールアドレスがあっても反応のない方には個別に連絡せず、配信頻度を守る。' },
  },
  {
    stage: 'awareness',
    level: 'interested',
    feelings: '「朝がつらいのは年のせいかな」「飲みやすいなら、一度試してもいいかも」',
    measures: [
      {
        name: 'お試しセット案内のステップメール',
        purpose: '登録から2週間、飲みやすさと続け方を伝えてお試しの一歩を後押しする',
        department: 'marketing',
        channel: 'email',
        status: 'in_use',
      },
      { name: 'LINE友だち限定クーポン', purpose: 'LPから来た方にLINEでの気軽な接点をつくる', department: 'marketing', channel: 'line', status: 'in_use' },
      {
        name: '再訪問時の営業フォロー',
        purpose: 'LPやよくある質問を繰り返し見ている見込み客に、担当者が電話で不安を聞く',
        department: 'sales',
        channel: 'task',
        status: 'planned',
      },
      {
        name: 'リターゲティング広告',
        purpose: 'お試しページまで来て離脱した方にもう一度だけ届ける',
        department: 'marketing',
        solution: '広告',
        status: 'in_use',
      },
    ],
  },
  {
    stage: 'awareness',
    level: 'trust',
    feelings: '「お客様の声を読むと、自分にも合いそう」「ちゃんとした会社みたい」',
    measures: [
      { name: '開発者コラムのメール', purpose: '原料と畑の話で、買う前から信頼を深める', department: 'marketing', channel: 'email', status: 'in_use' },
      {
        name: 'サンプル請求者への電話フォロー',
        purpose: '無料サンプルの感想を聞き、お試しセットを案内する',
        department: 'sales',
        solution: 'コールセンター',
        status: 'not_introduced',
      },
    ],
  },
  {
    stage: 'awareness',
    level: 'liking',
    feelings: '「LINEのレシピが楽しみ」「いつか買うならみのりにしたい」',
    measures: [{ name: 'LINEレシピ配信', purpose: '買う前から毎月の楽しみになる接点を届ける', department: 'marketing', channel: 'line', status: 'in_use' }],
  },
  // 認知・関心 × ファン: left open in the workshop (nobody is a fan before buying, or so the team thought).
  { stage: 'awareness', level: 'fan', feelings: '「まだ飲んでいないけれど、友だちに勧められて気になっている」' },

  // ─── お試し ───────────────────────────────────────────────────────────────────────────
  {
    stage: 'trial',
    level: 'indifferent',
    feelings: '「届いたけど、まだ箱を開けていない」「飲み忘れたまま終わってしまった」',
    measures: [
      {
        name: '半年後の再お試し案内',
        purpose: '沈黙した方へ、季節の変わり目に一度だけお試しをもう一度案内する',
        department: 'marketing',
        channel: 'print',
        status: 'planned',
      },
    ],
  },
  {
    stage: 'trial',
    level: 'interested',
    feelings: '「本当に続けられるかな」「味は思ったより飲みやすい」「正しい飲み方はこれでいいの？」',
    measures: [
      {
        name: 'お試し同梱リーフレット',
        purpose: '届いた日に、おいしい飲み方と14日間の過ごし方を伝える',
        department: 'marketing',
        solution: '同梱物',
        status: 'in_use',
      },
      {
        name: '到着翌日の飲み方メール',
        purpose: '最初の一杯を失敗させない。シェイカーの使い方と朝のひと工夫',
        department: 'marketing',
        channel: 'email',
        status: 'in_use',
      },
      {
        name: '飲み方サポートメール',
        purpose: '「飲み忘れる」「味が苦手」という問い合わせの多い点を先回りして答える',
        department: 'support',
        channel: 'email',
        status: 'in_use',
      },
      {
        name: '発送・到着のSMS通知',
        purpose: '受け取り損ねをなくし、届いた日を飲み始めの日にする',
        department: 'site_operations',
        channel: 'sms',
        status: 'not_introduced',
      },
    ],
  },
  {
    stage: 'trial',
    level: 'trust',
    feelings: '「3日目、朝が少し楽になった気がする」「問い合わせへの返事が丁寧だった」',
    measures: [
      {
        name: '3日目の「最初の変化」メール',
        purpose: '小さな変化に気づいてもらい、飲み続ける理由にする',
        department: 'marketing',
        channel: 'email',
        status: 'in_use',
      },
      { name: '14日目アンケートの案内', purpose: '効果がはっきりする日に実感を言葉にしてもらう', department: 'marketing', channel: 'line', status: 'in_use' },
    ],
  },
  {
    stage: 'trial',
    level: 'liking',
    feelings: '「家族にも飲ませてみたい」「LINEのレシピを試してみた」',
    measures: [{ name: '家族向けお試しの案内', purpose: '家族の分もお試しできることを伝える', department: 'sales', channel: 'line', status: 'planned' }],
  },
  // お試し × ファン: no measure; nobody in the workshop could say what a fan after one box needs.
  { stage: 'trial', level: 'fan' },

  // ─── 実感 ─────────────────────────────────────────────────────────────────────────────
  // 実感 × 無関心: left uncovered (those who had the effect window pass in silence).
  {
    stage: 'felt',
    level: 'indifferent',
    feelings: '「効果があったのかよくわからない」「もう飲み終わったし、特に困っていない」',
  },
  {
    stage: 'felt',
    level: 'interested',
    feelings: '「効果はあった気もするけど、毎月買うほどかな」「価格が気になる」',
    measures: [
      {
        name: '14日目の定期便案内メール',
        purpose: '効果がはっきりする日に、初回半額の定期便を案内する（引き上げCRM）',
        department: 'marketing',
        channel: 'email',
        status: 'in_use',
      },
      {
        name: '定期便の不安に答えるLINE',
        purpose: '「いつでも休止・解約できる」ことを先に伝え、定期への不安を減らす',
        department: 'support',
        channel: 'line',
        status: 'in_use',
      },
      {
        name: 'お試し後の電話フォロー',
        purpose: '定期を迷う方の不安（量・価格・飲み方）を直接聞く',
        department: 'sales',
        solution: 'コールセンター',
        status: 'planned',
      },
    ],
  },
  {
    stage: 'felt',
    level: 'trust',
    feelings: '「朝が少し楽になった気がする」「これなら続けてもいいかも」',
    measures: [
      {
        name: '実感者向け定期便の案内',
        purpose: '「効果を感じた」と答えた方に、定期便でのお得な続け方を案内する',
        department: 'marketing',
        channel: 'line',
        status: 'in_use',
      },
      {
        name: '30日分ボトルの同梱チラシ',
        purpose: '単品で買った方に、定期便なら2割引きで続けられることを知らせる',
        department: 'marketing',
        solution: '同梱物',
        status: 'in_use',
      },
    ],
  },
  {
    stage: 'felt',
    level: 'liking',
    feelings: '「肌の調子がいいって言われた」「みのりの人たち、感じがいい」',
    measures: [
      {
        name: 'お客様の声の投稿依頼',
        purpose: '周りに気づかれた変化を、言葉にして残してもらう',
        department: 'site_operations',
        channel: 'email',
        status: 'planned',
      },
      {
        name: 'レビュー投稿システム',
        purpose: '商品ページに声が並び、次の方の背中を押す',
        department: 'site_operations',
        solution: 'レビュー投稿システム',
        status: 'not_introduced',
      },
    ],
  },
  {
    stage: 'felt',
    level: 'fan',
    feelings: '「友だちにも教えてあげたい」',
    measures: [{ name: '紹介カード', purpose: '紹介したい気持ちに、渡せる形を用意する', department: 'marketing', solution: '同梱物', status: 'planned' }],
  },

  // ─── 定期継続 ─────────────────────────────────────────────────────────────────────────
  {
    stage: 'subscription',
    level: 'indifferent',
    feelings: '「解約したし、もう連絡はいらない」',
    noContact: { reason: '定期を解約し、その後も反応のない方。解約の意思を尊重し、個別の連絡はしない（会報誌も止める）。' },
  },
  {
    stage: 'subscription',
    level: 'interested',
    feelings: '「飲み忘れて、箱がたまってきた」「休止しているけど、また始めるかも」「対応にがっかりした」',
    measures: [
      {
        name: 'スキップ・お届け周期変更の案内',
        purpose: '余っている方に、解約ではなくスキップや周期の変更を先に案内する（解約はいつでもできることも明記）',
        department: 'support',
        channel: 'email',
        status: 'in_use',
      },
      {
        name: '苦情後のお詫びと確認の電話',
        purpose: '苦情のあった方に、担当者が解決を確かめる電話をかける',
        department: 'support',
        channel: 'task',
        status: 'in_use',
      },
      {
        name: '休止中のお客様への再開のおはがき',
        purpose: '休止明けの前に、季節のレシピと一緒に再開の予定を伝える',
        department: 'marketing',
        channel: 'print',
        status: 'in_use',
      },
    ],
  },
  {
    stage: 'subscription',
    level: 'trust',
    feelings: '「毎月ちゃんと届くから安心」「朝の一杯が習慣になってきた」',
    measures: [
      {
        name: '定期便同梱の会報誌『みのり便り』',
        purpose: '畑と生産者の話、飲み方の工夫を毎月届け、飽きさせない（継続CRM）',
        department: 'marketing',
        solution: '会報誌',
        status: 'in_use',
      },
      {
        name: 'お届け回数に合わせた同梱物',
        purpose: '3回目・5回目など、離脱の多い回の前に続ける意味を伝える',
        department: 'marketing',
        solution: '同梱物',
        status: 'in_use',
      },
      {
        name: 'お届け前のLINE通知',
        purpose: 'お届け日を知らせ、スキップや変更をマイページから選べるようにする',
        department: 'site_operations',
        channel: 'line',
        status: 'in_use',
      },
    ],
  },
  {
    stage: 'subscription',
    level: 'liking',
    feelings: '「家族みんなで飲むようになった」「みのりからの手紙が楽しみ」',
    measures: [
      {
        name: '季節のお便り（手書き風DM）',
        purpose: '季節の変わり目に、体調を気づかう一言を届ける',
        department: 'marketing',
        channel: 'print',
        status: 'in_use',
      },
      { name: '乳酸菌サプリのご案内', purpose: '青汁が習慣になった方に、セット定期コースを案内する', department: 'sales', channel: 'email', status: 'planned' },
    ],
  },
  {
    stage: 'subscription',
    level: 'fan',
    feelings: '「みのりなら間違いない」「贈り物にもみのりを選びたい」',
    measures: [
      {
        name: 'ギフトセットの案内',
        purpose: 'お中元・お歳暮の前に、大切な人への贈り物として案内する',
        department: 'sales',
        channel: 'email',
        status: 'in_use',
      },
      { name: 'ギフトセットのご案内メール', purpose: '季節の贈り物にギフトセットを提案する', department: 'marketing', channel: 'email', status: 'in_use' },
    ],
  },

  // ─── 日常化 ───────────────────────────────────────────────────────────────────────────
  // 日常化 × 無関心: left uncovered (long-time customers who went quiet).
  { stage: 'habit', level: 'indifferent', feelings: '「長く飲んだし、もういいかな」「最近は別の健康食品にしている」' },
  {
    stage: 'habit',
    level: 'interested',
    feelings: '「惰性で続けているかも」「飲むのは続けているけど、メールは見ていない」',
    measures: [
      {
        name: '離反予備のお客様への声かけ',
        purpose: '購入の間隔が空き始めた長いお客様に、担当者から体調をうかがう電話をかける',
        department: 'support',
        solution: 'コールセンター',
        status: 'planned',
      },
      {
        name: '続けてきた日数のお知らせ',
        purpose: '「みのりと365日」など、続けてきた時間を形にして届ける',
        department: 'marketing',
        channel: 'email',
        status: 'planned',
      },
    ],
  },
  {
    stage: 'habit',
    level: 'trust',
    feelings: '「毎朝の一杯がないと落ち着かない」「届くのが当たり前になった」',
    measures: [
      {
        name: '会報誌『みのり便り』',
        purpose: '長く続けている方にも新しい話題を届け、飽きさせない',
        department: 'marketing',
        solution: '会報誌',
        status: 'in_use',
      },
      {
        name: '会員ランク制度',
        purpose: '続けてきたことに、目に見える感謝を返す',
        department: 'marketing',
        solution: '会員ランク制度',
        status: 'not_introduced',
      },
    ],
  },
  {
    stage: 'habit',
    level: 'liking',
    goal: true,
    feelings: '「朝が軽いと一日が違う」「疲れにくくなって、家族にも優しくなれた気がする」',
    measures: [
      { name: '誕生月の手紙', purpose: '長いお付き合いへの感謝を、手書き風の手紙で伝える', department: 'marketing', channel: 'print', status: 'in_use' },
      { name: '生産者の畑ツアーへの招待', purpose: '毎朝の一杯の向こうにいる人に会ってもらう', department: 'sales', solution: '店頭', status: 'planned' },
    ],
  },
  {
    stage: 'habit',
    level: 'fan',
    goal: true,
    feelings: '「ストレスなく健康に過ごせている」「みのりは暮らしの一部。人にも自然に勧めている」',
    measures: [
      {
        name: 'アンバサダープログラム',
        purpose: '勧めたい気持ちを、紹介特典と新商品の先行体験で応援する',
        department: 'marketing',
        channel: 'line',
        status: 'planned',
      },
      {
        name: '会員限定の新商品モニター',
        purpose: '開発の声に加わってもらい、ブランドを一緒につくる',
        department: 'marketing',
        channel: 'email',
        status: 'planned',
      },
      {
        name: 'コミュニティアプリ',
        purpose: 'ファン同士がレシピや体調の変化を語り合える場',
        department: 'site_operations',
        solution: 'コミュニティアプリ',
        status: 'not_introduced',
      },
    ],
  },
];
