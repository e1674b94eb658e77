#!/usr/bin/env python3
"""Native peer of `npm run bench -- --filter model`: the same 4-layer D = 64 network as
bench/model-setup.ts (encoder 10 -> 64; per layer Q, K, V 64 -> 64, logits scaled by 1/sqrt(64),
identity skips around attention and around the FFN 64 -> 64 -> 64 with ReLU) on Tolokers with self
loops, in PyTorch on CPU with torch.sparse CSR attention, the way attention_torch.py computes one layer.
Weights are random (timing does not depend on their values).
Usage: forward_torch.py GRAPH.npz THREADS  -> median ms of 7 forwards (f32), after one warm-up."""
import sys, time, numpy as np, torch
path, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
D, LAYERS = 64, 4
g = np.load(path)
E = g['edges']; X = torch.from_numpy(np.asarray(g['node_features'], dtype=np.float32)); n = X.shape[0]
src = np.concatenate([E[:, 0], E[:, 1], np.arange(n)])
dst = np.concatenate([E[:, 1], E[:, 0], np.arange(n)])
order = np.lexsort((src, dst)); src, dst = src[order], dst[order]
src_t = torch.from_numpy(src).long(); dst_t = torch.from_numpy(dst).long()
crow = torch.from_numpy(np.concatenate([[0], np.cumsum(np.bincount(dst, minlength=n))])).long()
gen = torch.Generator().manual_seed(0)
def w(out, inp): return torch.randn(out, inp, generator=gen) / inp ** 0.5
enc_w, enc_b = w(D, X.shape[1]), torch.zeros(D)
layers = [dict(q=w(D, D), k=w(D, D), v=w(D, D), w1=w(D, D), b1=torch.zeros(D), w2=w(D, D), b2=torch.zeros(D)) for _ in range(LAYERS)]

def attention(Q, K, V):
    s = (Q.index_select(0, dst_t) * K.index_select(0, src_t)).sum(-1) / D ** 0.5
    A = torch.sparse_csr_tensor(crow, src_t, s, (n, n))
    P = torch.sparse.softmax(A.to_sparse_coo(), dim=1)
    return torch.sparse.mm(P, V)

def forward():
    with torch.no_grad():
        h = X @ enc_w.T + enc_b
        for L in layers:
            half = h + attention(h @ L['q'].T, h @ L['k'].T, h @ L['v'].T)
            h = half + torch.relu(half @ L['w1'].T + L['b1']) @ L['w2'].T + L['b2']
        return h

forward(); ts = []
for _ in range(7):
    t = time.perf_counter(); forward(); ts.append(time.perf_counter() - t)
print(f"forward_4_layers: n={n} m={len(src)} D={D} threads={threads} median_ms={sorted(ts)[3] * 1e3:.2f}")
