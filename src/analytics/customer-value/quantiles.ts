import type { Distribution } from './terms.ts';

export function distribution(values: Float64Array, histogramMax?: number): Distribution {
  const n = values.length;
  // Quantiles by selection (the value of rank ⌊q·n⌋), not a sort: each select partitions the
  // part above the previous rank, O(n) in all.
  const ranked = Float64Array.from(values);
  const quantiles = [0.1, 0.25, 0.5, 0.75, 0.9, 0.99].map((q) => Math.min(n - 1, Math.floor(q * n)));
  const at: number[] = [];
  let from = 0;
  for (const rank of quantiles) {
    if (n === 0) {
      at.push(0);
      continue;
    }
    select(ranked, from, n - 1, rank);
    at.push(ranked[rank]!);
    from = rank;
  }
  const [p10, p25, median, p75, p90, p99] = at as [number, number, number, number, number, number];
  const max = histogramMax ?? p99;
  const bins = 20;
  const width = max > 0 ? max / bins : 1;
  const counts = new Float64Array(bins);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    counts[Math.min(bins - 1, Math.floor(v / width))]! += 1;
    sum += v;
  }
  return { mean: sum / Math.max(1, n), p10, p25, median, p75, p90, p99, histogram: { width, counts: Array.from(counts) } };
}

/** Rearranges a[lo..hi] so that a[k] holds the value of rank k, smaller ones before it, larger after (Hoare's selection). */
function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const pivot = median3(a[lo]!, a[(lo + hi) >> 1]!, a[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function median3(a: number, b: number, c: number): number {
  // biome-ignore lint/complexity/useMathMinMax: the median of three in at most three comparisons, on the hot path of selection
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}
