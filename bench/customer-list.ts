/**
 * Customer list queries at 1,000,000 profiles: p50 / p95 of search and filters, page 1 and
 * deep pages, in each sort order, against a baseline of the naive way (OFFSET paging and
 * ILIKE '%q%' scans; the sorts' baseline sorts every match).
 *   npx tsx bench/customer-list.ts [--customers 1000000] [--runs 40]
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { CUSTOMER_SORTS, SORT_DIRECTIONS, type CustomerOrder } from '../src/customers/customer-list-order.ts';
import { listCustomers, type CustomerListFilters } from '../src/customers/list-customers.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase, percentiles } from './support/bench-database.ts';

const { values: args } = parseArgs({ options: { customers: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '40' } } });
const CUSTOMERS = Number(args.customers);
const RUNS = Number(args.runs);

// Family and given names with kana.
const FAMILY = [
  ['佐藤', 'サトウ'],
  ['鈴木', 'スズキ'],
  ['高橋', 'タカハシ'],
  ['田中', 'タナカ'],
  ['伊藤', 'イトウ'],
  ['渡辺', 'ワタナベ'],
  ['山本', 'ヤマモト'],
  ['中村', 'ナカムラ'],
  ['小林', 'コバヤシ'],
  ['加藤', 'カトウ'],
  ['吉田', 'ヨシダ'],
  ['山田', 'ヤマダ'],
  ['佐々木', 'ササキ'],
  ['山口', 'ヤマグチ'],
  ['松本', 'マツモト'],
  ['井上', 'イノウエ'],
  ['木村', 'キムラ'],
  ['林', 'ハヤシ'],
  ['斎藤', 'サイトウ'],
  ['清水', 'シミズ'],
  ['山崎', 'ヤマザキ'],
  ['森', 'モリ'],
  ['池田', 'イケダ'],
  ['橋本', 'ハシモト'],
  ['阿部', 'アベ'],
  ['石川', 'イシカワ'],
  ['前田', 'マエダ'],
  ['藤田', 'フジタ'],
  ['小川', 'オガワ'],
  ['岡田', 'オカダ'],
];
const GIVEN = [
  ['花子', 'ハナコ'],
  ['恵', 'メグミ'],
  ['陽子', 'ヨウコ'],
  ['美咲', 'ミサキ'],
  ['直美', 'ナオミ'],
  ['由美', 'ユミ'],
  ['裕子', 'ユウコ'],
  ['智子', 'トモコ'],
  ['久美子', 'クミコ'],
  ['真由美', 'マユミ'],
  ['太郎', 'タロウ'],
  ['健', 'ケン'],
  ['誠', 'マコト'],
  ['大輔', 'ダイスケ'],
  ['翔太', 'ショウタ'],
  ['浩', 'ヒロシ'],
  ['隆', 'タカシ'],
  ['修', 'オサム'],
  ['明美', 'アケミ'],
  ['幸子', 'サチコ'],
];
const PREFS = ['東京都', '神奈川県', '大阪府', '愛知県', '埼玉県', '千葉県', '兵庫県', '北海道', '福岡県', '静岡県', '鳥取県'];

const { database, drop } = await openBenchDatabase('list');
try {
  const workspace = await createWorkspace(database.db, { name: 'bench-list' });
  console.log(
    `Customer list benchmark: ${CUSTOMERS.toLocaleString('en-US')} profiles, ${RUNS} runs per query, ${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}`,
  );
  const bar = new cliProgress.SingleBar({ format: 'load  {bar} {value}/{total} profiles', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(CUSTOMERS, 0);
  const chunk = 100_000;
  for (let start = 0; start < CUSTOMERS; start += chunk) {
    const end = Math.min(CUSTOMERS, start + chunk);
    // Names drawn evenly: each family name is ~3% of profiles, each given name ~5%.
    await database.pool.query(
      `insert into customers (workspace_id, external_id, lifecycle, name, name_kana, gender, prefecture, purchase_count, purchase_total, last_purchase_at)
       select $1, 'M' || lpad(g::text, 8, '0'), case when g % 4 = 0 then 'lead' else 'customer' end,
              names.f[1] || ' ' || names.gv[1], names.f[2] || ' ' || names.gv[2], case when g % 3 = 0 then 'male' else 'female' end,
              ($5::text[])[1 + (g * 7) % array_length($5::text[], 1)],
              case when g % 4 = 0 then 0 else 1 + g % 9 end, case when g % 4 = 0 then 0 else (1 + g % 9) * 1980 + g % 997 end,
              case when g % 4 = 0 then null else timestamptz '2024-01-01' + ((g * 7919) % 525600) * interval '1 minute' end
         from generate_series($2::bigint, $3::bigint) g,
              lateral (select ((g * 2654435761) % $6)::int as i) fi,
              lateral (select ((g * 40503) % $8)::int as i) gi,
              lateral (select array[($4::text[])[fi.i * 2 + 1], ($4::text[])[fi.i * 2 + 2]] as f,
                              array[($7::text[])[gi.i * 2 + 1], ($7::text[])[gi.i * 2 + 2]] as gv) names`,
      [workspace.id, start, end - 1, FAMILY.flat(), PREFS, FAMILY.length, GIVEN.flat(), GIVEN.length],
    );
    await database.pool.query(
      `insert into customer_identities (workspace_id, customer_id, kind, value)
       select $1, id, 'email', 'user' || substr(external_id, 2) || '@example.jp' from customers where workspace_id = $1 and external_id between $2 and $3
       union all
       select $1, id, 'phone', '090' || lpad((substr(external_id, 2)::int * 37 % 100000000)::text, 8, '0') from customers
        where workspace_id = $1 and external_id between $2 and $3 and substr(external_id, 2)::int % 10 < 7
       on conflict do nothing`,
      [workspace.id, `M${String(start).padStart(8, '0')}`, `M${String(end - 1).padStart(8, '0')}`],
    );
    bar.update(end);
  }
  bar.stop();
  // A customer value run that scored four buyers in five.
  await database.pool.query(
    `insert into customer_values (workspace_id, customer_id, repeat_purchases, recency, age, probability_alive, expected_purchases, expected_spend, clv)
     select workspace_id, id, purchase_count - 1, 0, 1, 0.5, 1, 1, ((id * 7919) % 100000) / 7.0
       from customers where workspace_id = $1 and lifecycle = 'customer' and id % 5 <> 0`,
    [workspace.id],
  );
  await database.pool.query('analyze customers; analyze customer_identities; analyze customer_values');

  const scenarios: { name: string; filters: CustomerListFilters; deep?: boolean; order?: CustomerOrder }[] = [
    { name: 'no filter, page 1', filters: {} },
    { name: 'no filter, page 200 (keyset)', filters: {}, deep: true },
    { name: 'prefecture = 東京都', filters: { prefecture: '東京都' } },
    { name: 'rare: 鳥取県 + male + lead', filters: { prefecture: '鳥取県', gender: 'male', lifecycle: 'lead' } },
    { name: 'search family name 佐藤', filters: { q: '佐藤' } },
    { name: 'search given name 花子', filters: { q: '花子' } },
    { name: 'search kana (hiragana) やまだ', filters: { q: 'やまだ' } },
    { name: 'search email prefix (1 match)', filters: { q: `user${String(Math.floor(CUSTOMERS / 3)).padStart(8, '0')}@` } },
    { name: 'search phone prefix', filters: { q: '090-0012' } },
    { name: 'search + filter: 山 in 大阪府', filters: { q: '山', prefecture: '大阪府' } },
    ...CUSTOMER_SORTS.flatMap((sort) =>
      SORT_DIRECTIONS.flatMap((direction) => [
        { name: `sort ${sort} ${direction}, page 1`, filters: {}, order: { sort, direction } },
        { name: `sort ${sort} ${direction}, page 200`, filters: {}, order: { sort, direction }, deep: true },
      ]),
    ),
    { name: 'sort clv desc, 鳥取県', filters: { prefecture: '鳥取県' }, order: { sort: 'clv', direction: 'desc' } },
    { name: 'sort totalSpend desc, 3–4 purchases', filters: { purchaseCountMin: 3, purchaseCountMax: 4 }, order: { sort: 'totalSpend', direction: 'desc' } },
    { name: 'sort lastPurchase desc, leads only', filters: { lifecycle: 'lead' }, order: { sort: 'lastPurchase', direction: 'desc' } },
  ];

  const rows: string[][] = [];
  for (const scenario of scenarios) {
    let cursor: string | undefined;
    if (scenario.deep) {
      for (let page = 0; page < 199; page++) {
        cursor =
          (await listCustomers(database.db, workspace.id, scenario.filters, { limit: 50, ...order(scenario), ...(cursor ? { cursor } : {}) })).nextCursor ??
          undefined;
      }
    }
    const ours: number[] = [];
    const naive: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let t = performance.now();
      await listCustomers(database.db, workspace.id, scenario.filters, { limit: 50, ...order(scenario), ...(cursor ? { cursor } : {}) });
      ours.push(performance.now() - t);
      if (run < Math.max(5, RUNS / 4)) {
        t = performance.now();
        await naiveList(workspace.id, scenario.filters, scenario.deep ? 199 * 50 : 0, scenario.order);
        naive.push(performance.now() - t);
      }
    }
    const a = percentiles(ours);
    const b = percentiles(naive);
    rows.push([scenario.name, a.p50.toFixed(1), a.p95.toFixed(1), b.p50.toFixed(1), b.p95.toFixed(1), (b.p50 / a.p50).toFixed(1)]);
  }
  console.log('');
  console.log(['query', 'p50 ms', 'p95 ms', 'naive p50', 'naive p95', 'speed-up'].join(' | '));
  for (const row of rows) console.log(row.join(' | '));
  const worst = Math.max(...rows.map((r) => Number(r[2])));
  console.log(`worst p95: ${worst.toFixed(1)} ms (goal < 100 ms)`);
} finally {
  await drop();
}

function order(scenario: { order?: CustomerOrder }): { order?: CustomerOrder } {
  return scenario.order ? { order: scenario.order } : {};
}

/** The baseline: OFFSET paging, exact count(*), substring ILIKE over names and identities, and a sort of every match. */
async function naiveList(workspaceId: string, filters: CustomerListFilters, offset: number, sorting?: CustomerOrder) {
  const conditions = ['c.workspace_id = $1'];
  const params: unknown[] = [workspaceId];
  const add = (sqlText: string, value: unknown) => {
    params.push(value);
    conditions.push(sqlText.replace('?', `$${params.length}`));
  };
  if (filters.prefecture) add('c.prefecture = ?', filters.prefecture);
  if (filters.gender) add('c.gender = ?', filters.gender);
  if (filters.lifecycle) add('c.lifecycle = ?', filters.lifecycle);
  if (filters.purchaseCountMin !== undefined) add('c.purchase_count >= ?', filters.purchaseCountMin);
  if (filters.purchaseCountMax !== undefined) add('c.purchase_count <= ?', filters.purchaseCountMax);
  if (filters.q)
    add(
      `(c.name ilike ? or c.name_kana ilike $${params.length + 1} or exists (select 1 from customer_identities i where i.customer_id = c.id and i.value ilike $${params.length + 1}))`,
      `%${filters.q}%`,
    );
  const where = conditions.join(' and ');
  const dir = sorting?.direction ?? 'desc';
  const key = { lastPurchase: 'c.last_purchase_at', totalSpend: 'c.purchase_total', clv: 'v.clv', registered: 'c.id' }[sorting?.sort ?? 'lastPurchase'];
  await database.pool.query(
    `select c.*, v.clv from customers c left join customer_values v on v.workspace_id = c.workspace_id and v.customer_id = c.id
      where ${where} order by ${key} ${dir} nulls last, c.id ${dir} offset ${offset} limit 50`,
    params,
  );
  await database.pool.query(`select count(*) from customers c where ${where}`, params);
}
