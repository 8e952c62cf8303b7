import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dayNumber } from '../periods.ts';
import type { CustomerPurchaseDays } from './purchase-days.ts';

/**
 * The CDNOW sample of Fader, Hardie & Lee (2005): 2,357 customers of the 1997 Q1 cohort,
 * shipped in test/fixtures/data/cdnow/ (see the README there for its source). Rows are
 * `master_id sample_id date(YYYYMMDD) cds dollars`, CRLF; the file is sorted by customer and
 * date, as summarisePurchaseDays needs. Customer index = sample_id − 1.
 */
export const CDNOW_SAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/data/cdnow/CDNOW_sample.txt');

export function readCdnowSample(file = CDNOW_SAMPLE): CustomerPurchaseDays {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const customerDays = { customer: new Int32Array(rows.length), day: new Int32Array(rows.length), amount: new Float64Array(rows.length) };
  rows.forEach((row, i) => {
    const [, sampleId, date, , dollars] = row.trim().split(/\s+/);
    if (!sampleId || !date || !dollars) throw new Error(`${file}:${i + 1}: expected "master_id sample_id date cds dollars", got "${row.trim()}"`);
    customerDays.customer[i] = Number(sampleId) - 1;
    customerDays.day[i] = dayNumber(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`);
    customerDays.amount[i] = Number(dollars);
  });
  return customerDays;
}
