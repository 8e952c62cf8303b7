import type { z } from 'zod';
import { recordSchemas, type BatchKind } from '../ingest/records.ts';
import type { Normalized } from '../shared/normalize.ts';
import { subscriptionStatusLabel } from '../subscriptions/subscription-record.ts';
import { channelLabel, genderLabel, jsonObjectLabel, shareLabel, statusLabel, yesNoLabel } from './value-labels.ts';

/**
 * The fields a CSV file of each kind may carry: the API field name (records.ts), the header
 * spellings Japanese back offices and English exports use, and the field's own schema taken
 * from the record schema, so values are checked and normalised exactly as the batch API does.
 * Order files are one line per item, so their fields mix the order, its item and the columns
 * that create a customer not yet known; subscription files too (one line per item of a course).
 */
export interface ImportField {
  name: string;
  aliases: readonly string[];
  schema: z.ZodType;
  /** Turns a back-office label into the schema's input (WEB → web, 70% → 0.7). */
  label?: (text: string) => Normalized<unknown>;
  /** The importer derives the value when the file has none (an event's idempotency key). */
  derived?: boolean;
}

const labelled =
  (map: (text: string) => string) =>
  (text: string): Normalized<unknown> => ({ ok: true, value: map(text) });

const ALIASES = {
  customer_id: ['顧客番号', '会員ID', '会員番号', '顧客ID', '顧客コード', '会員コード', 'customer_id', 'member_id'],
  order_id: ['受注番号', '注文番号', '注文ID', '受注ID', 'order_id', 'order_number'],
  ordered_at: ['受注日時', '注文日', '注文日時', '受注日', '購入日', '購入日時', 'order_date', 'ordered_at'],
  sku: ['商品コード', '商品番号', '品番', 'SKU', 'product_code'],
  product_name: ['商品名', 'product_name'],
  quantity: ['数量', '個数', '注文数', 'quantity', 'qty'],
  unit_price: ['単価', '販売単価', '販売価格', 'unit_price'],
  prefecture: ['都道府県', 'prefecture'],
  email: ['メールアドレス', 'メール', 'Eメール', 'email', 'e-mail', 'mail'],
  phone: ['電話番号', '電話', 'TEL', '携帯電話番号', 'phone', 'phone_number'],
  channel: ['受注チャネル', '販売チャネル', 'チャネル', 'channel'],
  status: ['ステータス', '受注ステータス', '注文ステータス', 'status'],
  store: ['店舗', '店舗名', 'store'],
  delivered_at: ['配送完了日', '配達完了日', '配達日', 'お届け日', 'delivered_at'],
  name: ['氏名', '名前', 'お名前', '顧客名', 'name'],
  name_kana: ['フリガナ', '氏名（カナ）', '氏名カナ', 'カナ', 'ふりがな', 'name_kana'],
  gender: ['性別', 'gender'],
  birth_date: ['生年月日', '誕生日', 'birth_date', 'birthday'],
  line_user_id: ['LINEユーザーID', 'LINE ID', 'line_user_id'],
  category: ['カテゴリ', 'カテゴリー', '商品カテゴリ', 'category'],
  price: ['価格', '定価', '通常価格', 'price'],
  is_subscription: ['定期', '定期購入', '定期商品', 'is_subscription'],
  effect_first_feeling_days: ['実感日数', '初回実感日数', '実感までの日数', 'effect_first_feeling_days'],
  effect_clear_days: ['効果日数', '効果実感日数', '効果が出るまでの日数', 'effect_clear_days'],
  effect_share: ['実感率', '効果実感率', 'effect_share'],
  type: ['イベント種別', 'イベント', 'イベント名', 'event_type', 'type'],
  occurred_at: ['発生日時', '日時', 'occurred_at'],
  properties: ['プロパティ', 'properties'],
  idempotency_key: ['冪等キー', 'イベントID', 'event_id', 'idempotency_key'],
  is_trial: ['お試し', 'トライアル', 'お試し商品', 'is_trial'],
  subscription_id: ['定期番号', '定期ID', '定期購入番号', 'subscription_id'],
  delivery_number: ['お届け回数', '配送回数', '回数', 'delivery_number'],
} as const;

/** Subscription files: the columns 定期 back offices export (their status column is also just ステータス). */
const SUBSCRIPTION_ALIASES = {
  course: ['コース名', 'コース', 'course'],
  cycle: ['お届けサイクル', '配送サイクル', 'サイクル', '周期', 'cycle'],
  status: ['定期ステータス', 'ステータス', '状態', 'status'],
  started_at: ['申込日', '開始日', '定期開始日', 'started_at'],
  next_delivery_on: ['次回お届け日', '次回配送日', '次回発送日', 'next_delivery_on'],
  deliveries: ['お届け回数', '配送回数', '回数', 'deliveries'],
  skips: ['スキップ回数', 'skips'],
  cancelled_at: ['解約日', 'cancelled_at'],
  cancel_reason: ['解約理由', 'cancel_reason'],
  cancel_note: ['解約メモ', 'cancel_note'],
  status_changed_at: ['ステータス変更日', 'status_changed_at'],
  changed_by: ['変更者', 'changed_by'],
} as const;

