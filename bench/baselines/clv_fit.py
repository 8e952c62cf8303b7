#!/usr/bin/env python3
"""numpy/scipy baseline of the customer value models: BG/NBD and Gamma-Gamma.

    python3 bench/baselines/clv_fit.py SUMMARY.tsv [--horizon 52] [--no-group] [--scores-out SCORES.tsv]

SUMMARY.tsv: a header line, then one row per customer: x (repeat purchases), tx (time of the
last repeat purchase since the first), T (time from the first purchase to the end of
calibration), monetary (mean spend per repeat purchase; 0 when x = 0), tab-separated, all in
one time unit (the unit of --horizon and of alpha).

Fits, by maximum likelihood:
- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"), parameters r,
  alpha, a, b, optimised in log space with scipy.optimize.minimize (L-BFGS-B, analytic gradient);
- Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"), parameters p, q, gamma, on the
  customers with x > 0;
then scores every customer: P(alive), the expected purchases over the horizon (FHL 2005,
eq. 10) and the expected spend per purchase (the Gamma-Gamma conditional mean).

Customers with the same (x, tx, T), or (x, monetary) for Gamma-Gamma, share one likelihood
term: the fits run over the distinct rows, weighted by their counts (np.unique), as any
careful implementation on a large base would; --no-group fits row by row.

Prints one JSON line: {"bgnbd": {r, alpha, a, b, ll, iterations, converged}, "gammagamma":
{p, q, gamma, ll, iterations, converged, customers}, "scores": {sums and means}, "seconds":
{read, fit_bgnbd, fit_gg, score, total}, "customers": n}. Only numpy and scipy are needed.
"""

import argparse
import json
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1, psi


def read_summary(path):
    """The four columns of the TSV as float64 arrays (the header line is skipped)."""
    data = np.loadtxt(path, delimiter='\t', skiprows=1, dtype=np.float64, ndmin=2)
    if data.shape[1] != 4:
        raise SystemExit(f'{path}: expected 4 columns x, tx, T, monetary; got {data.shape[1]}')
    return data[:, 0], data[:, 1], data[:, 2], data[:, 3]


def distinct_rows(columns, group):
    """The distinct rows of the columns and how many customers share each (all ones without grouping)."""
    stacked = np.column_stack(columns)
    if not group:
        return stacked, np.ones(len(stacked))
    rows, counts = np.unique(stacked, axis=0, return_counts=True)
    return rows, counts.astype(np.float64)


# ─── BG/NBD ──────────────────────────────────────────────────────────────────────────────

def bgnbd_terms(params, x, tx, T):
    """Per row: the log-likelihood (FHL 2005, eq. 6 in logs) and its gradient in (r, alpha, a, b)."""
    r, alpha, a, b = params
    repeat = x > 0
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    # a4 only exists for customers with repeat purchases (b + x - 1 > 0 there).
    bx1 = np.where(repeat, b + x - 1, 1.0)
    a4 = np.where(repeat, np.log(a) - np.log(bx1) - (r + x) * np.log(alpha + tx), -np.inf)
    top = np.logaddexp(a3, a4)
    ll = a1 + a2 + top
    w3 = np.exp(a3 - top)
    w4 = np.where(repeat, np.exp(a4 - top), 0.0)
    d_r = psi(r + x) - psi(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + tx)
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + tx)
    d_a = psi(a + b) - psi(a + b + x) + w4 / a
    d_b = psi(a + b) + psi(b + x) - psi(b) - psi(a + b + x) - w4 / bx1
    return ll, np.stack([d_r, d_alpha, d_a, d_b])


def fit_bgnbd(x, tx, T, weights):
    """Maximum likelihood in log space, from r = alpha = a = b = 1 (lifetimes' start)."""
    def negative(log_params):
        params = np.exp(log_params)
        ll, grad = bgnbd_terms(params, x, tx, T)
        # d/d log θ = θ d/dθ
        return -np.dot(weights, ll), -(grad @ weights) * params

    result = minimize(negative, np.zeros(4), jac=True, method='L-BFGS-B', options={'maxiter': 1000, 'gtol': 1e-8, 'ftol': 1e-15})
    r, alpha, a, b = np.exp(result.x)
    return {'r': r, 'alpha': alpha, 'a': a, 'b': b, 'll': -result.fun, 'iterations': int(result.nit), 'converged': bool(result.success)}


