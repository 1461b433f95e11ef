"""Exact streaming reductions of per-run rows that arrive chunk by chunk, in run order.

Each gives, bit for bit, what NumPy gives on the whole (rows, n) array at once, while keeping
only what the statistic needs:

- ``PairwiseSum``: ``x.sum(axis=1)`` (so ``x.mean(axis=1)``). NumPy sums a contiguous row by
  pairwise summation: a row of n > 128 values is split at n2 = n // 2 rounded down to a
  multiple of 8, recursively, and blocks of at most 128 values are summed directly. The split
  depends on n only, so with n known in advance each block is summed as soon as its values
  have arrived (by NumPy itself) and the blocks' sums are added up the same tree at the end.
  Keeps a float per block of about 100 runs.
- ``Tails``: ``np.quantile(x, q, axis=1)`` for q in [0.05, 0.95] (the default linear method
  reads the order statistics next to q (n - 1) only). Keeps the k = 5% n + 3 smallest and
  largest values of each row; at the end the quantiles are taken of a stand-in of length n
  with the same order statistics at those ranks.
- ``BlockSums``: ``np.bincount(index, weights=row)`` of blocks of ``m`` consecutive runs (the
  parameter draws), each summed in run order as ``bincount`` does; a block cut by a chunk's
  end waits for the rest of its runs. With ``m`` = 1 it keeps the values themselves.

Values equal as numbers but not as bits (0.0 and -0.0) may be picked in another order than
NumPy's partition picks them; no summary metric takes the value -0.0.
"""

from __future__ import annotations

import numpy as np

PAIRWISE_BLOCK = 128  # NumPy's PW_BLOCKSIZE: rows up to this long are summed without splitting
UNROLL = 8  # NumPy's unrolling of the pairwise sum: splits fall on multiples of this
TAIL_SHARE = 0.05  # the quantiles read lie within this share of either end


def pairwise_blocks(n: int) -> list[int]:
    """The lengths, in order, of the blocks NumPy's pairwise sum of n values sums directly."""
    out: list[int] = []
    stack = [n]
    while stack:
        m = stack.pop()
        if m <= PAIRWISE_BLOCK:
            out.append(m)
            continue
        half = m // 2
        half -= half % UNROLL
        stack += [m - half, half]  # the first half is popped, and so summed, first
    return out


class PairwiseSum:
    """Row sums of a (rows, n) array fed in column chunks, equal to ``x.sum(axis=1)``."""

    def __init__(self, rows: int, n: int):
        self.n = n
        self.lengths = pairwise_blocks(n)
        self.sums = np.zeros((rows, len(self.lengths)))
        self.done = 0  # blocks summed
        self.pending = np.zeros((rows, 0))

    def add(self, x: np.ndarray) -> None:
        buf = np.concatenate([self.pending, x], axis=1) if self.pending.shape[1] else x
        start = 0
        while self.done < len(self.lengths):
            m = self.lengths[self.done]
            if start + m > buf.shape[1]:
                break
            # np.add.reduce along a contiguous row of m <= 128 values: NumPy's own block sum
            self.sums[:, self.done] = np.add.reduce(
                np.ascontiguousarray(buf[:, start:start + m]), axis=1)
            start += m
            self.done += 1
        self.pending = buf[:, start:].copy()

    def total(self) -> np.ndarray:
        """The row sums; all n values must have been added."""
        if self.done != len(self.lengths):
            raise ValueError(f"PairwiseSum: {self.done} of {len(self.lengths)} blocks added")
        blocks = iter(self.sums.T)

        def tree(m: int) -> np.ndarray:
            if m <= PAIRWISE_BLOCK:
                return next(blocks)
            half = m // 2
            half -= half % UNROLL
            left = tree(half)
            return left + tree(m - half)

        return tree(self.n) if self.n else np.zeros(self.sums.shape[0])


def tail_size(n: int) -> int:
    """Values kept at each end of a row of n for the 5th and 95th percentiles."""
    return int(TAIL_SHARE * n) + 3


