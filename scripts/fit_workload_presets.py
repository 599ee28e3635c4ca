#!/usr/bin/env python3
"""Fits llmcap's workload presets (chat, code, summarization) to the public traces.

The traces may not ship with llmcap, so only fitted parameters go into PresetLengths.java. Each
marginal (prompt tokens P, output tokens D) becomes a piecewise-linear inverse CDF in log space
over fixed quantile knots; a Gaussian copula with the traces' rank correlation joins them. The
script also fits a bivariate log-normal to show why the knots are used instead, and measures the
arrival process (mean rate and coefficient of variation of the gaps) where the trace has one.

Standard library only. Usage: python3 scripts/fit_workload_presets.py [TRACES_DIR]
"""

import bisect
import csv
import math
import random
import statistics
import sys

TRACES = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/traces"
PRESETS = [
    ("chat", "splitwise_conv.csv"),
    ("code", "splitwise_code.csv"),
    ("summarization", "arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv"),
]
# Every 2.5 %, plus finer steps in both tails, where a coarse grid would misplace p1 and p99.
KNOTS = ([0.0, 0.001, 0.005, 0.01] + [round(0.025 * i, 3) for i in range(1, 40)]
         + [0.99, 0.995, 0.999, 1.0])
SAMPLES = 200_000
NORMAL = statistics.NormalDist()


def quantile(sorted_values, p):
    """Linear interpolation between order statistics (numpy's default)."""
    h = (len(sorted_values) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def ranks(values):
    """Average ranks, so ties in token counts do not bias the rank correlation."""
    order = sorted(range(len(values)), key=values.__getitem__)
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2.0
        i = j + 1
    return r


def pearson(x, y):
    mx, my = statistics.fmean(x), statistics.fmean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def inverse_cdf(log_knots, u):
    """The Java sampler's inversion: linear in ln(tokens) between knots, rounded, at least 1."""
    i = min(bisect.bisect_right(KNOTS, u) - 1, len(KNOTS) - 2)
    t = (u - KNOTS[i]) / (KNOTS[i + 1] - KNOTS[i])
    return max(1, round(math.exp(log_knots[i] + t * (log_knots[i + 1] - log_knots[i]))))


def ks(a, b):
    """Two-sample Kolmogorov-Smirnov distance of integer samples."""
    a, b = sorted(a), sorted(b)
    d = 0.0
    for x in set(a) | set(b):
        fa = bisect.bisect_right(a, x) / len(a)
        fb = bisect.bisect_right(b, x) / len(b)
        d = max(d, abs(fa - fb))
    return d


def sample_copula(rng, p_knots, d_knots, r):
    out_p, out_d = [], []
    s = math.sqrt(1 - r * r)
    for _ in range(SAMPLES):
        z1 = rng.gauss(0, 1)
        z2 = r * z1 + s * rng.gauss(0, 1)
        out_p.append(inverse_cdf(p_knots, NORMAL.cdf(z1)))
        out_d.append(inverse_cdf(d_knots, NORMAL.cdf(z2)))
    return out_p, out_d


def sample_lognormal(rng, mu_p, sd_p, mu_d, sd_d, r):
    out_p, out_d = [], []
    s = math.sqrt(1 - r * r)
    for _ in range(SAMPLES):
        z1 = rng.gauss(0, 1)
        z2 = r * z1 + s * rng.gauss(0, 1)
        out_p.append(max(1, round(math.exp(mu_p + sd_p * z1))))
        out_d.append(max(1, round(math.exp(mu_d + sd_d * z2))))
    return out_p, out_d


def pcts(values):
    s = sorted(values)
    return [quantile(s, p) for p in (0.5, 0.9, 0.99)]


def fit(name, file):
    with open(f"{TRACES}/{file}", newline="") as f:
        rows = list(csv.DictReader(f))
    p = [int(float(r["num_prefill_tokens"])) for r in rows]
    d = [int(float(r["num_decode_tokens"])) for r in rows]
    n = len(rows)
    print(f"== {name}: {file}, {n} rows")

    p_knots = [math.log(quantile(sorted(p), k)) for k in KNOTS]
    d_knots = [math.log(quantile(sorted(d), k)) for k in KNOTS]
    spearman = pearson(ranks(p), ranks(d))
    # Gaussian-copula correlation that yields this Spearman rank correlation.
    r = 2 * math.sin(math.pi * spearman / 6)
    print(f"spearman rho = {spearman:.4f}, copula r = {r:.4f}")

    lp, ld = [math.log(x) for x in p], [math.log(x) for x in d]
    mu_p, sd_p = statistics.fmean(lp), statistics.pstdev(lp)
    mu_d, sd_d = statistics.fmean(ld), statistics.pstdev(ld)
    r_ln = pearson(lp, ld)
    print(f"log-normal: mu_p={mu_p:.4f} sd_p={sd_p:.4f} mu_d={mu_d:.4f} sd_d={sd_d:.4f} r={r_ln:.4f}")

    rng = random.Random(42)
    fp, fd = sample_copula(rng, p_knots, d_knots, r)
    lnp, lnd = sample_lognormal(rng, mu_p, sd_p, mu_d, sd_d, r_ln)
    print("            P p50/p90/p99            D p50/p90/p99          KS(P)  KS(D)")
    for label, xp, xd in (("trace", p, d), ("knots", fp, fd), ("lognormal", lnp, lnd)):
        qp, qd = pcts(xp), pcts(xd)
        k = "" if label == "trace" else f"  {ks(p, xp):.4f} {ks(d, xd):.4f}"
        print(f"{label:10s} {qp[0]:7.0f} {qp[1]:7.0f} {qp[2]:7.0f}   "
              f"{qd[0]:7.0f} {qd[1]:7.0f} {qd[2]:7.0f}{k}")
    print(f"fitted spearman rho = {pearson(ranks(fp[:50000]), ranks(fd[:50000])):.4f}")

    if "arrived_at" in rows[0]:
        t = sorted(float(row["arrived_at"]) for row in rows)
        gaps = [b - a for a, b in zip(t, t[1:])]
        mean = statistics.fmean(gaps)
        print(f"arrivals: span {t[-1] - t[0]:.1f} s, rate {1 / mean:.4f} req/s, "
              f"gap cv {statistics.pstdev(gaps) / mean:.4f}")
    else:
        print("arrivals: none in this trace (use cv 1)")

    fmt = lambda ks_: ", ".join(f"{math.exp(v):.1f}" for v in ks_)
    print(f"java P knots: {{{fmt(p_knots)}}}")
    print(f"java D knots: {{{fmt(d_knots)}}}")
    print()


if __name__ == "__main__":
    print(f"knot probabilities: {KNOTS}\n")
    for preset in PRESETS:
        fit(*preset)
