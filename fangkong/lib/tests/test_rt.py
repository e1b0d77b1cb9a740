"""R_t (Cori et al. 2013) against EpiEstim's own saved output, and the gamma functions under it.

The reference numbers are copied verbatim from EpiEstim's test snapshot
mrc-ide/EpiEstim tests/testthat/_snaps/estimate_R.md ("Example 3 matches saved output",
identical at commits 2ca76bb6 and a2c3a7ce), which prints the result of

    estimate_R(Flu2009$incidence, method = "parametric_si",
               config = list(t_start = 2:26, t_end = 8:32, mean_si = 2.6, std_si = 1.5))

i.e. the default weekly windows for this 32-day series.  They were not produced by this code.
A printed value is trusted to half a unit of its last printed digit.
"""

import math
import statistics
from decimal import Decimal

import pytest

from fangkong.lib.rt import (
    QUANTILE_LEVELS,
    discretised_serial_interval,
    estimate_r,
    gamma_cdf,
    gamma_quantile,
)

# Flu2009$incidence$I, as printed in the same snapshot ($I).
FLU2009 = [1, 1, 0, 2, 5, 3, 3, 3, 6, 2, 5, 9, 13, 12, 13, 11, 12, 6, 6, 6, 3, 1, 0, 2, 0]
FLU2009 += [0, 0, 0, 2, 0, 2, 0]

# The snapshot's $R table, its three printed blocks as they are (date columns left out).
EPIESTIM_R_BLOCK_1 = """
t_start t_end Mean(R) Std(R) Quantile.0.025(R)
1   2  8 1.7357977 0.40913143 1.02874370
2   3  9 1.7491678 0.36472669 1.10882231
3   4 10 1.5370581 0.30741163 0.99470299
4   5 11 1.4318389 0.27059213 0.95144658
5   6 12 1.4227247 0.25150457 0.97314263
6   7 13 1.6353733 0.25234358 1.17863324
7   8 14 1.6639845 0.23300443 1.23894574
8   9 15 1.6161467 0.20692639 1.23622420
9  10 16 1.4344239 0.17656537 1.10938331
10 11 17 1.4087217 0.16159146 1.10991245
11 12 18 1.2479472 0.14221678 0.98486038
12 13 19 1.0821477 0.12579711 0.84971868
13 14 20 0.9371671 0.11449319 0.72629165
14 15 21 0.8196564 0.10762616 0.62239946
15 16 22 0.6910352 0.10188759 0.50592464
16 17 23 0.5896765 0.09967353 0.41073132
17 18 24 0.4992206 0.09984413 0.32306927
18 19 25 0.4729631 0.10850519 0.28475471
19 20 26 0.4176319 0.11583024 0.22237137
20 21 27 0.2978682 0.11258359 0.11975846
21 22 28 0.2400880 0.12004401 0.06541591
22 23 29 0.4573477 0.20453212 0.14849956
23 24 30 0.6734382 0.30117074 0.21866356
24 25 31 0.8591897 0.38424130 0.27897655
25 26 32 0.9975352 0.44611130 0.32389696
"""
EPIESTIM_R_BLOCK_2 = """
Quantile.0.05(R) Quantile.0.25(R) Median(R) Quantile.0.75(R)
1  1.12193325 1.4451981 1.7037612 1.9915200
2  1.19547993 1.4913446 1.7238839 1.9794569
3  1.06869352 1.3200896 1.5166133 1.7317605
4  1.01766106 1.2412511 1.4148298 1.6039005
5  1.03580815 1.2459958 1.4079324 1.5833401
6  1.24358968 1.4588473 1.6224126 1.7977785
7  1.30015068 1.5014679 1.6531215 1.8146646
8  1.29149686 1.4721862 1.6073240 1.7504931
9  1.15686977 1.3117168 1.4271858 1.5492434
10 1.15387452 1.2966267 1.4025479 1.5140885
11 1.02359091 1.1493086 1.2425490 1.3407028
12 0.88387071 0.9948535 1.0772771 1.1641340
13 0.75712322 0.8576141 0.9325088 1.0116437
14 0.65101748 0.7447274 0.8149506 0.8894575
15 0.53240938 0.6198605 0.6860342 0.7567610
16 0.43584912 0.5197437 0.5840702 0.6535019
17 0.34710064 0.4287515 0.4925804 0.5624580
18 0.30971499 0.3959768 0.4646919 0.5409442
19 0.24703176 0.3348031 0.4069735 0.4888632
20 0.13979872 0.2162803 0.2838104 0.3641850
21 0.08200917 0.1521750 0.2204045 0.3066781
22 0.18020868 0.3081243 0.4272459 0.5739193
23 0.26535481 0.4537089 0.6291137 0.8450883
24 0.33854643 0.5788533 0.8026393 1.0781852
25 0.39305871 0.6720595 0.9318792 1.2517931
"""
EPIESTIM_R_BLOCK_3 = """
Quantile.0.95(R) Quantile.0.975(R)
1  2.4589724 2.6247813
2  2.3891206 2.5331192
3  2.0751763 2.1955399
4  1.9040473 2.0088487
5  1.8601072 1.9563365
6  2.0713724 2.1657455
7  2.0648767 2.1507413
8  1.9708944 2.0461979
9  1.7366694 1.8005896
10 1.6846295 1.7426100
11 1.4907183 1.5417063
12 1.2970399 1.3422512
13 1.1331024 1.1745108
14 1.0043487 1.0436503
15 0.8667218 0.9045582
16 0.7626306 0.8004706
17 0.6739958 0.7130887
18 0.6644328 0.7081443
19 0.6246028 0.6734020
20 0.5039247 0.5557145
21 0.4653900 0.5262293
22 0.8372682 0.9367934
23 1.2328660 1.3794155
24 1.5729218 1.7598935
25 1.8261915 2.0432690
"""

