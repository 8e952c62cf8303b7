/** Subscriptions (定期) on the customer 360 page and as a filter of the customer list (customer360.subscriptions, customers.list.subscription). */
export const subscriptionsJa = {
  title: '定期購入',
  none: '定期購入はありません。',
  count: (n: string) => `${n} 件`,
  status: { active: '継続中', paused: '休止中', cancelled: '解約' },
  subscriptionId: '定期番号',
  of: (id: string) => `定期 ${id}`,
  itemsOf: (id: string) => `定期 ${id} の商品`,
  course: 'コース',
  noCourse: '(コース名なし)',
  cycle: 'お届けサイクル',
  startedAt: '開始日',
  statusSince: (when: string) => `${when} から`,
  nextDelivery: '次回お届け日',
  deliveries: 'お届け回数',
  deliveriesValue: (n: string) => `${n} 回`,
  skips: 'スキップ回数',
  cancelledAt: '解約日',
  cancelReason: '解約理由',
  cancelNote: '解約メモ',
  itemColumns: { sku: '商品コード', name: '商品名', quantity: '数量' },
  history: 'ステータス履歴',
  historyColumns: { changedAt: '日時', status: 'ステータス', reason: '理由', note: 'メモ', actor: '変更者' },
  delivery: (id: string, n: string) => `定期 ${id}・${n} 回目`,
};

export const subscriptionsEn: typeof subscriptionsJa = {
  title: 'Subscriptions',
  none: 'No subscriptions.',
  count: (n: string) => `${n}`,
  status: { active: 'Active', paused: 'Paused', cancelled: 'Cancelled' },
  subscriptionId: 'Subscription no.',
  of: (id: string) => `Subscription ${id}`,
  itemsOf: (id: string) => `Products of subscription ${id}`,
  course: 'Course',
  noCourse: '(no course name)',
  cycle: 'Delivery cycle',
  startedAt: 'Started',
  statusSince: (when: string) => `since ${when}`,
  nextDelivery: 'Next delivery',
  deliveries: 'Deliveries',
  deliveriesValue: (n: string) => n,
  skips: 'Skips',
  cancelledAt: 'Cancelled',
  cancelReason: 'Cancel reason',
  cancelNote: 'Cancel note',
  itemColumns: { sku: 'SKU', name: 'Product', quantity: 'Quantity' },
  history: 'Status history',
  historyColumns: { changedAt: 'When', status: 'Status', reason: 'Reason', note: 'Note', actor: 'By' },
  delivery: (id: string, n: string) => `Subscription ${id}, delivery ${n}`,
};

/** The customer list's subscription filter. */
export const subscriptionFilterJa = {
  label: '定期購入',
  values: {
    active: '継続中の定期あり',
    paused: '休止中の定期あり',
    cancelled: '解約した定期あり',
    any: '定期あり(状態を問わず)',
    none: '定期なし',
  },
};

export const subscriptionFilterEn: typeof subscriptionFilterJa = {
  label: 'Subscription',
  values: {
    active: 'With an active subscription',
    paused: 'With a paused subscription',
    cancelled: 'With a cancelled subscription',
    any: 'With any subscription',
    none: 'Never subscribed',
  },
};

/** The timeline's words for the subscription events. */
export const subscriptionEventsJa = {
  subscription_started: '定期購入の開始',
  subscription_paused: '定期購入の休止',
  subscription_resumed: '定期購入の再開',
  subscription_skipped: '定期購入のスキップ',
  subscription_cancelled: '定期購入の解約',
};

export const subscriptionEventsEn: typeof subscriptionEventsJa = {
  subscription_started: 'Subscription started',
  subscription_paused: 'Subscription paused',
  subscription_resumed: 'Subscription resumed',
  subscription_skipped: 'Delivery skipped',
  subscription_cancelled: 'Subscription cancelled',
};
