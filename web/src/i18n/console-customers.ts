/** The customer list's sort and extra filters (customers.list). */
export const customerListJa = {
  sort: '並び順',
  sorts: {
    'lastPurchase:desc': '最終購入日が新しい順',
    'lastPurchase:asc': '最終購入日が古い順',
    'totalSpend:desc': '累計購入額が多い順',
    'totalSpend:asc': '累計購入額が少ない順',
    'clv:desc': '予測LTVが高い順',
    'clv:asc': '予測LTVが低い順',
    'registered:desc': '登録が新しい順',
    'registered:asc': '登録が古い順',
  },
  sortHint: '購入のない見込み客(予測LTVの並びでは未算出の顧客)は、どの並びでも最後に新しい順で表示します。',
  sortBy: (column: string, direction: 'asc' | 'desc' | null) =>
    direction === null ? `${column}で並べ替え` : `${column}で並べ替え(現在: ${direction === 'desc' ? '降順' : '昇順'})`,
  rfmSegment: 'RFMセグメント',
  purchaseCount: '購入回数',
  purchaseCountMin: '購入回数の下限',
  purchaseCountMax: '購入回数の上限',
  purchaseCountRange: '〜',
  clv: '予測LTV',
  clvTitle: '最新の顧客価値分析(BG/NBD + Gamma-Gamma)で予測した将来の購入額',
};

export const customerListEn: typeof customerListJa = {
  sort: 'Sort',
  sorts: {
    'lastPurchase:desc': 'Last purchase, newest first',
    'lastPurchase:asc': 'Last purchase, oldest first',
    'totalSpend:desc': 'Total spend, highest first',
    'totalSpend:asc': 'Total spend, lowest first',
    'clv:desc': 'Predicted CLV, highest first',
    'clv:asc': 'Predicted CLV, lowest first',
    'registered:desc': 'Registered, newest first',
    'registered:asc': 'Registered, oldest first',
  },
  sortHint: 'Leads without a purchase (for CLV, profiles the last run did not score) come last in every order, newest first.',
  sortBy: (column: string, direction: 'asc' | 'desc' | null) =>
    direction === null ? `Sort by ${column}` : `Sort by ${column} (now ${direction === 'desc' ? 'descending' : 'ascending'})`,
  rfmSegment: 'RFM segment',
  purchaseCount: 'Purchases',
  purchaseCountMin: 'Minimum purchases',
  purchaseCountMax: 'Maximum purchases',
  purchaseCountRange: 'to',
  clv: 'Predicted CLV',
  clvTitle: 'Future spend predicted by the latest customer value run (BG/NBD + Gamma-Gamma)',
};