# The snapshot's $si_distr: discr_si(0:31, 2.6, 1.5) padded with a 0 for day 32.  As printed
# at a2c3a7ce; at 2ca76bb6 days 28-31 differ by a few units of the 7th digit (~3e-15, R's own
# rounding in that far tail).
EPIESTIM_SI = """
0.000000e+00 2.331721e-01 3.585794e-01 1.981108e-01 1.033427e-01 5.290518e-02
2.682146e-02 1.351620e-02 6.783438e-03 3.394351e-03 1.694674e-03 8.445945e-04
4.203313e-04 2.089422e-04 1.037609e-04 5.148480e-05 2.552773e-05 1.264952e-05
6.264667e-06 3.101068e-06 1.534394e-06 7.589168e-07 3.752319e-07 1.854675e-07
9.164543e-08 4.527299e-08 2.235952e-08 1.104051e-08 5.450375e-09 2.690170e-09
1.327568e-09 6.550364e-10
"""

R_COLUMNS = {
    "Mean(R)": lambda e: e.mean,
    "Std(R)": lambda e: e.std,
    "Median(R)": lambda e: e.median,
    **{
        f"Quantile.{level}(R)": (lambda e, q=level: e.quantiles[q])
        for level in QUANTILE_LEVELS
        if level != 0.5  # EpiEstim prints that one as Median(R)
    },
}


def _table(*blocks: str) -> list[dict[str, str]]:
    """The printed blocks joined column-wise; each row keeps its numbers as printed text."""
    rows: list[dict[str, str]] = []
    for block in blocks:
        header, *lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            _row_name, *cells = line.split()
            if len(rows) <= i:
                rows.append({})
            rows[i].update(zip(header.split(), cells, strict=True))
    return rows


def _half_unit(printed: str) -> float:
    """Half a unit of the last printed digit: how far the true value can be from the print."""
    return 0.5 * 10.0 ** Decimal(printed).as_tuple().exponent


