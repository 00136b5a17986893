"""A small force-directed (Fruchterman-Reingold) layout in numpy, for graphs of at most a few
hundred nodes (the Atlas tab's neighbourhood view). O(n^2) memory and time per iteration.

Same force model as networkx's ``spring_layout``: every pair of nodes repels with k^2 / d, every
edge attracts with w * d^2 / k (w = edge weight, larger = pulled closer), and a temperature
that cools linearly caps each step. Seeded, so the same graph always gets the same picture.
"""
from __future__ import annotations

import numpy as np

MAX_NODES = 1000  # dense pairwise forces; the neighbourhood view uses a few dozen nodes


def spring_layout(n: int, edges, weights=None, seed: int = 0, iterations: int = 200) -> np.ndarray:
    """Positions [n, 2] (float64) scaled into [-1, 1] on the larger axis, centred at 0.

    ``edges``: (i, j) node index pairs; ``weights``: one positive weight per edge (default 1;
    higher = stronger attraction). Duplicate edges add their weights.
    """
    if n < 0 or n > MAX_NODES:
        raise ValueError(f"spring_layout handles 0..{MAX_NODES} nodes, got {n}")
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    w = np.ones(len(e)) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if len(w) != len(e):
        raise ValueError(f"{len(e)} edges but {len(w)} weights")
    if len(e) and (e.min() < 0 or e.max() >= n):
        raise ValueError("edge endpoint out of range")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("edge weights must be finite and non-negative")
    adj = np.zeros((n, n))
    np.add.at(adj, (e[:, 0], e[:, 1]), w)
    np.add.at(adj, (e[:, 1], e[:, 0]), w)
    np.fill_diagonal(adj, 0.0)

    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1.0, 1.0, size=(n, 2))
    k = np.sqrt(1.0 / n)           # optimal distance for a unit area
    t = 0.1                        # initial temperature: largest step, in layout units
    dt = t / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]                 # [n, n, 2]
        dist = np.maximum(np.linalg.norm(delta, axis=-1), 1e-3)  # avoid division by zero
        force = k * k / dist ** 2 - adj * dist / k                # >0 pushes apart
        disp = np.einsum("ijk,ij->ik", delta, force)
        length = np.maximum(np.linalg.norm(disp, axis=-1), 1e-2)
        pos += disp * (t / length)[:, None]
        t -= dt
    pos -= pos.mean(axis=0)
    scale = np.abs(pos).max()
    return pos / scale if scale > 0 else pos
