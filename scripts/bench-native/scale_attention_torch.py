#!/usr/bin/env python3
"""Native peer of the scale benchmark (bench/scale/, docs/performance.md "Scale"): one f32 attention layer
on a generated graph, the way PyTorch Geometric computes it — gather Q[dst] and K[src] per edge, per-edge
scores, scatter max / exp / scatter sum for the softmax, then index_add of the weighted V[src] rows.
The graphs are made as bench/scale/generators.ts makes them (12.5·n random pairs, symmetrized, a self loop
on every node, deduplicated; 'sbm': blocks of 1000 nodes, 90 % of the pairs inside the block), from
NumPy's seeded generator, so of the same kind and size, not bit-identical. Order 'shuffled' renames the
SBM's nodes by a random permutation (as the narrowgt benchmark does), 'blocks' keeps the generator's order
(what a community reordering recovers), 'none' is the uniform graph.
The gathers of the score and output steps run over chunks of edges so the m×D temporaries stay ≤ 256 MiB
(one chunk below 10⁵ nodes at D = 64; the same operations, only fewer at a time); CPU time
(time.process_time), median of ≥ 3 runs after a warm-up, the lesser of 2 runs when one takes > 10 s.
Usage: scale_attention_torch.py KIND N THREADS WIDTHS ORDER   e.g. uniform 100000 1 64,16,4 none
Prints one JSON line per width."""
import json, sys, time
import numpy as np, torch

kind, n, threads, widths, order = sys.argv[1], int(float(sys.argv[2])), int(sys.argv[3]), [int(d) for d in sys.argv[4].split(',')], sys.argv[5]
torch.set_num_threads(threads)
PAIRS_PER_NODE, BLOCK, P_IN = 12.5, 1000, 0.9

def graph():
    rs = np.random.default_rng(1 if kind == 'uniform' else 2)
    pairs = int(round(PAIRS_PER_NODE * n))
    u = rs.integers(0, n, pairs, dtype=np.int64)
    if kind == 'uniform':
        v = rs.integers(0, n, pairs, dtype=np.int64)
    else:
        inside = rs.random(pairs) < P_IN
        b0 = u - u % BLOCK
        size = np.minimum(BLOCK, n - b0)
        v = np.where(inside, b0 + (rs.random(pairs) * size).astype(np.int64), rs.integers(0, n, pairs, dtype=np.int64))
    v = np.where(v == u, (u + 1) % n, v)
    if order == 'shuffled':
        perm = rs.permutation(n)
        u, v = perm[u], perm[v]
    loops = np.arange(n, dtype=np.int64)
    dst = np.concatenate([u, v, loops]); src = np.concatenate([v, u, loops])
    key = np.unique(dst * n + src)               # sorted by row, then column; duplicates dropped
    return torch.from_numpy(key // n), torch.from_numpy(key % n)

dst, src = graph()
m = int(dst.numel())

def attention(Q, K, V, scale):
    D = Q.shape[1]
    chunk = max(1, (256 << 20) // (4 * D * 2))
    s = torch.empty(m)
    for a in range(0, m, chunk):
        b = min(m, a + chunk)
        s[a:b] = (Q.index_select(0, dst[a:b]) * K.index_select(0, src[a:b])).sum(-1)
    s *= scale
    mx = torch.full((n,), -float('inf')).scatter_reduce(0, dst, s, 'amax', include_self=True)
    e = torch.exp(s - mx.index_select(0, dst))
    den = torch.zeros(n).index_add_(0, dst, e)
    w = e / den.index_select(0, dst)
    out = torch.zeros(n, D)
    for a in range(0, m, chunk):
        b = min(m, a + chunk)
        out.index_add_(0, dst[a:b], w[a:b].unsqueeze(1) * V.index_select(0, src[a:b]))
    return out

with torch.no_grad():
    for D in widths:
        try:
            g = torch.Generator().manual_seed(D)
            Q = torch.randn(n, D, generator=g) / D ** 0.5; K = torch.randn(n, D, generator=g) / D ** 0.5; V = torch.randn(n, D, generator=g)
            t = time.process_time(); attention(Q, K, V, 1.0); first = time.process_time() - t
            if first > 10:
                t = time.process_time(); attention(Q, K, V, 1.0); ts = [first, time.process_time() - t]; med = min(ts)
            else:
                ts = []
                while len(ts) < 3 or (sum(ts) < 1 and len(ts) < 20):
                    t = time.process_time(); attention(Q, K, V, 1.0); ts.append(time.process_time() - t)
                med = sorted(ts)[len(ts) // 2]
            print(json.dumps({'kind': kind, 'n': n, 'm': m, 'd': D, 'order': order, 'threads': threads, 'median_ms': med * 1e3,
                              'ns_per_entry': med * 1e9 / m, 'runs': len(ts), 'torch': torch.__version__}), flush=True)
        except RuntimeError as err:  # out of memory
            print(json.dumps({'kind': kind, 'n': n, 'm': m, 'd': D, 'order': order, 'error': str(err).split('\n')[0]}), flush=True)
