import type { Schemas } from '../api/client.ts';
import type { Format } from '../format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { orNone } from './labels.ts';

type SalesTotals = Schemas['SalesTotals'];
type SalesChange = Schemas['SalesChange'];

const FACTORS = ['sales', 'customers', 'spendPerCustomer', 'frequency', 'itemsPerPurchase', 'pricePerItem'] as const;
export type Factor = (typeof FACTORS)[number];

/** One node of the tree: a factor's value now and then, its ratio and its share of the change. */
export interface FactorFigures {
  factor: Factor;
  current: number | null;
  compared: number | null;
  ratio: number | null;
  /** Share of the change in sales; 1 for sales itself; null when the change has no shares. */
  share: number | null;
}

const divide = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);

function spendPerCustomer(totals: SalesTotals): number | null {
  return divide(Number(totals.sales), totals.customers);
}

/**
 * The six nodes of sales = customers × spend per customer, spend = frequency × items per
 * purchase × price per item. Spend per customer is derived: its ratio is S/C now over S/C then,
 * and its share is the sum of its three factors' log shares (log shares add up).
 */
export function factorFigures(current: SalesTotals, compared: SalesTotals | undefined, change: SalesChange | undefined): FactorFigures[] {
  const f = change?.factors;
  const spendShare =
    f && f.frequency.share !== null && f.itemsPerPurchase.share !== null && f.pricePerItem.share !== null
      ? f.frequency.share + f.itemsPerPurchase.share + f.pricePerItem.share
      : null;
  const node = (
    factor: Factor,
    now: number | null,
    then: number | null | undefined,
    ratio: number | null | undefined,
    share: number | null | undefined,
  ): FactorFigures => ({ factor, current: now, compared: then ?? null, ratio: ratio ?? null, share: share ?? null });
  return [
    node('sales', Number(current.sales), compared && Number(compared.sales), change?.salesRatio, change && change.unshared === null ? 1 : null),
    node('customers', current.customers, compared?.customers, f?.customers.ratio, f?.customers.share),
    node(
      'spendPerCustomer',
      spendPerCustomer(current),
      compared && spendPerCustomer(compared),
      compared && divide(spendPerCustomer(current), spendPerCustomer(compared)),
      spendShare,
    ),
    node('frequency', current.frequency, compared?.frequency, f?.frequency.ratio, f?.frequency.share),
    node('itemsPerPurchase', current.itemsPerPurchase, compared?.itemsPerPurchase, f?.itemsPerPurchase.ratio, f?.itemsPerPurchase.share),
    node('pricePerItem', current.pricePerItem, compared?.pricePerItem, f?.pricePerItem.ratio, f?.pricePerItem.share),
  ];
}

/** A factor's value with its unit: money, people, times, items. */
export function factorValue(t: Messages, format: Format, factor: Factor, value: number | null): string {
  const u = t.analytics.units;
  return orNone(t, value, (v) => {
    switch (factor) {
      case 'sales':
      case 'spendPerCustomer':
      case 'pricePerItem':
        return format.money(Math.round(v));
      case 'customers':
        return u.people(format.integer(v));
      case 'frequency':
        return u.times(format.decimal(v, 2, 2));
      case 'itemsPerPurchase':
        return u.items(format.decimal(v, 2, 2));
    }
  });
}

/**
 * The decomposition drawn as a tree, left to right: 売上 → 客数 × 客単価, 客単価 → 来店回数 ×
 * 点数 × 単価. Each node shows its value, its ratio to the compared period (up green, down
 * red) and its share of the change in sales with a bar.
 */
export function DecompositionTree({ figures, comparisonLabel }: { figures: FactorFigures[]; comparisonLabel: string }) {
  const byFactor = new Map(figures.map((f) => [f.factor, f]));
  const node = (factor: Factor) => <TreeNode figures={byFactor.get(factor)!} comparisonLabel={comparisonLabel} />;
  return (
    <ul className="dtree">
      <li>
        {node('sales')}
        <ul>
          <li>{node('customers')}</li>
          <li>
            {node('spendPerCustomer')}
            <ul>
              <li>{node('frequency')}</li>
              <li>{node('itemsPerPurchase')}</li>
              <li>{node('pricePerItem')}</li>
            </ul>
          </li>
        </ul>
      </li>
    </ul>
  );
}

function TreeNode({ figures, comparisonLabel }: { figures: FactorFigures; comparisonLabel: string }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const { factor, ratio, share } = figures;
  const direction = ratio === null ? 'flat' : ratio > 1.0005 ? 'up' : ratio < 0.9995 ? 'down' : 'flat';
  const arrow = { up: '▲', down: '▼', flat: '→' }[direction];
  return (
    <div className={`dnode dnode-${factor}`} data-factor={factor}>
      <div className="dnode-label">{a.factors[factor]}</div>
      <div className="dnode-value">{factorValue(t, format, factor, figures.current)}</div>
      <div className={`dnode-ratio trend-${direction}`}>
        {a.change.ratio(comparisonLabel)} {orNone(t, ratio, (r) => format.percent(r, 1))} <span aria-hidden="true">{arrow}</span>
      </div>
      {factor !== 'sales' && (
        <div className="dnode-share">
          <span>
            {a.change.share} {orNone(t, share, (s) => format.percent(s, 0))}
          </span>
          {share !== null && (
            <span className="share-bar" aria-hidden="true">
              <span style={{ width: `${Math.min(100, Math.abs(share) * 100)}%` }} className={share < 0 ? 'negative' : undefined} />
            </span>
          )}
        </div>
      )}
      <div className="dnode-compared">
        {a.change.compared}: {factorValue(t, format, factor, figures.compared)}
      </div>
    </div>
  );
}
