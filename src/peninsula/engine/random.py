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

import numpy as np

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

    def normal(self, month: int, slot: int, width: int = 1) -> np.ndarray:
        """Standard normal draws by Box-Muller from two uniform slots."""
        u = self.uniform(month, slot, 2 * width).reshape(len(self.keys), 2, width)
        z = np.sqrt(-2.0 * np.log1p(-u[:, 0])) * np.cos(2.0 * np.pi * u[:, 1])
        return z[:, 0] if width == 1 else z

    def bernoulli(self, month: int, slot: int, p: np.ndarray) -> np.ndarray:
        """True with probability p (per run)."""
        return self.uniform(month, slot) < p

    def poisson(self, month: int, slot: int, lam: np.ndarray) -> np.ndarray:
        """Poisson counts by inversion of the CDF, vectorised over runs (one uniform per run)."""
        return poisson_from_uniform(self.uniform(month, slot), np.asarray(lam, dtype=np.float64))


def poisson_from_uniform(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Smallest k with F(k; lam) > u, looping over k (never over runs) on the unfinished subset."""
    lam = np.broadcast_to(lam, u.shape)
    k = np.zeros(u.shape, dtype=np.int64)
    p = np.exp(-lam)
    cdf = p.copy()
    todo = np.nonzero(u >= cdf)[0]
    kk = 0
    while todo.size and kk < 2000:
        kk += 1
        p_t = p[todo] * lam[todo] * (1.0 / kk)  # p_k = p_{k-1} lam / k, the division off the chain
        p[todo] = p_t
        cdf[todo] += p_t
        k[todo] = kk
        # Stop also when the pmf underflows (u within rounding of 1): k is then in the far tail.
        still = (u[todo] >= cdf[todo]) & (p_t > 0.0)
        todo = todo[still]
    return k


def sample_param(u: np.ndarray, low: float, mode: float, high: float, distribution: str):
    """Map uniforms to a parameter's distribution: 'triangular', 'uniform' or 'fixed'."""
    if distribution == "fixed" or high <= low:
        return np.full(u.shape, mode, dtype=np.float64)
    if distribution == "uniform":
        return low + (high - low) * u
    c = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
    return np.where(u < c, left, right)