def test_flu2009_weekly_windows_match_epiestim_to_the_printed_digit():
    estimates = estimate_r(FLU2009, si_mean=2.6, si_sd=1.5)
    table = _table(EPIESTIM_R_BLOCK_1, EPIESTIM_R_BLOCK_2, EPIESTIM_R_BLOCK_3)

    assert len(estimates) == len(table) == 25
    worst = 0.0
    for estimate, row in zip(estimates, table, strict=True):
        # EpiEstim's 1-based, inclusive t_start/t_end are ours plus one.
        assert (estimate.t_start + 1, estimate.t_end + 1) == (
            int(row["t_start"]),
            int(row["t_end"]),
        )
        for column, value_of in R_COLUMNS.items():
            difference = abs(value_of(estimate) - float(row[column]))
            assert difference <= _half_unit(row[column]) + 1e-12, (row["t_start"], column)
            worst = max(worst, difference)
    # Every printed value has at least 7 significant digits, 8 decimals at most.
    assert worst <= 5e-8


def test_estimate_fields_are_the_posterior_summaries():
    first = estimate_r(FLU2009, si_mean=2.6, si_sd=1.5)[0]
    assert set(first.quantiles) == set(QUANTILE_LEVELS)
    assert first.median == first.quantiles[0.5]
    assert (first.lower, first.upper) == (first.quantiles[0.025], first.quantiles[0.975])
    assert list(first.quantiles.values()) == sorted(first.quantiles.values())


def test_serial_interval_matches_epiestim_discr_si():
    expected = EPIESTIM_SI.split()
    weights = discretised_serial_interval(32, 2.6, 1.5)

    assert len(weights) == len(expected) == 32
    assert weights[0] == 0.0
    for day, (weight, printed) in enumerate(zip(weights, expected, strict=True)):
        # 7 significant digits in scientific notation: half a unit of the 7th digit.
        tolerance = 0.5e-6 * 10.0 ** Decimal(printed).adjusted()
        assert weight == pytest.approx(float(printed), abs=tolerance), day


def _moments(weights):
    mean = math.fsum(k * w for k, w in enumerate(weights))
    return mean, math.sqrt(math.fsum(k * k * w for k, w in enumerate(weights)) - mean**2)


@pytest.mark.parametrize(
    ("length", "mean", "sd"),
    [
        (32, "2.6", "1.55488"),  # the Flu2009 run (Example 3): SI on days 0..31
        (27, "2.599999", "1.554876"),  # Example 2's 27-day series: a shorter, truncated tail
    ],
)
def test_serial_interval_moments_match_epiestim(length, mean, sd):
    """EpiEstim reports the mean and sd of the truncated, unrenormalised SI it used.

    R prints 7 significant digits and drops trailing zeros: "2.6" is 2.600000.
    """
    actual_mean, actual_sd = _moments(discretised_serial_interval(length, 2.6, 1.5))
    assert actual_mean == pytest.approx(float(mean), abs=5e-7)
    assert actual_sd == pytest.approx(float(sd), abs=5e-7)


def test_serial_interval_sums_to_one_when_long_enough():
    # Far-tail weights carry ~1e-15 of rounding each (EpiEstim's formula subtracts values
    # of size k from one another), hence the tolerance.
    assert math.fsum(discretised_serial_interval(60, 2.6, 1.5)) == pytest.approx(1.0, abs=1e-12)
    assert math.fsum(discretised_serial_interval(200, 15.3, 9.3)) == pytest.approx(1.0, abs=1e-12)
    # Short series: the tail is cut off, not renormalised (EpiEstim does the same).
    assert math.fsum(discretised_serial_interval(5, 2.6, 1.5)) < 0.9


def test_default_windows_are_epiestims_weekly_sliding_windows():
    days = len(FLU2009)
    estimates = estimate_r(FLU2009, si_mean=2.6, si_sd=1.5)
    # EpiEstim: t_start = 2:(T-6), t_end = 8:T (1-based).
    assert [(e.t_start, e.t_end) for e in estimates] == [(s, s + 6) for s in range(1, days - 6)]

    fortnights = estimate_r(FLU2009, si_mean=2.6, si_sd=1.5, window=14)
    assert [(e.t_start, e.t_end) for e in fortnights] == [(s, s + 13) for s in range(1, days - 13)]


