#!/usr/bin/env python3
"""Native peer of `node dist/experiments/bench-epoch.js`: one full-batch training epoch (forward,
cross-entropy on the train mask, backward, AdamW step) of the same 4-layer practical graph transformer
as src/model/parameters.ts practicalStructure, on Tolokers with self loops, in PyTorch on CPU, f32:
  H0 = X W_enc^T + b_enc
  per layer: Att = softmax_pattern(Q K^T / sqrt(D)) V;  H1/2 = BN1(H + Att);  H' = BN2(H1/2 + W2 ReLU(W1 H1/2 + b1) + b2)
  logits = H W_head^T + b_head
Attention is computed two ways, both with autograd, and both are timed (the faster one is the peer):
  'scatter' - the PyTorch Geometric style: per-edge scores, scatter max / sum, index_add of weighted V rows;
  'sparse'  - torch.sparse: COO softmax and sparse.mm (the way attention_torch.py computes one layer).
Usage: train_epoch_torch.py GRAPH.npz THREADS [REPEATS] -> median ms of REPEATS epochs after one warm-up."""
import sys, time, numpy as np, torch
path, threads = sys.argv[1], int(sys.argv[2])
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
torch.set_num_threads(threads)
D, LAYERS = 64, 4
g = np.load(path)
E = g['edges']; X = torch.from_numpy(np.asarray(g['node_features'], dtype=np.float32)); n = X.shape[0]
y = torch.from_numpy(np.asarray(g['node_labels'])).long()
train = torch.from_numpy(np.asarray(g['train_masks'])[0].astype(bool)) if 'train_masks' in g.files else torch.ones(n, dtype=torch.bool)
C = int(y.max()) + 1
src = np.concatenate([E[:, 0], E[:, 1], np.arange(n)])
dst = np.concatenate([E[:, 1], E[:, 0], np.arange(n)])
key = np.unique(dst.astype(np.int64) * n + src)          # sorted, deduplicated (row = dst, col = src)
dst, src = key // n, key % n
src_t = torch.from_numpy(src).long(); dst_t = torch.from_numpy(dst).long()
m = len(src)
crow = torch.from_numpy(np.concatenate([[0], np.cumsum(np.bincount(dst, minlength=n))])).long()
coo = torch.stack([dst_t, src_t])

torch.manual_seed(0)
class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = (torch.nn.Linear(D, D, bias=False) for _ in range(3))
        self.w1, self.w2 = torch.nn.Linear(D, D), torch.nn.Linear(D, D)
        self.bn1, self.bn2 = torch.nn.BatchNorm1d(D), torch.nn.BatchNorm1d(D)

def attention_scatter(Q, K, V):
    s = (Q.index_select(0, dst_t) * K.index_select(0, src_t)).sum(-1) / D ** 0.5
    mx = torch.full((n,), -float('inf')).scatter_reduce(0, dst_t, s, 'amax', include_self=True)
    e = torch.exp(s - mx.detach().index_select(0, dst_t))
    den = torch.zeros(n).index_add(0, dst_t, e)
    a = e / den.index_select(0, dst_t)
    return torch.zeros(n, D).index_add(0, dst_t, a.unsqueeze(1) * V.index_select(0, src_t))

def attention_sparse(Q, K, V):
    s = (Q.index_select(0, dst_t) * K.index_select(0, src_t)).sum(-1) / D ** 0.5
    P = torch.sparse.softmax(torch.sparse_coo_tensor(coo, s, (n, n)), dim=1)
    return torch.sparse.mm(P, V)

class Net(torch.nn.Module):
    def __init__(self, att):
        super().__init__()
        self.att = att
        self.enc = torch.nn.Linear(X.shape[1], D)
        self.layers = torch.nn.ModuleList(Layer() for _ in range(LAYERS))
        self.head = torch.nn.Linear(D, C)
    def forward(self, x):
        h = self.enc(x)
        for L in self.layers:
            half = L.bn1(h + self.att(L.q(h), L.k(h), L.v(h)))
            h = L.bn2(half + L.w2(torch.relu(L.w1(half))))
        return self.head(h)

for name, att in (('scatter', attention_scatter), ('sparse', attention_sparse)):
    net = Net(att); net.train()
    opt = torch.optim.AdamW(net.parameters(), lr=0.01, weight_decay=0.01)
    def epoch():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(X)[train], y[train])
        loss.backward(); opt.step()
        return float(loss)
    try:
        epoch(); ts = []
        for _ in range(repeats):
            t = time.perf_counter(); epoch(); ts.append(time.perf_counter() - t)
        print(f"train_epoch_{name}: n={n} m={m} D={D} layers={LAYERS} threads={threads} median_ms={sorted(ts)[len(ts) // 2] * 1e3:.1f}")
    except RuntimeError as err:  # an autograd path this torch version lacks
        print(f"train_epoch_{name}: unavailable in torch {torch.__version__}: {err}")
