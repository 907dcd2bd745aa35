#!/usr/bin/env python3
"""Rounding error of Winograd F(4x4, 3x3) for several sets of interpolation points, and of F(2x2, 3x3), in a float32
model of the algorithm (every product and sum rounded to float32), against the float64 direct sum.

Prints, per point set, the worst and the mean of |error| / sum(|x * w|) over the outputs of random 6x6 tiles (inputs and
filters uniform in [-1, 1]): the measure Conv2dKernelsTest bounds by 2e-6. Conv2dWinograd4Kernels uses the set with the
smallest worst error. Usage: /usr/bin/python3 bench/winograd_points.py [channels...]   (default 32 64 128)
"""
import sys

import numpy as np

F32 = np.float32


def matrices(points, m, r=3):
    """A^T (m x n), G (n x r), B^T (n x n) of F(m, r) for n - 1 finite points and infinity."""
    n = m + r - 1
    at = np.zeros((m, n))
    g = np.zeros((n, r))
    for j, a in enumerate(points):
        at[:, j] = [a ** i for i in range(m)]
        scale = np.prod([a - b for b in points if b != a])
        g[j] = [a ** k / scale for k in range(r)]
    at[m - 1, n - 1] = 1
    g[n - 1, r - 1] = 1
    # B^T follows from exactness: sum_j A^T[i, j] G[j, k] B^T[j, l] = [l == i + k] for every i, k, l
    rows, rhs = [], []
    for i in range(m):
        for k in range(r):
            for l in range(n):
                row = np.zeros(n * n)
                row[[j * n + l for j in range(n)]] = at[i] * g[:, k]
                rows.append(row)
                rhs.append(1.0 if l == i + k else 0.0)
    sol = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)[0]
    assert np.allclose(np.array(rows) @ sol, rhs, atol=1e-9), points
    return at, g, sol.reshape(n, n)


def winograd(d, w, at, g, bt):
    """One tile: d (c, n, n), w (c, o, 3, 3) -> (o, m, m), every step in float32."""
    at, g, bt = at.astype(F32), g.astype(F32), bt.astype(F32)
    v = np.einsum('ij,cjk,lk->cil', bt, d, bt).astype(F32)
    u = np.einsum('ij,cojk,lk->coil', g, w, g).astype(F32)
    mm = np.einsum('cil,coil->oil', v, u).astype(F32)
    return np.einsum('ij,ojk,lk->oil', at, mm, at).astype(F32)


def errors(channels, m, points, rng, trials=30, filters=4):
    at, g, bt = matrices(points, m)
    worst, mean = 0.0, 0.0
    for _ in range(trials):
        d = rng.uniform(-1, 1, (channels, 6, 6)).astype(F32)
        w = rng.uniform(-1, 1, (channels, filters, 3, 3)).astype(F32)
        out = np.zeros((filters, 4, 4), F32)
        for y0 in range(0, 4, m):
            for x0 in range(0, 4, m):
                out[:, y0:y0 + m, x0:x0 + m] = winograd(d[:, y0:y0 + m + 2, x0:x0 + m + 2], w, at, g, bt)
        ref = np.zeros((filters, 4, 4))
        mag = np.zeros((filters, 4, 4))
        for y in range(4):
            for x in range(4):
                window = d[:, y:y + 3, x:x + 3].astype(np.float64)
                ref[:, y, x] = np.einsum('cjk,cojk->o', window, w.astype(np.float64))
                mag[:, y, x] = np.einsum('cjk,cojk->o', np.abs(window), np.abs(w).astype(np.float64))
        e = np.abs(out - ref) / mag
        worst, mean = max(worst, e.max()), mean + e.mean() / trials
    return worst, mean


def main():
    channels = [int(a) for a in sys.argv[1:]] or [32, 64, 128]
    sets = [(4, [0, 1, -1, 2, -2]), (4, [0, 1, -1, 0.5, -0.5]), (4, [0, 1, -1, 2, -0.5]), (4, [0, 1, -1, 0.5, -2]),
            (2, [0, 1, -1])]
    for c in channels:
        for m, points in sets:
            worst, mean = errors(c, m, points, np.random.default_rng(0))
            print(f"F({m}x{m}, 3x3) points {points} + inf, {c} channels: worst {worst:.2e}, mean {mean:.2e}")


if __name__ == '__main__':
    main()