def test_windows_ending_before_the_mean_serial_interval_are_dropped():
    """EpiEstim keeps a window only if its 1-based t_end exceeds the discretised SI mean."""
    incidence = [3] * 30
    weights = discretised_serial_interval(len(incidence), 9.5, 2.0)
    si_mean = _moments(weights)[0]
    assert 9 < si_mean < 10

    estimates = estimate_r(incidence, si_mean=9.5, si_sd=2.0)
    # 1-based ends 8 and 9 are <= the mean: the windows ending on 0-based days 7 and 8 go.
    assert (estimates[0].t_start, estimates[0].t_end) == (3, 9)
    assert len(estimates) == len(incidence) - 7 - 2


def test_day_zero_cases_seed_infectiousness_but_are_not_counted():
    """EpiEstim treats the first day's cases as imported: no window counts them as new."""
    weights = discretised_serial_interval(8, 2.6, 1.5)
    (only,) = estimate_r([10, 0, 0, 0, 0, 0, 0, 0], si_mean=2.6, si_sd=1.5)

    # Prior gamma(shape 1, scale 5); no cases in the window, Lambda = 10 * (w_1 + ... + w_7).
    scale = 1 / (1 / 5 + 10 * math.fsum(weights[1:8]))
    assert only.mean == pytest.approx(scale, rel=1e-14)
    assert only.std == pytest.approx(scale, rel=1e-14)
    # A gamma with shape 1 is exponential: its quantiles are -scale * log(1 - p).
    for level, value in only.quantiles.items():
        assert value == pytest.approx(-scale * math.log1p(-level), rel=1e-13)


def test_prior_sets_the_posterior_shape_and_scale():
    (only,) = estimate_r(
        [4, 1, 2, 0, 3, 1, 2, 2], si_mean=3.0, si_sd=1.0, mean_prior=2, std_prior=1
    )
    weights = discretised_serial_interval(8, 3.0, 1.0)
    counts = [4, 1, 2, 0, 3, 1, 2, 2]
    infectiousness = [
        math.fsum(weights[s] * counts[t - s] for s in range(1, t + 1)) for t in range(8)
    ]
    shape = 4 + 11  # prior (2/1)^2 plus the cases on days 1..7
    scale = 1 / (1 / 0.5 + math.fsum(infectiousness[1:]))  # prior scale 1^2/2
    assert only.mean == pytest.approx(shape * scale, rel=1e-14)
    assert only.std == pytest.approx(math.sqrt(shape) * scale, rel=1e-14)


@pytest.mark.parametrize(
    ("shape", "p", "expected"),
    [
        # chi-square quantiles: gamma(shape = k/2, scale = 2)
        (0.5, 0.975, 5.023886187314888),
        (5.0, 0.975, 20.48317735080739),
        (0.5, 0.95, 3.841458820694124),
        (1.0, 0.95, 5.991464547107979),  # k = 2 is exponential: -2 log(0.05)
    ],
)
def test_gamma_quantile_gives_chi_square_quantiles(shape, p, expected):
    assert gamma_quantile(p, shape, scale=2.0) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("p", [1e-12, 1e-6, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 1 - 1e-9])
def test_gamma_quantile_against_closed_forms(p):
    # Shape 1: exponential.  Shape 1/2, scale 2: chi-square with 1 df, the square of a
    # normal, whose quantile the standard library computes (Wichura's AS 241).
    assert gamma_quantile(p, 1.0, 3.0) == pytest.approx(-3.0 * math.log1p(-p), rel=1e-13)
    z = statistics.NormalDist().inv_cdf((1 - p) / 2)  # 1 - p is exact: no digits lost
    assert gamma_quantile(p, 0.5, 2.0) == pytest.approx(z * z, rel=1e-12)


def _poisson_tail(n: int, x: float) -> float:
    """P(Poisson(x) >= n), which equals the gamma(n) cdf at x for a whole n."""
    terms = [math.exp(k * math.log(x) - x - math.lgamma(k + 1)) for k in range(n)]
    below = math.fsum(terms)
    if below < 0.5:
        return 1.0 - below
    terms, k = [], n  # sum the upper tail directly so that a small result keeps its digits
    while not terms or terms[-1] > 1e-18 * math.fsum(terms):
        terms.append(math.exp(k * math.log(x) - x - math.lgamma(k + 1)))
        k += 1
    return math.fsum(terms)


