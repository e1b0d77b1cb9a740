"""Effective reproduction number R_t by the method of Cori et al. (2013).

Pure standard-library Python; it reproduces what the R package EpiEstim returns from
``estimate_R(incid, method = "parametric_si", config = make_config(mean_si = ..., std_si = ...))``
with its default sliding weekly windows.

Public API
----------
``estimate_r(incidence, *, si_mean, si_sd, window=7, mean_prior=5.0, std_prior=5.0)``
    One ``REstimate`` per window of ``window`` days, ending on each day from ``window``
    (0-based) to the last day.  ``t_start``/``t_end`` are 0-based, inclusive indexes into
    ``incidence``: EpiEstim's first default window ``t_start = 2, t_end = 8`` is ``(1, 7)`` here.
``discretised_serial_interval(length, mean, sd)``
    EpiEstim's ``discr_si(0:(length - 1), mean, sd)``: a gamma distribution shifted by one
    day, discretised; ``w[0] == 0``.
``gamma_cdf(x, shape, scale=1.0)`` / ``gamma_quantile(p, shape, scale=1.0)``
    The gamma distribution function and its inverse (R's ``pgamma``/``qgamma``), which the
    two functions above need.

How EpiEstim computes it (R/estimate_R.R, R/discr_si.R, R/overall_infectivity.R), and so we:

* The serial interval (SI) is ``discr_si(0:(T - 1))`` for a series of T days; it is not
  renormalised, so it sums to slightly under 1 when T is short.
* Cases on the first day all count as imported: they add to the total infectiousness
  ``Lambda_t = sum_{s=1}^{t} w_s I_{t-s}`` (all cases) but never to a window's own case
  count.  Windows start on day 1 at the earliest, so for the local-only series taken here
  that changes nothing.
* With a gamma prior (shape ``(mean/std)^2``, scale ``std^2/mean``) the posterior of R over
  a window is gamma with shape ``prior shape + sum I_t`` and scale
  ``1 / (1/prior scale + sum Lambda_t)``.  Mean, sd and the 2.5, 5, 25, 50, 75, 95 and 97.5 %
  quantiles are reported.
* Windows whose 1-based end ``t_end + 1`` is not beyond the mean of the discretised SI are
  dropped from the result, as EpiEstim drops them from its table.  EpiEstim's other check,
  a warning when the first window has too few cases for a posterior CV of 0.3, removes no
  rows and is not reproduced.
"""

from __future__ import annotations

import math
import operator
import sys
from dataclasses import dataclass

QUANTILE_LEVELS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)

# Relative size under which a further series / continued-fraction term no longer changes
# a double; with it the incomplete gamma function is good to a few ulps for moderate shapes.
_EPS = 2.0**-53
_TINY = 1e-300  # Lentz's guard against dividing by an exact zero
_MAX_TERMS = 1_000_000  # both expansions need O(sqrt(shape)) terms; this is only a backstop
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


@dataclass(frozen=True)
class REstimate:
    """Posterior of R over the days ``t_start..t_end`` (0-based, inclusive)."""

    t_start: int
    t_end: int
    mean: float
    std: float
    median: float
    lower: float  # 2.5 % quantile
    upper: float  # 97.5 % quantile
    quantiles: dict[float, float]  # every level in QUANTILE_LEVELS


# --- gamma distribution ---------------------------------------------------------------


def _stirling_error(a: float) -> float:
    """log Gamma(a + 1) - log(sqrt(2 pi a) (a/e)**a), the error of Stirling's formula."""
    if a <= 15.0:
        return math.lgamma(a + 1.0) - (a + 0.5) * math.log(a) + a - _LOG_SQRT_2PI
    # Its asymptotic series; the first term left out is about 2e-16 at a = 15.
    aa = a * a
    return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / 1188 / aa) / aa) / aa) / aa) / a


def _deviance(a: float, x: float) -> float:
    """a log(a/x) + x - a, summed as a series when x is near a, where it would cancel."""
    if abs(a - x) >= 0.1 * (a + x):
        return a * math.log(a / x) + x - a
    v = (a - x) / (a + x)
    total = (a - x) * v
    term = 2.0 * a * v
    for j in range(1, _MAX_TERMS):
        term *= v * v
        bigger = total + term / (2 * j + 1)
        if bigger == total:
            return total
        total = bigger
    raise ArithmeticError(f"deviance series did not converge (a={a}, x={x})")


def _log_density_factor(a: float, x: float) -> float:
    """log(x**a * exp(-x) / Gamma(a)), the factor shared by both expansions of P(a, x).

    Written as a log a - (Stirling error) - (deviance) - log sqrt(2 pi a), after Loader
    (2000) and R's dpois_raw: the plain a log x - x - lgamma(a) subtracts numbers of
    size a log a and loses about log10(a) digits, too many for shapes in the thousands.
    """
    return math.log(a) - _stirling_error(a) - _deviance(a, x) - 0.5 * math.log(2 * math.pi * a)


