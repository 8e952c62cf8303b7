/**
 * Labels for the data Kizuna itself names (customer360.data): profile attribute keys, event
 * property keys and their known values, consent sources. Anything not named here is the
 * brand's own data and is shown as given, marked as raw.
 */
export const dataLabelsJa = {
  keys: {
    order_id: '注文番号', customer_id: '顧客ID', path: 'ページ', url: 'リンク先', device: '端末', campaign: 'キャンペーン',
    kind: '種類', topic: '内容', via: '窓口', survey: 'アンケート', felt_effect: '効果を実感', satisfaction: '満足度', score: 'スコア',
    amount: '金額', status: 'ステータス', channel: 'チャネル', store: '店舗', sku: '商品コード', product: '商品', quantity: '数量',
    source: '取得元', referrer: '参照元', utm_source: '流入元', utm_medium: '流入メディア', utm_campaign: '流入キャンペーン',
    customer_since: '顧客になった日', lead_source: '見込み客の獲得経路', acquisition_source: '獲得経路', line_friend: 'LINE友だち',
    member_rank: '会員ランク', skin_type: '肌質',
  } as Record<string, string>,
  values: {
    device: { smartphone: 'スマートフォン', pc: 'パソコン', tablet: 'タブレット' },
    kind: { text: 'テキスト', stamp: 'スタンプ', rich_menu_tap: 'リッチメニューのタップ' },
    topic: {
      delivery: '配送', how_to_use: '使い方', billing: '請求・支払い', change_address: '住所変更', skip_delivery: 'お届けのスキップ',
      product_question: '商品について', cancel_subscription: '定期便の解約', return: '返品',
    },
    via: { phone: '電話', email: 'メール', chat: 'チャット' },
    survey: { trial_day14: 'お試し14日後アンケート' },
    lead_source: { sample_request: 'サンプル請求', newsletter: 'メールマガジン登録', line_friend: 'LINE友だち追加', campaign: 'キャンペーン応募' },
    acquisition_source: {
      web_ad: 'Web広告', search: '検索', instagram: 'Instagram', referral: '紹介', line_ad: 'LINE広告', tv: 'テレビ',
      newspaper: '新聞', radio: 'ラジオ', store: '店舗', catalog: 'カタログ',
    },
    source: {
      order_form: '注文フォーム', sample_request: 'サンプル請求フォーム', newsletter: 'メールマガジン登録フォーム', line_friend: 'LINE友だち追加',
      campaign: 'キャンペーン応募フォーム', unsubscribe_link: '配信停止リンク', sms_stop_reply: 'SMSの停止返信', line_friend_add: 'LINE友だち追加',
      line_block: 'LINEブロック', line_id_link: 'LINE ID連携', support_call: 'お問い合わせ窓口', import: 'データ取込', api: 'API',
    },
    status: {
      pending: '保留', confirmed: '受注確定', shipped: '発送済', delivered: '配達済', cancelled: 'キャンセル', returned: '返品',
    },
    channel: { web: 'Web', phone: '電話', line: 'LINE', store: '店舗', other: 'その他', email: 'メール', sms: 'SMS', postal: '郵送' },
  } as Record<string, Record<string, string>>,
  yes: 'はい',
  no: 'いいえ',
  raw: '未定義の項目(取り込まれたままの値)',
};

export const dataLabelsEn: typeof dataLabelsJa = {
  keys: {
    order_id: 'Order number', customer_id: 'Customer ID', path: 'Page', url: 'Link', device: 'Device', campaign: 'Campaign',
    kind: 'Kind', topic: 'Topic', via: 'Via', survey: 'Survey', felt_effect: 'Felt the effect', satisfaction: 'Satisfaction', score: 'Score',
    amount: 'Amount', status: 'Status', channel: 'Channel', store: 'Store', sku: 'SKU', product: 'Product', quantity: 'Quantity',
    source: 'Source', referrer: 'Referrer', utm_source: 'Traffic source', utm_medium: 'Traffic medium', utm_campaign: 'Traffic campaign',
    customer_since: 'Customer since', lead_source: 'Lead source', acquisition_source: 'Acquisition source', line_friend: 'LINE friend',
    member_rank: 'Member rank', skin_type: 'Skin type',
  },
  values: {
    device: { smartphone: 'Smartphone', pc: 'PC', tablet: 'Tablet' },
    kind: { text: 'Text', stamp: 'Sticker', rich_menu_tap: 'Rich menu tap' },
    topic: {
      delivery: 'Delivery', how_to_use: 'How to use', billing: 'Billing', change_address: 'Change of address', skip_delivery: 'Skip a delivery',
      product_question: 'Product question', cancel_subscription: 'Subscription cancellation', return: 'Return',
    },
    via: { phone: 'Phone', email: 'Email', chat: 'Chat' },
    survey: { trial_day14: 'Trial day-14 survey' },
    lead_source: { sample_request: 'Sample request', newsletter: 'Newsletter sign-up', line_friend: 'LINE friend added', campaign: 'Campaign entry' },
    acquisition_source: {
      web_ad: 'Web ad', search: 'Search', instagram: 'Instagram', referral: 'Referral', line_ad: 'LINE ad', tv: 'TV',
      newspaper: 'Newspaper', radio: 'Radio', store: 'Store', catalog: 'Catalogue',
    },
    source: {
      order_form: 'Order form', sample_request: 'Sample request form', newsletter: 'Newsletter form', line_friend: 'LINE friend added',
      campaign: 'Campaign form', unsubscribe_link: 'Unsubscribe link', sms_stop_reply: 'SMS STOP reply', line_friend_add: 'LINE friend added',
      line_block: 'Blocked on LINE', line_id_link: 'LINE ID linked', support_call: 'Customer support', import: 'Import', api: 'API',
    },
    status: {
      pending: 'Pending', confirmed: 'Confirmed', shipped: 'Shipped', delivered: 'Delivered', cancelled: 'Cancelled', returned: 'Returned',
    },
    channel: { web: 'Web', phone: 'Phone', line: 'LINE', store: 'Store', other: 'Other', email: 'Email', sms: 'SMS', postal: 'Post' },
  },
  yes: 'Yes',
  no: 'No',
  raw: 'Not a Kizuna field (the value as imported)',
};
