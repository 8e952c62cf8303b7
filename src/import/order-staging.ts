import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * The lines of an order file, normalised, in a temporary table of the import's transaction
 * (`import_order_lines`, dropped at commit). The file streams in through COPY while it is
 * read; grouping lines into orders, checking them against each other and the catalogue, and
 * writing them are then set-based SQL over this table (see order-checks.ts, order-writes.ts).
 */
export const STAGED_FIELDS = [
  ['order_id', 'text collate "C"'],
  ['customer_id', 'text collate "C"'],
  ['ordered_at', 'timestamptz'],
  ['channel', 'text'],
  ['status', 'text'],
  ['prefecture', 'text'],
  ['store', 'text'],
  ['delivered_at', 'timestamptz'],
  ['subscription_id', 'text collate "C"'],
  ['delivery_number', 'integer'],
  ['sku', 'text collate "C"'],
  ['product_name', 'text'],
  ['quantity', 'integer'],
  ['unit_price', 'numeric'],
  ['name', 'text'],
  ['name_kana', 'text'],
  ['gender', 'text'],
  ['birth_date', 'date'],
  ['email', 'text'],
  ['phone', 'text'],
] as const;

export type StagedField = (typeof STAGED_FIELDS)[number][0];

/**
 * Customer columns only matter on a customer's first well-formed line, which creates the
 * customer, and a product name on a code's first naming line: other lines stage them as
 * null, which makes the staged table about half as wide on a typical export.
 */
const CUSTOMER_DETAILS: readonly StagedField[] = ['name', 'name_kana', 'gender', 'birth_date', 'email', 'phone'];

export interface StagedLayouts {
  /** Slots of the reader's results, in STAGED_FIELDS order, -1 for a null column. */
  slots(withCustomerDetails: boolean, withProductName: boolean): readonly number[];
}

export function stagedLayouts(slotOf: (field: StagedField) => number): StagedLayouts {
  const layout = (omit: readonly StagedField[]) => STAGED_FIELDS.map(([name]) => (omit.includes(name) ? -1 : slotOf(name)));
  const layouts = [layout([...CUSTOMER_DETAILS, 'product_name']), layout(CUSTOMER_DETAILS), layout(['product_name']), layout([])];
  return { slots: (withCustomerDetails, withProductName) => layouts[(withCustomerDetails ? 2 : 0) + (withProductName ? 1 : 0)]! };
}

/** Order fields that all lines of one order must agree on. */
export const ORDER_HEADER_FIELDS = [
  'customer_id',
  'ordered_at',
  'channel',
  'status',
  'prefecture',
  'store',
  'delivered_at',
  'subscription_id',
  'delivery_number',
] as const;

/**
 * What an order's time is when its lines carry one each. `same` (the default): every line
 * must carry the order's time; a line that differs from the order's first line is refused
 * (order_lines_disagree) with its order. `earliest`: the lines may differ and the order's time
 * is the earliest of them, for exports that stamp each line as it was keyed (the UCI Online
 * Retail file has invoices whose lines straddle a minute). The other order fields must agree
 * either way.
 */
export const ORDER_TIME_RULES = ['same', 'earliest'] as const;
export type OrderTimeRule = (typeof ORDER_TIME_RULES)[number];

/** The order fields the lines of one order are checked to agree on under `rule`. */
export function agreedOrderFields(rule: OrderTimeRule): readonly (typeof ORDER_HEADER_FIELDS)[number][] {
  return rule === 'earliest' ? ORDER_HEADER_FIELDS.filter((field) => field !== 'ordered_at') : ORDER_HEADER_FIELDS;
}

const LINES_PER_WRITE = 2_000;

/** Where a well-formed line stands. */
export interface LinePlace {
  /** Its number among its order's well-formed lines; 1: the order's head. */
  lineNo: number;
  firstOfCustomer: boolean;
  /** Known to carry the same order fields as its order's head (the head itself, or a line after one that does, with the very same cells). */
  agreesWithHead: boolean;
}

export async function createStagingTable(client: pg.ClientBase): Promise<void> {
  await client.query(`create temp table import_order_lines (
    line integer not null,
    -- a cell of the line is invalid (reported by the reader); its invalid cells are null
    bad boolean not null,
    -- on well-formed lines (null or false on bad ones): the line's position among its order's
    -- well-formed lines (the item's line number), whether it is the order's first one (which
    -- gives the order's fields), whether it is its customer's first one (which creates a
    -- new customer), and whether the reader saw that its order fields are the head's (the
    -- other lines are compared in SQL)
    line_no integer,
    head boolean not null,
    first_of_customer boolean not null,
    agrees boolean not null,
    ${STAGED_FIELDS.map(([name, type]) => `${name} ${type}`).join(',\n    ')}
  ) on commit drop`);
}

/** Streams staged lines into import_order_lines through COPY, with backpressure. */
export class StagingWriter {
  private readonly copy;
  private readonly done: Promise<void>;
  private pending: string[] = [];

  constructor(client: pg.ClientBase) {
    this.copy = client.query(
      copyFrom(`copy import_order_lines (line, bad, line_no, head, first_of_customer, agrees, ${STAGED_FIELDS.map(([name]) => name).join(', ')}) from stdin`),
    );
    this.done = finished(this.copy);
    // Surface a COPY failure at end() rather than as an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /**
   * Stages one line: a bad line, or a well-formed one with its place (see the table's
   * columns). `cells` are the reader's results and `slots` where each STAGED_FIELDS field is
   * among them (-1: a null column). A result keeps its COPY text, so a value repeated across
   * lines is formatted once. Returns a promise when the buffered lines went out and the
   * connection asks to wait (await it), undefined otherwise.
   */
  write(line: number, place: LinePlace | null, cells: readonly { value: unknown; copy?: string }[], slots: readonly number[]): Promise<void> | undefined {
    let text =
      place === null
        ? `${line}\tt\t\\N\tf\tf\tf`
        : `${line}\tf\t${place.lineNo}${place.lineNo === 1 ? '\tt' : '\tf'}${place.firstOfCustomer ? '\tt' : '\tf'}${place.agreesWithHead ? '\tt' : '\tf'}`;
    for (const slot of slots) {
      const cell = cells[slot];
      // The cached text carries its leading tab: one concatenation per cell.
      text += cell ? (cell.copy ??= `\t${copyText(cell.value)}`) : '\t\\N';
    }
    this.pending.push(text);
    return this.pending.length >= LINES_PER_WRITE ? this.flush() : undefined;
  }

  async end(): Promise<void> {
    await this.flush();
    this.copy.end();
    await this.done;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    if (!this.copy.write(text)) await Promise.race([once(this.copy, 'drain'), this.done]);
  }
}

const SPECIAL = /[\\\t\n\r]/;

/** A value in COPY's text format: \N for null, backslash escapes for the separators. */
function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  const text = typeof value === 'string' ? value : String(value);
  return SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : text;
}
