import { StringDecoder } from 'node:string_decoder';
import type pg from 'pg';
import { purchaseCondition } from '../../orders/purchase.ts';
import { readCopyOut } from '../engine/copy-out.ts';
import { localDate } from '../periods.ts';

/** Purchases as columns ordered by customer and day: what the models read. */
export interface LoadedPurchases {
  /** Customer index of each purchase, 0 … ids.length − 1, in customer order. */
  customer: Int32Array;
  /** Local day number of each purchase. */
  day: Int32Array;
  amount: Float64Array;
  /** Customer id of each index. */
  ids: ArrayLike<string | number>;
}

/** Every purchase of the workspace as (customer, local day, amount), ordered by customer and day, through COPY. */
export async function loadPurchases(pool: pg.Pool, workspaceId: string, timezone: string): Promise<LoadedPurchases> {
  const client = await pool.connect();
  try {
    const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
    const tz = literal(timezone);
    const columns = new GrowingColumns();
    const decoder = new StringDecoder('utf8');
    let rest = '';
    await readCopyOut(
      client,
      `copy (select o.customer_id, ${localDate('o.ordered_at', tz)} - date '1970-01-01', o.amount
               from orders o
              where o.workspace_id = ${Number(workspaceId)} and ${purchaseCondition('o')}
              order by o.customer_id, o.ordered_at) to stdout`,
      (chunk) => {
        const text = rest + decoder.write(chunk);
        let start = 0;
        for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
          const first = text.indexOf('\t', start);
          const second = text.indexOf('\t', first + 1);
          columns.push(text.slice(start, first), Number(text.slice(first + 1, second)), Number(text.slice(second + 1, end)));
          start = end + 1;
        }
        rest = text.slice(start);
      },
    );
    return columns.done();
  } finally {
    client.release();
  }
}

class GrowingColumns {
  private customer = new Int32Array(1 << 16);
  private day = new Int32Array(1 << 16);
  private amount = new Float64Array(1 << 16);
  private length = 0;
  private readonly ids: string[] = [];

  push(id: string, day: number, amount: number): void {
    if (this.length === this.customer.length) this.grow();
    if (this.ids.at(-1) !== id) this.ids.push(id);
    this.customer[this.length] = this.ids.length - 1;
    this.day[this.length] = day;
    this.amount[this.length] = amount;
    this.length += 1;
  }

  done(): LoadedPurchases {
    return { customer: this.customer.slice(0, this.length), day: this.day.slice(0, this.length), amount: this.amount.slice(0, this.length), ids: this.ids };
  }

  private grow(): void {
    const size = this.customer.length * 2;
    const resize = <T extends Int32Array | Float64Array>(array: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(array);
      return next;
    };
    this.customer = resize(this.customer, (k) => new Int32Array(k));
    this.day = resize(this.day, (k) => new Int32Array(k));
    this.amount = resize(this.amount, (k) => new Float64Array(k));
  }
}
