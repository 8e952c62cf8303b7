import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DemoProduct } from './catalogue.ts';
import { COPY_COLUMNS, type DemoTable } from './copy-rows.ts';

/** Ids handed out by the table's identity sequence: `at(i)` is the i-th of them. */
export interface IdBlock {
  at(position: number): number;
}

/**
 * Where the generator writes. The PostgreSQL sink copies into the tables; the null sink
 * does the same work up to the bytes and throws them away, to measure the generator alone.
 */
export interface DemoSink {
  insertProducts(workspaceId: string, products: readonly DemoProduct[]): Promise<number[]>;
  reserveIds(table: 'customers' | 'orders' | 'subscriptions', count: number): Promise<IdBlock>;
  copy(table: DemoTable, text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Writes with COPY on one client (the caller's transaction). Ids of customers and orders are
 * taken from their identity sequences in blocks (`nextval` over generate_series), so rows
 * written by anyone else meanwhile can never collide with them; COPY stores the given ids
 * (it always behaves like OVERRIDING SYSTEM VALUE).
 */
export function postgresSink(client: pg.ClientBase): DemoSink {
  const sequences = new Map<string, string>();
  return {
    async insertProducts(workspaceId, products) {
      const { rows } = await client.query<{ id: string; sku: string }>(
        `insert into products (workspace_id, sku, name, category, price, is_subscription, is_trial, effect_first_feeling_days, effect_clear_days, effect_share, attributes, created_at, updated_at)
         select $1, p.sku, p.name, p.category, p.price, p.is_subscription, p.is_trial, p.first_days, p.clear_days, p.share, p.attributes, $10, $10
           from unnest($2::text[], $3::text[], $4::text[], $5::numeric[], $6::boolean[], $12::boolean[], $7::int[], $8::int[], $9::numeric[], $11::jsonb[]) with ordinality
             as p(sku, name, category, price, is_subscription, is_trial, first_days, clear_days, share, attributes, position)
          order by p.position
         on conflict (workspace_id, sku) do update set
           name = excluded.name, category = excluded.category, price = excluded.price, is_subscription = excluded.is_subscription, is_trial = excluded.is_trial,
           effect_first_feeling_days = excluded.effect_first_feeling_days, effect_clear_days = excluded.effect_clear_days,
           effect_share = excluded.effect_share, attributes = excluded.attributes, updated_at = excluded.updated_at
         returning id, sku`,
        [
          workspaceId,
          products.map((p) => p.sku),
          products.map((p) => p.name),
          products.map((p) => p.category),
          products.map((p) => p.price),
          products.map((p) => p.isSubscription),
          products.map((p) => p.effect?.firstFeelingDays ?? null),
          products.map((p) => p.effect?.clearDays ?? null),
          products.map((p) => p.effect?.share ?? null),
          PRODUCTS_LISTED_AT,
          products.map((p) => JSON.stringify(p.attributes)),
          products.map((p) => p.isTrial),
        ],
      );
      const idBySku = new Map(rows.map((row) => [row.sku, Number(row.id)]));
      return products.map((product) => idBySku.get(product.sku)!);
    },
    async reserveIds(table, count) {
      if (count === 0)
        return {
          at: () => {
            throw new RangeError('no ids reserved');
          },
        };
      let sequence = sequences.get(table);
      if (!sequence) {
        const { rows } = await client.query<{ name: string }>("select pg_get_serial_sequence($1, 'id') as name", [table]);
        sequence = rows[0]!.name;
        sequences.set(table, sequence);
      }
      const { rows } = await client.query<{ first: string; last: string; ids: string[] | null }>(
        `select min(v)::text as first, max(v)::text as last,
                case when max(v) - min(v) + 1 = count(*) then null else array_agg(v order by v)::text[] end as ids
           from (select nextval($1::regclass) as v from generate_series(1, $2::int)) s`,
        [sequence, count],
      );
      const { first, ids } = rows[0]!;
      if (ids) {
        const list = ids.map(Number);
        return { at: (position) => list[position]! };
      }
      const base = Number(first);
      return { at: (position) => base + position };
    },
    async copy(table, text) {
      if (text === '') return;
      const stream = client.query(copyFrom(`copy ${table} (${COPY_COLUMNS[table]}) from stdin`));
      stream.end(text);
      await finished(stream);
    },
    async close() {},
  };
}

/** The moment the demo catalogue was listed (a fixed date, so the data never depends on the clock). */
const PRODUCTS_LISTED_AT = '2020-04-01T00:00:00+09:00';

/** Serialises everything and writes it to /dev/null: the generator's own cost. */
export function nullSink(path = '/dev/null'): DemoSink {
  const out = createWriteStream(path);
  const next = { customers: 1, orders: 1, subscriptions: 1, products: 1 };
  return {
    async insertProducts(_workspaceId, products) {
      return products.map(() => next.products++);
    },
    async reserveIds(table, count) {
      const base = next[table];
      next[table] += count;
      return { at: (position) => base + position };
    },
    async copy(_table, text) {
      if (!out.write(text)) await once(out, 'drain');
    },
    async close() {
      out.end();
      await finished(out);
    },
  };
}
