import { z } from 'zod';

/**
 * The analyses' result shapes, shared by the domain (its result types are inferred from them)
 * and the routes that serialise them (and the OpenAPI document). Money sums are exact decimal strings, as every
 * amount in Kizuna's API; counts are integers; quotients (rates, shares, ratios, model
 * outputs) are numbers, and null where undefined (a division by zero), never NaN.
 */

export const Decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .describe("Exact decimal (an amount of money in the workspace's currency)");

export const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .meta({ format: 'date', description: "Local calendar date in the workspace's time zone" });

export const Count = z.number().int().min(0);

/** A quotient that may be undefined. */
export const Quotient = z.number().nullable();

export const AnalyticsPeriod = z
  .object({
    from: Day.describe('First local date, included'),
    to: Day.describe('First local date after the period, excluded'),
  })
  .meta({ id: 'AnalyticsPeriod', description: "A half-open range of local dates [from, to) in the workspace's time zone" });

/**
 * A model estimate that may not exist: a standard error is null when the information matrix is
 * singular (the fits give null, not NaN, which JSON cannot hold).
 */
export const Estimate = z.number().nullable();

/** One page of a keyset-paged list. */
export function pageOf<Item extends z.ZodType>(item: Item) {
  return {
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  };
}
