"""Graph transformers in and out of narrowgt as .safetensors (tensor naming: docs/compression.md).

Two halves:
  * GraphTransformer, a PyTorch nn.Module whose state_dict keys ARE narrowgt's tensor names, with
    to_safetensors / from_safetensors. Train the wide network here, export it, compress it with
    `narrowgt compress`, import the narrow one back. Needs torch and safetensors (pip install torch safetensors).
  * numpy_forward, the same forward in NumPy alone (reads the file with json + numpy), used to check the naming
    against narrowgt without PyTorch:  python3 narrowgt_torch.py check MODEL.safetensors GRAPH.npz

The graph: node i attends to j when (i, j) is an edge of the symmetrized graph with self loops added, the
pattern narrowgt's loadGraph builds (Shirzad et al. 2024, Sec. 2). Each layer (post-norm, docs/theory.md §2):
  half = norm1(skip1(h) + softmax_j(scale * q_i . k_j) v)     out = norm2(skip2(half) + W_2 relu(W_1 half + b_1) + b_2)
"""
import json
import math
import struct
import sys

import numpy as np

FORMAT = "narrowgt.graph-transformer"


# ---------------------------------------------------------------- PyTorch (needs torch, safetensors)

def _torch():
    import torch  # noqa: F401  (imported lazily so `check` runs without PyTorch)
    return torch


