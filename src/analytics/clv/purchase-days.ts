import { dayNumber } from '../periods.ts';

/** The time unit of the models' inputs and outputs; α and every horizon are in this unit. */
export type TimeUnit = 'day' | 'week';

const DAYS_PER_UNIT: Record<TimeUnit, number> = { day: 1, week: 7 };

/**
 * Purchases as columns, one row per purchase (or per purchase day), sorted by customer and
 * then by day, the order `order by customer, day` gives.
 */
export interface CustomerPurchaseDays {
  /** The customer's index (a whole number ≥ 0) of each row. */
  customer: ArrayLike<number>;
  /** Day number of each row: days since 1970-01-01 in the workspace's time zone (see `dayNumber`). */
  day: ArrayLike<number>;
  /** Amount of each row. */
  amount: ArrayLike<number>;
}

/** The models' inputs, one entry per customer whose first purchase is on or before the end of calibration. */
export interface PurchaseSummary {
  /** The customer index, as given in the input. */
  customer: Int32Array;
  /** Day number of the first purchase. */
  firstPurchaseDay: Int32Array;
  /** Repeat purchases: distinct purchase days after the first, up to the end of calibration. */
  x: Float64Array;
  /** Time from the first purchase day to the last repeat purchase day (0 when x = 0). */
  tx: Float64Array;
  /** Time from the first purchase day to the last day of calibration. */
  T: Float64Array;
  /** Mean amount per repeat purchase day, the first day excluded (0 when x = 0). */
  monetary: Float64Array;
}

/**
 * Turns purchases into (x, t_x, T, m̄) as of the end of calibration, in the papers' setup:
 * purchases on the same day merge into one purchase (amounts summed), x counts purchase days
 * after the first, and the first purchase is excluded from m̄ (FHL 2005, "RFM and CLV"), since
 * first orders tend to differ from repeat ones. Purchases after `calibrationEnd` are ignored.
 *
 * Time is measured from the first purchase day to the purchase day, or to `calibrationEnd`
 * itself (the last calibration day, included), divided by 7 for weeks. This is the convention of
 * the BTYD and lifetimes packages, whose CDNOW summaries give a customer who first bought on
 * 1997-01-01 an age T = 272 / 7 = 38.86 weeks at the end of 1997-09-30.
 *
 * @example
 *   summarisePurchaseDays({
 *     customerDays: { customer: [0, 0, 0], day: [dayNumber('2024-01-01'), dayNumber('2024-01-08'), dayNumber('2024-01-08')], amount: [10, 5, 7] },
 *     calibrationEnd: '2024-01-15',
 *     unit: 'week',
 *   }); // x = [1], tx = [1], T = [2], monetary = [12]
 */
export function summarisePurchaseDays({ customerDays, calibrationEnd, unit }: {
  customerDays: CustomerPurchaseDays;
  /** Last day of calibration, 'YYYY-MM-DD', included. */
  calibrationEnd: string;
  unit: TimeUnit;
}): PurchaseSummary {
  const { customer, day, amount } = customerDays;
  const n = customer.length;
  if (day.length !== n || amount.length !== n) throw new RangeError(`customer, day and amount must have the same length (got ${n}, ${day.length}, ${amount.length})`);
  const endDay = dayNumber(calibrationEnd);
  const perUnit = DAYS_PER_UNIT[unit];
  const rows = { customer: [] as number[], firstPurchaseDay: [] as number[], x: [] as number[], tx: [] as number[], T: [] as number[], monetary: [] as number[] };
  let i = 0;
  while (i < n) {
    const id = customer[i]!;
    const firstDay = day[i]!;
    let repeatDays = 0;
    let lastDay = firstDay;
    let repeatAmount = 0;
    for (; i < n && customer[i] === id; i++) {
      checkOrder(customer, day, i);
      if (day[i]! > endDay) continue;
      if (day[i]! !== firstDay) {
        if (day[i]! !== lastDay) repeatDays++;
        lastDay = day[i]!;
        repeatAmount += amount[i]!;
      }
    }
    if (firstDay > endDay) continue;
    rows.customer.push(id);
    rows.firstPurchaseDay.push(firstDay);
    rows.x.push(repeatDays);
    rows.tx.push((lastDay - firstDay) / perUnit);
    rows.T.push((endDay - firstDay) / perUnit);
    rows.monetary.push(repeatDays > 0 ? repeatAmount / repeatDays : 0);
  }
  return {
    customer: Int32Array.from(rows.customer),
    firstPurchaseDay: Int32Array.from(rows.firstPurchaseDay),
    x: Float64Array.from(rows.x),
    tx: Float64Array.from(rows.tx),
    T: Float64Array.from(rows.T),
    monetary: Float64Array.from(rows.monetary),
  };
}

function checkOrder(customer: ArrayLike<number>, day: ArrayLike<number>, i: number): void {
  if (!Number.isInteger(customer[i]) || customer[i]! < 0 || !Number.isInteger(day[i])) {
    throw new RangeError(`purchase row ${i}: customer must be a whole number ≥ 0 and day a whole day number (got ${customer[i]}, ${day[i]})`);
  }
  if (i > 0 && (customer[i]! < customer[i - 1]! || (customer[i] === customer[i - 1] && day[i]! < day[i - 1]!))) {
    throw new RangeError(`purchase row ${i} is out of order: sort purchases by customer, then by day`);
  }
}