def _lower_series(a: float, x: float) -> float:
    """P(a, x) by its power series; converges fast for x < a + 1."""
    term = total = 1.0 / a
    denominator = a
    for _ in range(_MAX_TERMS):
        denominator += 1.0
        term *= x / denominator
        total += term
        if term < total * _EPS:
            return total * math.exp(_log_density_factor(a, x))
    raise ArithmeticError(f"incomplete gamma series did not converge (a={a}, x={x})")


def _upper_fraction(a: float, x: float) -> float:
    """Q(a, x) = 1 - P(a, x) by its continued fraction (modified Lentz); for x >= a + 1."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    result = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = b + an / c
        c = c if abs(c) > _TINY else _TINY
        delta = c * d
        result *= delta
        if abs(delta - 1.0) < _EPS:
            return result * math.exp(_log_density_factor(a, x))
    raise ArithmeticError(f"incomplete gamma fraction did not converge (a={a}, x={x})")


def _gamma_tails(a: float, x: float) -> tuple[float, float]:
    """(P, Q) of the standard gamma(a); the one computed directly is the accurate one."""
    if x <= 0.0:
        return 0.0, 1.0
    if x < a + 1.0:
        p = _lower_series(a, x)
        return p, 1.0 - p
    q = _upper_fraction(a, x)
    return 1.0 - q, q


def _check_gamma_parameters(shape: float, scale: float) -> None:
    if not (shape > 0 and math.isfinite(shape)):
        raise ValueError(f"gamma shape must be a positive number, got {shape!r}")
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"gamma scale must be a positive number, got {scale!r}")


def gamma_cdf(x: float, shape: float, scale: float = 1.0) -> float:
    """P(X <= x) for X ~ gamma(shape, scale); 0 for x <= 0, like R's ``pgamma``."""
    _check_gamma_parameters(shape, scale)
    return _gamma_tails(shape, x / scale)[0]


def _initial_quantile(p: float, a: float) -> float:
    """Starting point for Newton: Wilson-Hilferty for a > 1, else the small-x power law.

    These are the guesses of Numerical Recipes' ``invgammp``; they put the iteration
    within a few steps of the root.
    """
    if a > 1.0:
        tail = min(p, 1.0 - p)
        t = math.sqrt(-2.0 * math.log(tail))
        z = t - (2.30753 + 0.27061 * t) / (1.0 + t * (0.99229 + 0.04481 * t))
        z = z if p >= 0.5 else -z  # z approximates the standard normal p-quantile
        return max(1e-3, a * (1.0 - 1.0 / (9.0 * a) + z / (3.0 * math.sqrt(a))) ** 3)
    t = 1.0 - a * (0.253 + a * 0.12)
    if p < t:
        return max((p / t) ** (1.0 / a), _TINY)
    return 1.0 - math.log(1.0 - (p - t) / (1.0 - t))


def gamma_quantile(p: float, shape: float, scale: float = 1.0) -> float:
    """The x with ``gamma_cdf(x, shape, scale) == p`` (R's ``qgamma``).

    Good to ~1e-14 relative; 1e-14/shape for shapes below 1, where P grows like x**shape
    and so its own rounding moves x 1/shape times as much.

    Halley steps from ``_initial_quantile``.  A bracket of the root is kept and the step
    falls back to bisection whenever it would leave it, so the iteration cannot diverge.
    """
    _check_gamma_parameters(shape, scale)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"probability must be within [0, 1], got {p!r}")
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return math.inf
    a = shape
    x = _initial_quantile(p, a)
    low, high = 0.0, math.inf
    previous_step = math.inf
    for _ in range(200):
        lower, upper = _gamma_tails(a, x)
        # Compare in the smaller tail: 1 - P loses digits there when P is near 1.
        error = lower - p if p <= 0.5 else (1.0 - p) - upper
        if error == 0.0:
            break
        if error < 0.0:
            low = x
        else:
            high = x
        step = _halley_step(a, x, error)
        # P itself is only good to a few ulps, which moves x by ~1e-15/a relative; a step of
        # that size, or one that stops shrinking (Halley's would shrink cubically), is noise.
        if abs(step) <= 1e-14 * max(1.0, 1.0 / a) * x or (
            abs(step) <= 1e-10 * x and abs(step) >= 0.5 * abs(previous_step)
        ):
            x -= step
            break
        previous_step = step
        x -= step
        if not low < x < high:  # Halley overshot the bracket (or could not step): bisect
            # With no upper bound yet, x was below the root: double it.
            x = 0.5 * (low + high) if math.isfinite(high) else 2.0 * low
        if x < sys.float_info.min:  # the quantile underflows, as R's qgamma's does
            return 0.0
    return x * scale


def _halley_step(a: float, x: float, error: float) -> float:
    """Halley's step for P(a, x) - p = error; NaN (so: bisect) if the density underflows."""
    density = math.exp(_log_density_factor(a, x)) / x
    if density == 0.0:
        return math.nan
    newton = error / density
    # The correction uses f'/f = (a - 1)/x - 1, capped as in Numerical Recipes' invgammp.
    return newton / (1.0 - 0.5 * min(1.0, newton * ((a - 1.0) / x - 1.0)))


