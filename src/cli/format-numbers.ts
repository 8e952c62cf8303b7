/**
 * Numbers as the CLI's readable output writes them: thousands separators, shares as
 * percentages, money rounded to the currency's minor unit. A missing value (a quotient with
 * no denominator, a month still in the future) is NO_VALUE. Only ASCII around the digits, so
 * a terminal that draws ambiguous-width characters (×, —) double-width keeps tables aligned.
 */
export const NO_VALUE = '-';

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A whole number: 1234567 → '1,234,567'. */
export function formatCount(value: number | null): string {
  return value === null ? NO_VALUE : COUNT.format(value);
}

/** An exact decimal string, digits kept as they are: '76860300.50' → '76,860,300.50' (never through a float). */
export function formatDecimal(decimal: string | null): string {
  if (decimal === null) return NO_VALUE;
  const [whole = '0', fraction] = decimal.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** A number with `digits` decimals and thousands separators: formatNumber(1.33333) → '1.33'. */
export function formatNumber(value: number | null, digits = 2): string {
  if (value === null || !Number.isFinite(value)) return NO_VALUE;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A share as a percentage: 0.65111 → '65.1%', -0.2 → '-20.0%'. */
export function formatPercent(share: number | null, digits = 1): string {
  if (share === null || !Number.isFinite(share)) return NO_VALUE;
  return `${formatNumber(share * 100, digits)}%`;
}

/**
 * A formatter of amounts computed as floats (a price per item, a predicted value), rounded to
 * the currency's minor unit: 0 decimals for JPY, 2 for USD.
 */
export function moneyFormatter(currency: string): (value: number | null) => string {
  const digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return (value) => formatNumber(value, digits);
}

/** A signed difference of exact decimals: '2500' → '+2,500', '-500' → '-500'. */
export function formatSignedDecimal(decimal: string): string {
  return decimal.startsWith('-') || /^0(\.0*)?$/.test(decimal) ? formatDecimal(decimal) : `+${formatDecimal(decimal)}`;
}
