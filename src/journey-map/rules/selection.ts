import type { EffectPoint, PropertyTest } from '../model.ts';
import type { CatalogueProduct, EventNeed, ProductNeed } from './facts.ts';

/**
 * How rules name things that facts are kept under: a product selection resolved to product
 * ids, an event count by (type, where, withinDays), an effect point resolved to days. The JS
 * compiler, the SQL compiler and the map checker resolve the same way through these.
 */

/** The products a selection names: every product whose SKU is listed or whose category is listed, ids in ascending order. */
export function resolveSelection(
  selection: { products?: readonly string[]; categories?: readonly string[] },
  catalogue: readonly CatalogueProduct[],
): string[] {
  const skus = new Set(selection.products ?? []);
  const categories = new Set(selection.categories ?? []);
  const ids = catalogue
    .filter((product) => skus.has(product.sku) || (product.category !== null && categories.has(product.category)))
    .map((product) => product.id);
  return [...new Set(ids)].sort(compareIds);
}

/** Ids are bigint text: shorter is smaller, then lexical. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** A product need with a key that is the same for every selection naming the same products. */
export function productNeed(selection: { products?: readonly string[]; categories?: readonly string[] }, catalogue: readonly CatalogueProduct[]): ProductNeed {
  const productIds = resolveSelection(selection, catalogue);
  return { key: `p:${productIds.join(',')}`, productIds };
}

/** An event need with a key that is the same for the same type, tests (in any order) and window. */
export function eventNeed(condition: { type: string; where?: readonly PropertyTest[]; withinDays: number }): EventNeed {
  const where = [...(condition.where ?? [])]
    .map((test) => ({ test, text: canonicalJson(test) }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const key = `e:${canonicalJson({ type: condition.type, where: where.map((w) => w.test), withinDays: condition.withinDays })}`;
  return { key, type: condition.type, where: where.map((w) => w.test), withinDays: condition.withinDays };
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The days an effect point stands for: the one selected product's effect_first_feeling_days or
 * effect_clear_days, plus offsetDays. Null when the selection is not exactly one product or the
 * product lacks that timeline field: the checker refuses such a rule at save, and if the
 * catalogue changes afterwards, the comparison holds for nobody (like a fact with no value).
 */
export function effectPointDays(point: EffectPoint, productIds: readonly string[], catalogue: readonly CatalogueProduct[]): number | null {
  if (productIds.length !== 1) return null;
  const product = catalogue.find((p) => p.id === productIds[0]);
  if (!product) return null;
  const days = point.effect === 'first_feeling' ? product.effectFirstFeelingDays : product.effectClearDays;
  return days === null ? null : days + (point.offsetDays ?? 0);
}