# --- serial interval and R ------------------------------------------------------------


def _check_serial_interval(mean: float, sd: float) -> None:
    # The SI is a gamma shifted by one day, so its mean must exceed one day.
    if not (mean > 1 and math.isfinite(mean)):
        raise ValueError(f"serial interval mean must be a number > 1 (days), got {mean!r}")
    if not (sd > 0 and math.isfinite(sd)):
        raise ValueError(f"serial interval sd must be a positive number, got {sd!r}")


def discretised_serial_interval(length: int, mean: float, sd: float) -> list[float]:
    """w[0..length-1]: EpiEstim's ``discr_si(0:(length - 1), mean, sd)``.

    The serial interval is taken as 1 + gamma(mean - 1, sd) and discretised with EpiEstim's
    closed form in gamma distribution functions.  Rounding can make a far-tail weight
    slightly negative; it is clipped to 0 as EpiEstim does.
    """
    _check_serial_interval(mean, sd)
    if _whole_number(length, "serial interval length") < 1:
        raise ValueError(f"serial interval length must be at least 1, got {length!r}")
    shape = ((mean - 1.0) / sd) ** 2
    scale = sd**2 / (mean - 1.0)

    def cdf(k: int, a: float) -> float:
        return gamma_cdf(k, a, scale)

    weights = []
    for k in range(length):
        w = k * cdf(k, shape) + (k - 2) * cdf(k - 2, shape) - 2 * (k - 1) * cdf(k - 1, shape)
        w += shape * scale * (2 * cdf(k - 1, shape + 1) - cdf(k - 2, shape + 1) - cdf(k, shape + 1))
        weights.append(max(0.0, w))
    return weights


def _whole_number(value: int, what: str) -> int:
    try:
        return operator.index(value)  # int, bool or any integer type, but never 2.5
    except TypeError:
        raise ValueError(f"{what} must be a whole number, got {value!r}") from None


def _check_incidence(incidence: list[int], window: int) -> list[int]:
    counts = []
    for day, count in enumerate(incidence):
        count = _whole_number(count, f"incidence[{day}]")
        if count < 0:
            raise ValueError(f"incidence[{day}] is negative: {count}")
        counts.append(count)
    if len(counts) < window + 1:
        # Day 0 only seeds infectiousness, so the first window can start on day 1.
        raise ValueError(
            f"incidence needs at least window + 1 = {window + 1} days, got {len(counts)}"
        )
    return counts


def _infectiousness(counts: list[int], si: list[float]) -> list[float]:
    """Lambda_t = sum_{s=1}^{t} w_s I_{t-s}: how much the earlier cases infect on day t."""
    return [math.fsum(si[s] * counts[t - s] for s in range(1, t + 1)) for t in range(len(counts))]


def _posterior(shape: float, scale: float, t_start: int, t_end: int) -> REstimate:
    quantiles = {level: gamma_quantile(level, shape, scale) for level in QUANTILE_LEVELS}
    return REstimate(
        t_start=t_start,
        t_end=t_end,
        mean=shape * scale,
        std=math.sqrt(shape) * scale,
        median=quantiles[0.5],
        lower=quantiles[0.025],
        upper=quantiles[0.975],
        quantiles=quantiles,
    )


def estimate_r(
    incidence: list[int],
    *,
    si_mean: float,
    si_sd: float,
    window: int = 7,
    mean_prior: float = 5.0,
    std_prior: float = 5.0,
) -> list[REstimate]:
    """R over every ``window``-day window of a daily series of local cases (see module doc)."""
    _check_serial_interval(si_mean, si_sd)
    if _whole_number(window, "window") < 1:
        raise ValueError(f"window must be at least 1 day, got {window!r}")
    for name, value in (("mean_prior", mean_prior), ("std_prior", std_prior)):
        if not (value > 0 and math.isfinite(value)):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    counts = _check_incidence(incidence, window)

    si = discretised_serial_interval(len(counts), si_mean, si_sd)
    si_mean_discrete = math.fsum(k * w for k, w in enumerate(si))
    infectiousness = _infectiousness(counts, si)
    local = [0, *counts[1:]]  # EpiEstim takes day 0's cases as imported
    prior_shape = (mean_prior / std_prior) ** 2
    prior_scale = std_prior**2 / mean_prior

    estimates = []
    for t_start in range(1, len(counts) - window + 1):
        t_end = t_start + window - 1
        if t_end + 1 <= si_mean_discrete:  # EpiEstim's 1-based t_end must exceed the SI mean
            continue
        shape = prior_shape + sum(local[t_start : t_end + 1])
        scale = 1.0 / (1.0 / prior_scale + math.fsum(infectiousness[t_start : t_end + 1]))
        estimates.append(_posterior(shape, scale, t_start, t_end))
    return estimates
