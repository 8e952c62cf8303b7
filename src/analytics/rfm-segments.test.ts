import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { RFM_SEGMENTS, segmentOf, segmentSql } from './rfm-segments.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

describe('RFM segments', () => {
  it('puts every combination of scores, purchases and churn status in exactly the segment its rule names: 離反 is the churn status alone', () => {
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++)
        for (let m = 1; m <= 5; m++)
          for (const purchases of [1, 2, 7])
            for (const churned of [false, true]) {
              const expected = churned ? 'churned' : r <= 2 ? 'at_risk' : purchases === 1 ? 'new' : r >= 4 && f >= 4 ? 'loyal' : 'stable';
              expect(segmentOf({ recencyScore: r, frequencyScore: f, monetaryScore: m, purchases, churned }).code).toBe(expected);
            }
    expect(RFM_SEGMENTS.map((s) => `${s.ja} ${s.en}`)).toEqual(['離反 Churned', '離反予備 At risk', '新規 New', '優良 Loyal', '安定 Stable']);
  });

  it('gives in SQL the segment segmentOf gives', async () => {
    const { rows } = await database.pool.query<{ r: number; f: number; m: number; purchases: number; churned: boolean; segment: string }>(
      `select r, f, m, purchases, churned,
              ${segmentSql({ recencyScore: 'r', frequencyScore: 'f', monetaryScore: 'm', purchases: 'purchases', churned: 'churned' })} as segment
         from generate_series(1, 5) r, generate_series(1, 5) f, generate_series(1, 5) m, unnest(array[1, 2, 7]) purchases,
              unnest(array[false, true]) churned`,
    );
    expect(rows).toHaveLength(750);
    for (const row of rows) {
      expect(row.segment).toBe(
        segmentOf({ recencyScore: row.r, frequencyScore: row.f, monetaryScore: row.m, purchases: row.purchases, churned: row.churned }).code,
      );
    }
  });
});
