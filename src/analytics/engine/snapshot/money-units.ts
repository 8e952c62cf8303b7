/**
 * Data the engine cannot hold exactly (an amount with more than 9 decimals, a sum beyond
 * 2^53 units). Callers answer such a request with the SQL implementation instead.
 */
export class EngineLimit extends Error {
  override name = 'EngineLimit';
}

/** An exact sum of 10^−scale units as a decimal string, e.g. (123456, 2) → '1234.56'. */
export function unitsToDecimal(units: number, scale: number): string {
  if (!Number.isSafeInteger(units)) throw new EngineLimit('A sum exceeds the exact range of the analytics engine.');
  if (scale === 0) return String(units);
  const negative = units < 0;
  const digits = String(Math.abs(units)).padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** A decimal string as a whole number of 10^−scale units (inverse of unitsToDecimal); decimals beyond `scale` are cut. */
export function decimalToUnits(text: string, scale: number): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`not a decimal: "${text}"`);
  const units = Number(`${match[2]}${(match[3] ?? '').padEnd(scale, '0').slice(0, scale)}`);
  return match[1] ? -units : units;
}
