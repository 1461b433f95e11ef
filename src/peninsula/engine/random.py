"""Counter-based random streams: one root seed, one independent stream per run.

The root seed is expanded by NumPy's ``SeedSequence`` into a 64-bit key. Run ``r``'s stream is
keyed by ``mix(root_key, r)``; draw ``j`` of slot ``s`` in month ``t`` is the SplitMix64 hash of
(run key, t, s, j). A number therefore depends only on (seed, run id, month, slot, j): never on
how runs are split into chunks or spread across worker processes, which is what makes results
bit-identical for any chunk size and worker count. Hashing is vectorised over runs, so no
Python loop over runs is needed (spawning one ``Generator`` per run would cost ~20 us each).
SplitMix64 (Steele, Lea & Flood 2014) passes BigCrush when used as a hash of a counter.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from peninsula.model.compiled import JIT_OPTIONS
from peninsula.scenario.parameters import prior_cdf

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TWO_M53 = 1.0 / float(1 << 53)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser applied element-wise to uint64 values (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def root_key(seed: int) -> np.uint64:
    """Expand a user seed into a 64-bit root key with NumPy's SeedSequence."""
    state = np.random.SeedSequence(int(seed)).generate_state(2, dtype=np.uint64)
    return np.uint64(state[0] ^ (state[1] << np.uint64(1)))


class RunStreams:
    """Random numbers for a block of runs, addressed by (month, slot, j)."""

    def __init__(self, seed: int, run_ids: np.ndarray):
        self.run_ids = np.asarray(run_ids, dtype=np.uint64)
        self.keys = splitmix64(splitmix64(self.run_ids) ^ root_key(seed))

    def _bits(self, month: int, slot: int, width: int) -> np.ndarray:
        counter = (np.uint64(month) << np.uint64(40)) | (np.uint64(slot) << np.uint64(16))
        j = np.arange(width, dtype=np.uint64)
        with np.errstate(over="ignore"):
            x = self.keys[:, None] ^ splitmix64(counter + j)[None, :]
        return splitmix64(x)

    def uniform(self, month: int, slot: int, width: int = 1) -> np.ndarray:
        """Uniform draws in [0, 1), shape (runs, width) or (runs,) when width == 1."""
        u = (self._bits(month, slot, width) >> np.uint64(11)).astype(np.float64) * _TWO_M53
        return u[:, 0] if width == 1 else u



def sample_param(u: np.ndarray, low: float, mode: float, high: float, distribution: str):
    """Map uniforms to a parameter's distribution: 'triangular', 'uniform', 'fixed' or
    'logtriangular' (the triangular of ln x: mode ln mode, support ln low .. ln high)."""
    if distribution == "fixed" or high <= low:
        return np.full(u.shape, mode, dtype=np.float64)
    if distribution == "logtriangular":
        return np.exp(sample_param(u, math.log(low), math.log(mode), math.log(high),
                                   "triangular"))
    if distribution == "uniform":
        return low + (high - low) * u
    c = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
    return np.where(u < c, left, right)


def param_cdf(x: np.ndarray, low: float, mode: float, high: float, distribution: str):
    """The cumulative distribution of sample_param's law at each x (scenario.parameters.
    prior_cdf, the one written form; its inverse: sample_param of the result gives x back); for
    calibration on the prior's own scale (analysis/backtest.py)."""
    x = np.asarray(x, dtype=np.float64)
    return np.array([prior_cdf(float(v), low, mode, high, distribution) for v in x.ravel()],
                    dtype=np.float64).reshape(x.shape)


def counters(months: int, slots: int, draws: int) -> np.ndarray:
    """splitmix64(counter(t, s) + j) for every (month, slot, draw): shared by all runs, so the
    kernel forms a draw with one hash of (run key ^ counter)."""
    t_, s_, j_ = np.meshgrid(np.arange(max(months, 1), dtype=np.uint64),
                             np.arange(slots, dtype=np.uint64),
                             np.arange(draws, dtype=np.uint64), indexing="ij")
    return splitmix64(((t_ << np.uint64(40)) | (s_ << np.uint64(16))) + j_)