def make_module_classes():
    torch = _torch()
    nn = torch.nn

    class Layer(nn.Module):
        def __init__(self, p, d_qk, d_v, d_h, d_out, attention_skip="identity", ffn_skip="identity",
                     norm1="batchnorm", norm2="batchnorm", logit_scale=None):
            super().__init__()
            self.w_q = nn.Parameter(torch.randn(d_qk, p) / math.sqrt(p))
            self.w_k = nn.Parameter(torch.randn(d_qk, p) / math.sqrt(p))
            self.w_v = nn.Parameter(torch.randn(d_v, p) / math.sqrt(p))
            self.attention_skip = nn.Parameter(torch.eye(d_v, p)) if attention_skip == "matrix" else None
            self.skip_kinds = (attention_skip, ffn_skip)
            if norm1 == "batchnorm":
                self.bn1 = nn.BatchNorm1d(d_v)
            elif norm1 == "affine":
                self.norm1 = nn.Linear(d_v, d_v)
            self.w_1 = nn.Parameter(torch.randn(d_h, d_v) / math.sqrt(d_v))
            self.b_1 = nn.Parameter(torch.zeros(d_h))
            self.w_2 = nn.Parameter(torch.randn(d_out, d_h) / math.sqrt(d_h))
            self.b_2 = nn.Parameter(torch.zeros(d_out))
            self.ffn_skip = nn.Parameter(torch.eye(d_out, d_v)) if ffn_skip == "matrix" else None
            if norm2 == "batchnorm":
                self.bn2 = nn.BatchNorm1d(d_out)
            elif norm2 == "affine":
                self.norm2 = nn.Linear(d_out, d_out)
            self.logit_scale = logit_scale if logit_scale is not None else 1 / math.sqrt(d_qk)

        def _norm(self, which, y):
            for name in (f"bn{which}", f"norm{which}"):
                if hasattr(self, name):
                    return getattr(self, name)(y)
            return y

        def _skip(self, kind, weight, h):
            return h if kind == "identity" else (h @ weight.T if kind == "matrix" else 0)

        def forward(self, h, dst, src):
            q, k, v = h @ self.w_q.T, h @ self.w_k.T, h @ self.w_v.T
            s = self.logit_scale * (q[dst] * k[src]).sum(-1)
            smax = torch.full((h.shape[0],), -math.inf, dtype=s.dtype).scatter_reduce(0, dst, s, "amax")
            e = torch.exp(s - smax[dst])
            z = torch.zeros(h.shape[0], dtype=s.dtype).index_add(0, dst, e)
            a = e / z[dst]
            att = torch.zeros(h.shape[0], v.shape[1], dtype=v.dtype).index_add(0, dst, a[:, None] * v[src])
            half = self._norm(1, self._skip(self.skip_kinds[0], self.attention_skip, h) + att)
            hidden = torch.relu(half @ self.w_1.T + self.b_1)
            out = hidden @ self.w_2.T + self.b_2 + self._skip(self.skip_kinds[1], self.ffn_skip, half)
            return self._norm(2, out)

    class GraphTransformer(nn.Module):
        """The practical graph transformer of App. D.2; state_dict keys follow docs/compression.md."""

        def __init__(self, layers, d_in, classes):
            super().__init__()
            self.encoder = nn.Linear(d_in, layers[0].w_q.shape[1])
            self.layers = nn.ModuleList(layers)
            self.head = nn.Linear(layers[-1].w_2.shape[0], classes)

        @staticmethod
        def wide(d_in, width=64, depth=4, classes=2):
            return GraphTransformer([Layer(width, width, width, width, width) for _ in range(depth)], d_in, classes)

        def forward(self, x, dst, src):
            h = self.encoder(x)
            for layer in self.layers:
                h = layer(h, dst, src)
            return self.head(h)

        def to_safetensors(self, path):
            from safetensors.torch import save_file
            state = {k: v.detach().contiguous() for k, v in self.state_dict().items()}
            kinds = lambda i: [l.skip_kinds[i] for l in self.layers]  # noqa: E731
            metadata = {"format": FORMAT, "version": "1", "variant": "practical", "activation": "relu",
                        "depth": str(len(self.layers)), "logit_scales": json.dumps([l.logit_scale for l in self.layers]),
                        "attention_skip": json.dumps(kinds(0)), "ffn_skip": json.dumps(kinds(1)),
                        "bn_epsilon": str(self.layers[0].bn1.eps if hasattr(self.layers[0], "bn1") else 1e-5)}
            save_file(state, path, metadata=metadata)

        @staticmethod
        def from_safetensors(path):
            from safetensors import safe_open
            with safe_open(path, "pt") as f:
                meta = f.metadata() or {}
                t = {k: f.get_tensor(k) for k in f.keys()}
            depth = int(meta.get("depth", 1 + max(int(k.split(".")[1]) for k in t if k.startswith("layers."))))
            scales = json.loads(meta["logit_scales"]) if "logit_scales" in meta else [None] * depth
            att = json.loads(meta.get("attention_skip", "null")) or ["identity"] * depth
            ffn = json.loads(meta.get("ffn_skip", "null")) or ["identity"] * depth
            layers = []
            for i in range(depth):
                p = f"layers.{i}."
                norm = lambda w: "batchnorm" if p + f"bn{w}.weight" in t else ("affine" if p + f"norm{w}.weight" in t else None)  # noqa: E731
                layers.append(Layer(t[p + "w_q"].shape[1], t[p + "w_q"].shape[0], t[p + "w_v"].shape[0], t[p + "w_1"].shape[0],
                                    t[p + "w_2"].shape[0], att[i], ffn[i], norm(1), norm(2), scales[i]))
            model = GraphTransformer(layers, t["encoder.weight"].shape[1], t["head.weight"].shape[0])
            state = {k: (v.float() if v.is_floating_point() else v) for k, v in t.items()}
            res = model.load_state_dict(state, strict=False)  # narrowgt files carry no num_batches_tracked
            bad = [k for k in res.missing_keys if not k.endswith("num_batches_tracked")] + list(res.unexpected_keys)
            if bad:
                raise ValueError(f"{path}: tensors do not match the naming of docs/compression.md: {bad}")
            return model.eval()

    return Layer, GraphTransformer


# ---------------------------------------------------------------- NumPy only: read the file and run the forward