function makeFields(kind: BatchKind, timezone: string): ImportField[] {
  const schemas = recordSchemas(timezone);
  const customer = schemas.customer.shape;
  const order = schemas.order.shape;
  const item = order.items.element.shape;
  const field = (name: keyof typeof ALIASES, schema: z.ZodType, label?: ImportField['label']): ImportField => ({ name, aliases: ALIASES[name], schema, label });
  const customerDetails = [
    field('name', customer.name),
    field('name_kana', customer.name_kana),
    field('gender', customer.gender, labelled(genderLabel)),
    field('birth_date', customer.birth_date),
    field('email', customer.email),
    field('phone', customer.phone),
  ];
  switch (kind) {
    case 'customers':
      return [
        field('customer_id', customer.customer_id),
        ...customerDetails,
        field('prefecture', customer.prefecture),
        field('line_user_id', customer.line_user_id),
      ];
    case 'products': {
      const product = schemas.product.shape;
      return [
        field('sku', product.sku),
        { name: 'name', aliases: ['商品名', 'name', 'product_name'], schema: product.name },
        field('category', product.category),
        field('price', product.price),
        field('is_subscription', product.is_subscription, yesNoLabel),
        field('is_trial', product.is_trial, yesNoLabel),
        field('effect_first_feeling_days', product.effect_first_feeling_days),
        field('effect_clear_days', product.effect_clear_days),
        field('effect_share', product.effect_share, shareLabel),
      ];
    }
    case 'orders':
      return [
        field('order_id', order.order_id),
        field('customer_id', order.customer_id),
        field('ordered_at', order.ordered_at),
        field('channel', order.channel, labelled(channelLabel)),
        field('status', order.status, labelled(statusLabel)),
        field('prefecture', order.prefecture),
        field('store', order.store),
        field('delivered_at', order.delivered_at),
        field('subscription_id', order.subscription_id),
        field('delivery_number', order.delivery_number),
        field('sku', item.sku),
        field('product_name', item.product_name),
        field('quantity', item.quantity),
        field('unit_price', item.unit_price),
        ...customerDetails,
      ];
    case 'events': {
      const event = schemas.event.shape;
      return [
        field('customer_id', event.customer_id),
        field('type', event.type),
        field('occurred_at', event.occurred_at),
        field('properties', event.properties, jsonObjectLabel),
        { ...field('idempotency_key', event.idempotency_key), derived: true },
      ];
    }
    case 'subscriptions': {
      // One line per item: the item's sku and quantity, and the subscription's fields, which its lines repeat.
      const subscription = schemas.subscription.in.shape;
      const subscriptionItem = subscription.items.unwrap().element.shape;
      const own = (name: keyof typeof SUBSCRIPTION_ALIASES, schema: z.ZodType, label?: ImportField['label']): ImportField => ({
        name,
        aliases: SUBSCRIPTION_ALIASES[name],
        schema,
        label,
      });
      return [
        field('subscription_id', subscription.subscription_id),
        field('customer_id', subscription.customer_id),
        own('course', subscription.course),
        field('sku', subscriptionItem.sku),
        field('quantity', subscriptionItem.quantity),
        own('cycle', subscription.cycle),
        own('status', subscription.status, labelled(subscriptionStatusLabel)),
        own('started_at', subscription.started_at),
        own('next_delivery_on', subscription.next_delivery_on),
        own('deliveries', subscription.deliveries),
        own('skips', subscription.skips),
        own('cancelled_at', subscription.cancelled_at),
        own('cancel_reason', subscription.cancel_reason),
        own('cancel_note', subscription.cancel_note),
        own('status_changed_at', subscription.status_changed_at),
        own('changed_by', subscription.changed_by),
      ];
    }
  }
}

const cache = new Map<string, readonly ImportField[]>();

/** The fields of a kind of file, for a workspace time zone (timestamps without a zone are read in it). */
export function importFields(kind: BatchKind, timezone: string): readonly ImportField[] {
  const key = `${kind}|${timezone}`;
  let fields = cache.get(key);
  if (!fields) {
    fields = makeFields(kind, timezone);
    cache.set(key, fields);
  }
  return fields;
}

/** Fields a file must have a column for: their schema refuses a missing value and the importer cannot derive it. */
export function isRequired(field: ImportField): boolean {
  return !field.derived && !field.schema.safeParse(undefined).success;
}