@pytest.mark.parametrize("x", [1e-3, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 80.0])
def test_gamma_cdf_against_closed_forms(x):
    assert gamma_cdf(x, 1.0) == pytest.approx(-math.expm1(-x), rel=1e-14)
    assert gamma_cdf(2 * x, 0.5, 2.0) == pytest.approx(math.erf(math.sqrt(x)), rel=1e-14)
    for n in (2, 5, 12, 40):
        assert gamma_cdf(x, n) == pytest.approx(_poisson_tail(n, x), rel=1e-12), n


@pytest.mark.parametrize(("n", "x"), [(1000, 950.0), (1000, 1000.0), (1000, 1080.0)])
def test_gamma_cdf_for_large_shapes_against_poisson_sums(n, x):
    # Weekly case counts in the thousands give posterior shapes this large.
    assert gamma_cdf(x, n) == pytest.approx(_poisson_tail(n, x), rel=1e-10)


@pytest.mark.parametrize("shape", [0.05, 0.3, 1.0, 2.5, 17.0, 250.0, 4_000.0, 1e5, 1e6])
def test_gamma_quantile_inverts_gamma_cdf(shape):
    for p in QUANTILE_LEVELS + (1e-6, 0.999):
        x = gamma_quantile(p, shape, scale=0.7)
        assert gamma_cdf(x, shape, scale=0.7) == pytest.approx(p, rel=1e-11), p


def test_gamma_edges():
    assert gamma_cdf(0.0, 2.0) == 0.0
    assert gamma_cdf(-1.0, 2.0) == 0.0
    assert gamma_quantile(0.0, 2.0) == 0.0
    assert gamma_quantile(1.0, 2.0) == math.inf
    with pytest.raises(ValueError, match="probability"):
        gamma_quantile(1.5, 2.0)
    with pytest.raises(ValueError, match="shape"):
        gamma_cdf(1.0, 0.0)
    with pytest.raises(ValueError, match="scale"):
        gamma_quantile(0.5, 1.0, scale=-1.0)


@pytest.mark.parametrize(
    ("incidence", "options", "message"),
    [
        ([1, 2, -1, 3, 4, 5, 6, 7], {}, "negative"),
        ([1, 2, 1.5, 3, 4, 5, 6, 7], {}, "whole number"),
        ([1, 2, 3, 4, 5, 6, 7], {}, "at least window \\+ 1"),
        ([1, 2, 3, 4], {"window": 3}, None),  # the shortest valid series: no error
        ([1, 2, 3, 4, 5, 6, 7, 8], {"si_mean": 1.0}, "mean must be a number > 1"),
        ([1, 2, 3, 4, 5, 6, 7, 8], {"si_mean": math.nan}, "mean must be a number > 1"),
        ([1, 2, 3, 4, 5, 6, 7, 8], {"si_sd": 0.0}, "sd must be a positive"),
        ([1, 2, 3, 4, 5, 6, 7, 8], {"window": 0}, "window must be at least 1"),
        ([1, 2, 3, 4, 5, 6, 7, 8], {"std_prior": 0}, "std_prior"),
        ([1, 2, 3, 4, 5, 6, 7, 8], {"mean_prior": -5}, "mean_prior"),
    ],
)
def test_bad_input_raises_value_error(incidence, options, message):
    options = {"si_mean": 2.6, "si_sd": 1.5, **options}
    if message is None:
        assert len(estimate_r(incidence, **options)) == 1
        return
    with pytest.raises(ValueError, match=message):
        estimate_r(incidence, **options)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((10, 1.0, 1.5), "> 1"),
        ((10, 2.6, 0.0), "sd"),
        ((0, 2.6, 1.5), "length"),
        ((2.5, 2.6, 1.5), "whole"),
    ],
)
def test_bad_serial_interval_raises_value_error(args, message):
    with pytest.raises(ValueError, match=message):
        discretised_serial_interval(*args)