def probability_alive(fit, x, tx, T):
    """P(alive | x, tx, T): 1 without repeat purchases."""
    r, alpha, a, b = fit['r'], fit['alpha'], fit['a'], fit['b']
    repeat = x > 0
    ratio = np.where(repeat, a / np.where(repeat, b + x - 1, 1.0) * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
    return 1.0 / (1.0 + ratio)


def conditional_expected_purchases(fit, t, x, tx, T):
    """E[Y(t) | x, tx, T]: expected purchases in the next t time units (FHL 2005, eq. 10)."""
    r, alpha, a, b = fit['r'], fit['alpha'], fit['a'], fit['b']
    repeat = x > 0
    z = t / (alpha + T + t)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    numerator = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    ratio = np.where(repeat, a / np.where(repeat, b + x - 1, 1.0) * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
    return numerator / (1 + ratio)


# ─── Gamma-Gamma ─────────────────────────────────────────────────────────────────────────

def gg_terms(params, x, m):
    """Per row: the Gamma-Gamma log-likelihood of the mean spend m over x purchases, and its gradient in (p, q, gamma)."""
    p, q, g = params
    px = p * x
    log_gxm = np.log(g + m * x)
    ll = gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g) + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * log_gxm
    d_p = x * (psi(px + q) - psi(px) + np.log(m) + np.log(x) - log_gxm)
    d_q = psi(px + q) - psi(q) + np.log(g) - log_gxm
    d_g = q / g - (px + q) / (g + m * x)
    return ll, np.stack([d_p, d_q, d_g])


def fit_gamma_gamma(x, m, weights):
    """Maximum likelihood in log space on customers with x > 0 and a positive mean spend, from p = q = gamma = 1."""
    def negative(log_params):
        params = np.exp(log_params)
        ll, grad = gg_terms(params, x, m)
        return -np.dot(weights, ll), -(grad @ weights) * params

    result = minimize(negative, np.zeros(3), jac=True, method='L-BFGS-B', options={'maxiter': 1000, 'gtol': 1e-8, 'ftol': 1e-15})
    p, q, g = np.exp(result.x)
    return {'p': p, 'q': q, 'gamma': g, 'll': -result.fun, 'iterations': int(result.nit), 'converged': bool(result.success)}


def conditional_expected_spend(fit, x, m):
    """E[M | x, m]: a weighted mean of the population mean p·gamma/(q − 1) and the customer's own m."""
    p, q, g = fit['p'], fit['q'], fit['gamma']
    return (p * (g + m * x)) / (p * x + q - 1)


# ─── Main ────────────────────────────────────────────────────────────────────────────────

def main(argv):
    parser = argparse.ArgumentParser(description='BG/NBD + Gamma-Gamma with numpy/scipy (a baseline of Kizuna\'s fits)')
    parser.add_argument('summary', help='TSV with a header line and the columns x, tx, T, monetary')
    parser.add_argument('--horizon', type=float, default=52.0, help='time units ahead for the expected purchases (default 52)')
    parser.add_argument('--no-group', action='store_true', help='fit row by row instead of over distinct rows with counts')
    parser.add_argument('--scores-out', help='write every customer\'s p_alive, expected_purchases, expected_spend here (TSV, input order)')
    args = parser.parse_args(argv)

    started = time.perf_counter()
    x, tx, T, monetary = read_summary(args.summary)
    read_done = time.perf_counter()

    rows, counts = distinct_rows([x, tx, T], not args.no_group)
    bgnbd = fit_bgnbd(rows[:, 0], rows[:, 1], rows[:, 2], counts)
    bgnbd_done = time.perf_counter()

    spenders = (x > 0) & (monetary > 0)
    gg_rows, gg_counts = distinct_rows([x[spenders], monetary[spenders]], not args.no_group)
    gg = fit_gamma_gamma(gg_rows[:, 0], gg_rows[:, 1], gg_counts)
    gg['customers'] = int(spenders.sum())
    gg_done = time.perf_counter()

    alive = probability_alive(bgnbd, x, tx, T)
    expected = conditional_expected_purchases(bgnbd, args.horizon, x, tx, T)
    spend = conditional_expected_spend(gg, x, monetary)
    score_done = time.perf_counter()

    if args.scores_out:
        np.savetxt(args.scores_out, np.column_stack([alive, expected, spend]), delimiter='\t',
                   header='p_alive\texpected_purchases\texpected_spend', comments='', fmt='%.12g')

    result = {
        'bgnbd': bgnbd,
        'gammagamma': gg,
        'scores': {
            'horizon': args.horizon,
            'p_alive_mean': float(alive.mean()) if len(alive) else None,
            'expected_purchases_sum': float(expected.sum()),
            'expected_spend_mean': float(spend.mean()) if len(spend) else None,
            # Expected spend over the horizon, undiscounted: Σ E[Y(t)] × E[M].
            'expected_revenue_sum': float((expected * spend).sum()),
        },
        'seconds': {
            'read': read_done - started,
            'fit_bgnbd': bgnbd_done - read_done,
            'fit_gg': gg_done - bgnbd_done,
            'score': score_done - gg_done,
            # The fits and the scores: what Kizuna's own run is compared with (reading the TSV excluded).
            'total': score_done - read_done,
        },
        'customers': int(len(x)),
        'grouped': not args.no_group,
    }
    print(json.dumps(result, default=float))


if __name__ == '__main__':
    main(sys.argv[1:])