class Tails:
    """The smallest and largest ``tail_size(n)`` values of each row, for its quantiles.

    Values are gathered until 2k, then cut back to the k smallest (largest); after a cut only
    values beyond the k-th can still enter, so each value is handled about once."""

    def __init__(self, rows: int, n: int):
        self.n, self.k = n, tail_size(n)
        self.everything = 2 * self.k >= n  # short rows: keep them whole
        self.low = [np.zeros(0) for _ in range(rows)]
        self.high = [np.zeros(0) for _ in range(rows)]
        self.low_bound = np.full(rows, np.nan)  # the k-th smallest at the last cut
        self.high_bound = np.full(rows, np.nan)  # the k-th largest at the last cut

    def add(self, x: np.ndarray) -> None:
        for i, row in enumerate(x):
            if self.everything:
                self.low[i] = np.concatenate([self.low[i], row])
                continue
            lo, hi = self.low_bound[i], self.high_bound[i]
            row_low = row if np.isnan(lo) else row[row < lo]
            row_high = row if np.isnan(hi) else row[~(row <= hi)]  # NaN sorts last
            self.low[i] = np.concatenate([self.low[i], row_low])
            self.high[i] = np.concatenate([self.high[i], row_high])
            if len(self.low[i]) >= 2 * self.k:
                self.low[i] = self._smallest(self.low[i])
                self.low_bound[i] = self.low[i].max()
            if len(self.high[i]) >= 2 * self.k:
                self.high[i] = self._largest(self.high[i])
                self.high_bound[i] = self.high[i].min()

    def _smallest(self, values: np.ndarray) -> np.ndarray:
        return np.partition(values, self.k - 1)[:self.k] if len(values) > self.k else values

    def _largest(self, values: np.ndarray) -> np.ndarray:
        cut = len(values) - self.k
        return np.partition(values, cut)[cut:] if cut > 0 else values

    def quantiles(self, q: list[float], rows: slice = slice(None)) -> np.ndarray:
        """(len(q), rows) as ``np.quantile(x[rows], q, axis=1)``, once all n values are in."""
        chosen = range(len(self.low))[rows]
        out = np.empty((len(q), len(chosen)))
        for j, i in enumerate(chosen):
            if self.everything:
                stand_in = self.low[i]
            else:  # the k smallest, then fillers between them and the k largest
                low, high = self._smallest(self.low[i]), self._largest(self.high[i])
                stand_in = np.empty(self.n)
                stand_in[:self.k] = low
                stand_in[self.k:self.n - self.k] = np.max(low)
                stand_in[self.n - self.k:] = high
            out[:, j] = np.quantile(stand_in, q)
        return out


class BlockSums:
    """Per-block sums of rows over blocks of ``m`` consecutive runs 0..n-1, as ``bincount``;
    with m = 1 the values themselves."""

    def __init__(self, rows: int, n: int, m: int):
        self.n, self.m = n, m
        self.k = -(-n // m) if n else 0
        self.sums = np.zeros((rows, self.k))
        self.next_run = 0  # runs before this are in sums
        self.pending = np.zeros((rows, 0))

    def add(self, x: np.ndarray) -> None:
        if self.m == 1:
            self.sums[:, self.next_run:self.next_run + x.shape[1]] = x
            self.next_run += x.shape[1]
            return
        buf = np.concatenate([self.pending, x], axis=1) if self.pending.shape[1] else x
        stop = self.next_run + buf.shape[1]
        whole = stop if stop == self.n else stop - stop % self.m  # end of the last whole block
        used = whole - self.next_run
        if used > 0:
            first = self.next_run // self.m
            index = np.arange(self.next_run, whole) // self.m - first
            blocks = -(-used // self.m)
            for i, row in enumerate(buf[:, :used]):
                self.sums[i, first:first + blocks] = np.bincount(index, weights=row,
                                                                 minlength=blocks)
            self.next_run = whole
        self.pending = buf[:, max(used, 0):].copy()

    def counts(self) -> np.ndarray:
        """Runs per block (float), as ``np.bincount(index).astype(float)``."""
        return block_counts(self.n, self.m)


def block_counts(n: int, m: int) -> np.ndarray:
    """Runs in each block of ``m`` consecutive runs of 0..n-1 (float; the last may be short),
    as ``np.bincount(np.arange(n) // m).astype(float)``."""
    k = -(-n // m) if n else 0
    n_k = np.full(k, float(m))
    if k and n % m:
        n_k[-1] = float(n % m)
    return n_k