def read_safetensors(path):
    """(tensors, metadata) of a .safetensors file with json + numpy (the format: an 8-byte header length, JSON, bytes)."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    types = {"F64": "<f8", "F32": "<f4", "I64": "<i8"}
    body = raw[8 + n:]
    tensors = {k: np.frombuffer(body[v["data_offsets"][0]:v["data_offsets"][1]], dtype=types[v["dtype"]]).reshape(v["shape"])
               for k, v in header.items()}
    return tensors, meta


def numpy_forward(path, x, dst, src):
    """Logits of the model file on features x (n×d_in) and pattern edges (dst attends to src), in float64."""
    t, meta = read_safetensors(path)
    t = {k: v.astype(np.float64) for k, v in t.items() if not k.endswith("num_batches_tracked")}
    eps = float(meta.get("bn_epsilon", "1e-5"))
    depth = int(meta["depth"])
    # narrowgt folds each layer's logit scale into w_q and then records none: the natural 1/sqrt(d_qk) applies.
    scales = json.loads(meta["logit_scales"]) if "logit_scales" in meta else [1 / math.sqrt(t[f"layers.{i}.w_q"].shape[0]) for i in range(depth)]
    kinds = json.loads(meta["attention_skip"]), json.loads(meta["ffn_skip"])
    n = x.shape[0]

    def norm(prefix, y):
        if prefix.replace("norm", "bn") + ".weight" in t:
            b = prefix.replace("norm", "bn")
            g = t[b + ".weight"] / np.sqrt(t[b + ".running_var"] + eps)
            return y * g + (t[b + ".bias"] - g * t[b + ".running_mean"])
        if prefix + ".weight" in t:
            return y @ t[prefix + ".weight"].T + t.get(prefix + ".bias", 0)
        return y

    def skip(kind, name, h):
        return h if kind == "identity" else (h @ t[name].T if kind == "matrix" else 0)

    h = x @ t["encoder.weight"].T + t["encoder.bias"]
    for i in range(depth):
        p = f"layers.{i}."
        q, k, v = h @ t[p + "w_q"].T, h @ t[p + "w_k"].T, h @ t[p + "w_v"].T
        s = scales[i] * np.einsum("ed,ed->e", q[dst], k[src])
        smax = np.full(n, -np.inf)
        np.maximum.at(smax, dst, s)
        e = np.exp(s - smax[dst])
        z = np.zeros(n)
        np.add.at(z, dst, e)
        att = np.zeros((n, v.shape[1]))
        np.add.at(att, dst, (e / z[dst])[:, None] * v[src])
        half = norm(p + "norm1", skip(kinds[0][i], p + "attention_skip", h) + att)
        hidden = np.maximum(half @ t[p + "w_1"].T + t.get(p + "b_1", 0), 0)
        h = norm(p + "norm2", hidden @ t[p + "w_2"].T + t.get(p + "b_2", 0) + skip(kinds[1][i], p + "ffn_skip", half))
    return h @ t["head.weight"].T + t["head.bias"]


def load_graph(npz_path, split=0, self_loops=True):
    """Features, labels, test mask and the attention pattern (symmetrized, with the self loops unless told otherwise)
    of a Platonov-layout .npz. Full and expander patterns (a file's attention_pattern metadata) are not built here."""
    g = np.load(npz_path)
    x = g["node_features"].astype(np.float64)
    n = x.shape[0]
    e = g["edges"].astype(np.int64)
    loops = [np.stack([np.arange(n)] * 2, 1)] if self_loops else []
    pairs = np.unique(np.concatenate([e, e[:, ::-1], *loops]), axis=0)
    return x, g["node_labels"], g["test_masks"][split], pairs[:, 0], pairs[:, 1]


def roc_auc(scores, labels):
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    s = scores[order]
    i = 0
    while i < len(s):  # average ranks of ties
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = labels == 1
    return (ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum())


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "check":
        sys.exit("usage: python3 narrowgt_torch.py check MODEL.safetensors GRAPH.npz")
    pattern = json.loads(read_safetensors(sys.argv[2])[1].get("attention_pattern", '{"kind": "graph", "selfLoops": true}'))
    if pattern["kind"] != "graph":
        sys.exit(f"{sys.argv[2]} records attention pattern {pattern}; this check builds only the graph with or without self loops")
    x, y, test, dst, src = load_graph(sys.argv[3], self_loops=pattern["selfLoops"])
    logits = numpy_forward(sys.argv[2], x, dst, src)
    print(f"test ROC AUC (NumPy forward of {sys.argv[2]}): {roc_auc(logits[test, 1] - logits[test, 0], y[test]):.4f}")