# The compiled draws of the kernel (engine/kernel.py): the same numbers as RunStreams.
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_draw = numba.njit(**JIT_OPTIONS)


@_draw
def mix(x):
    """SplitMix64 finaliser of one uint64 (wrapping arithmetic)."""
    z = x + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@_draw
def uniform(key, counter):
    """Uniform in [0, 1) for a run key and a pre-hashed (month, slot, j) counter."""
    return float(mix(key ^ counter) >> _S11) * _TWO_M53


@_draw
def poisson(u, lam):
    """Poisson(lam) by inversion of the CDF from one uniform: the first k with u < F(k).

    F(0..3) are formed as the loop forms them (p_k = p_(k-1) lam (1/k), F(k) = F(k-1) + p_k)
    and, when u < F(3), k is counted by comparisons rather than found by a loop whose exit the
    processor cannot predict. u < 1 - lam gives k = 0 without exp (exp(-lam) >= 1 - lam, and
    the library's exp is within one ulp). The loop also stops when p_k underflows (u within
    rounding of 1: k is then in the far tail).
    """
    if u < (1.0 - lam) - 1e-12:
        return 0
    p0 = math.exp(-lam)
    p1 = p0 * lam * 1.0
    p2 = p1 * lam * 0.5
    p3 = p2 * lam * (1.0 / 3)
    c1 = p0 + p1
    c2 = c1 + p2
    c3 = c2 + p3
    if p3 > 0.0 and u < c3:  # p3 > 0: p1 and p2 are too, so no early stop below k = 3
        return (1 if u >= p0 else 0) + (1 if u >= c1 else 0) + (1 if u >= c2 else 0)
    k = 0
    pk = p0
    cdf = pk
    active = u >= cdf
    kk = 0
    while active and kk < 2000:
        kk += 1
        pk = pk * lam * (1.0 / kk)
        cdf += pk
        k = kk
        active = (u >= cdf) and (pk > 0.0)
    return k


@_draw
def normal_radius(u1):
    """The Box-Muller radius sqrt(-2 ln(1 - u1)) of a standard normal z = radius * cos(2 pi u2)."""
    return math.sqrt(-2.0 * math.log1p(-u1))


@_draw
def normal_radius_upper(u1):
    """An upper bound on the radius without log: -ln(1 - u) <= u / (1 - u) for u < 1."""
    return math.sqrt(2.0 * u1 / (1.0 - u1))


@_draw
def normal(radius, u2):
    """The standard normal draw radius * cos(2 pi u2) (Box-Muller)."""
    return radius * math.cos(2.0 * math.pi * u2)


# Branching (the wargame, src/peninsula/wargame/): runs that share one run's past. A run's key
# record holds its own key, the key of the run whose past it shares (the trunk) and the month
# from which its own key is used; before that month every draw is the trunk's, so with the
# trunk's parameters and levers every branched run is in exactly the trunk's state at that month.
# Without a branch the trunk is the run itself and the month 0, and the numbers are unchanged.
KEY_DTYPE = np.dtype([("own", np.uint64), ("trunk", np.uint64), ("branch_month", np.int64)])


def key_records(own: np.ndarray, trunk_key: int | np.uint64 | None = None,
                branch_month: int = 0) -> np.ndarray:
    """Each run's key record (KEY_DTYPE): its own key from ``branch_month`` on, ``trunk_key``
    before (its own key throughout when ``trunk_key`` is None)."""
    own = np.asarray(own, dtype=np.uint64)
    rec = np.empty(len(own), dtype=KEY_DTYPE)
    rec["own"] = own
    rec["trunk"] = own if trunk_key is None else np.uint64(trunk_key)
    rec["branch_month"] = 0 if trunk_key is None else int(branch_month)
    return rec.view(np.recarray)


@_draw
def run_key(keys, r, t):
    """Run r's key in month t: the trunk's before the run's branch month, its own from it."""
    k = keys[r]
    return k.own if t >= k.branch_month else k.trunk
