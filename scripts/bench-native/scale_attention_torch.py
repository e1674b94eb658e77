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
(one chunk below 10⁵ nodes at D = 64; the same operations, only fewer at a time).
THREADS is a list (e.g. 1,2): the caller sets OMP/MKL/OpenBLAS_NUM_THREADS to the largest, and each timed
run first calls torch.set_num_threads(t); the counts alternate their order from round to round, so they see
the same load (as bench/scale/case.ts). Every run records wall time (time.perf_counter) and CPU time
(time.process_time, summed over all threads); on t > 1 threads only the wall time is the call's duration.
Per width and count: one warm-up run, then rounds until each count has ≥ 3 runs and ≥ 1 s (medians); when a
warm-up takes > 4 s (wall, the slowest count's), one more round and the lesser of the 2 runs, as case.ts.
Usage: scale_attention_torch.py KIND N THREADS WIDTHS ORDER   e.g. uniform 100000 1,2 64,16,4 none
Prints one JSON line per width and thread count."""
import json, sys, time
import numpy as np, torch

kind, n, widths, order = sys.argv[1], int(float(sys.argv[2])), [int(d) for d in sys.argv[4].split(',')], sys.argv[5]
counts = sorted({int(t) for t in sys.argv[3].split(',')})
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

def timed(Q, K, V):
    """{t: (wall list, cpu list)} over the alternating rounds (see the docstring); returns it and the reducer."""
    runs = {t: ([], []) for t in counts}
    def once(t):
        torch.set_num_threads(t)
        w, c = time.perf_counter(), time.process_time()
        attention(Q, K, V, 1.0)
        runs[t][1].append(time.process_time() - c); runs[t][0].append(time.perf_counter() - w)
    for t in counts: once(t)
    if max(runs[t][0][0] for t in counts) > 4:
        for t in reversed(counts): once(t)
        return runs, min
    for t in counts: runs[t][0].clear(); runs[t][1].clear()
    r = 0
    while not all(len(runs[t][0]) >= 20 or (len(runs[t][0]) >= 3 and sum(runs[t][0]) >= 1) for t in counts):
        for t in (reversed(counts) if r % 2 else counts): once(t)
        r += 1
    return runs, lambda xs: sorted(xs)[len(xs) // 2]

with torch.no_grad():
    for D in widths:
        try:
            g = torch.Generator().manual_seed(D)
            Q = torch.randn(n, D, generator=g) / D ** 0.5; K = torch.randn(n, D, generator=g) / D ** 0.5; V = torch.randn(n, D, generator=g)
            runs, reduce = timed(Q, K, V)
            for t in counts:
                wall, cpu = reduce(runs[t][0]), reduce(runs[t][1])
                print(json.dumps({'kind': kind, 'n': n, 'm': m, 'd': D, 'order': order, 'threads': t, 'wall_ms': wall * 1e3, 'cpu_ms': cpu * 1e3,
                                  'runs': len(runs[t][0]), 'torch': torch.__version__, 'torch_threads': torch.get_num_threads()}), flush=True)
        except RuntimeError as err:  # out of memory
            print(json.dumps({'kind': kind, 'n': n, 'm': m, 'd': D, 'order': order, 'error': str(err).split('\n')[0]}), flush=True)
