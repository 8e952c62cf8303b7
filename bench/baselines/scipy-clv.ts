import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The numpy/scipy baseline of the customer value models (bench/baselines/clv_fit.py), run as
 * a child process: BG/NBD and Gamma-Gamma fitted by maximum likelihood, every customer scored.
 * Used by the analytics benchmark for the time of a fit it does not write itself, and by
 * test/bench/scipy-clv.test.ts, which checks it against the published CDNOW estimates.
 */

export const CLV_FIT_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clv_fit.py');

export interface ScipyClvResult {
  bgnbd: { r: number; alpha: number; a: number; b: number; ll: number; iterations: number; converged: boolean };
  gammagamma: { p: number; q: number; gamma: number; ll: number; iterations: number; converged: boolean; customers: number };
  scores: {
    /** Time units of the expected purchases (the TSV's unit). */
    horizon: number;
    p_alive_mean: number | null;
    expected_purchases_sum: number;
    expected_spend_mean: number | null;
    /** Σ expected purchases × expected spend, undiscounted. */
    expected_revenue_sum: number;
  };
  /** Wall-clock seconds inside Python; `total` is the fits and the scores, reading the TSV excluded. */
  seconds: { read: number; fit_bgnbd: number; fit_gg: number; score: number; total: number };
  customers: number;
  /** Whether the fits ran over distinct rows with counts (the default) rather than row by row. */
  grouped: boolean;
}

export interface ScipyClvOptions {
  /** Time units ahead for the expected purchases (default 52, in the TSV's unit). */
  horizon?: number;
  /** Fit over distinct rows with their counts (default true). */
  group?: boolean;
  /** Write every customer's p_alive, expected_purchases, expected_spend to this TSV, in input order. */
  scoresOut?: string;
  /** The Python interpreter (default python3). */
  python?: string;
}

/**
 * Fits and scores the customers of `tsvPath` (a header line, then x, tx, T, monetary per
 * customer, tab-separated; see writeClvSummaryTsv) with numpy/scipy and returns the script's
 * JSON. Rejects with the script's stderr when it fails (python3, numpy or scipy missing, a
 * malformed file).
 *
 * @example
 * const baseline = await runScipyClv('/tmp/summary.tsv', { horizon: 39 });
 * baseline.bgnbd.r; // 0.2426 on the CDNOW sample in weeks
 */
export async function runScipyClv(tsvPath: string, options: ScipyClvOptions = {}): Promise<ScipyClvResult> {
  const args = [CLV_FIT_SCRIPT, tsvPath];
  if (options.horizon !== undefined) args.push('--horizon', String(options.horizon));
  if (options.group === false) args.push('--no-group');
  if (options.scoresOut !== undefined) args.push('--scores-out', options.scoresOut);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(options.python ?? 'python3', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, out, stderr) => {
      if (error) reject(new Error(`the numpy/scipy baseline failed (${CLV_FIT_SCRIPT}): ${stderr.trim() || error.message}`));
      else resolve(out);
    });
  });
  const last = stdout.trim().split('\n').at(-1);
  if (!last) throw new Error(`the numpy/scipy baseline printed nothing (${CLV_FIT_SCRIPT})`);
  return JSON.parse(last) as ScipyClvResult;
}

/** Whether `python` can import numpy and scipy: the baseline's only requirements. */
export function scipyAvailable(python = 'python3'): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ['-c', 'import numpy, scipy'], (error) => resolve(!error));
  });
}

/** Writes the models' inputs, one row per customer, as the script reads them. */
export async function writeClvSummaryTsv(
  file: string,
  summary: {
    x: ArrayLike<number>;
    tx: ArrayLike<number>;
    T: ArrayLike<number>;
    monetary: ArrayLike<number>;
  },
): Promise<void> {
  const lines = ['x\ttx\tT\tmonetary'];
  for (let i = 0; i < summary.x.length; i++) lines.push(`${summary.x[i]}\t${summary.tx[i]}\t${summary.T[i]}\t${summary.monetary[i]}`);
  await writeFile(file, `${lines.join('\n')}\n`);
}
