"""The PyTorch fixture of test/io/torch-fixture.test.ts: a graph transformer written in plain PyTorch from the tensor
naming of docs/compression.md alone (no narrowgt code, no narrowgt metadata), trained here, saved as a plain state_dict,
and the logits PyTorch computes — so the test checks, without PyTorch, that narrowgt computes the same function.

  python3 scripts/python/torch_fixture.py make   DIR   # graph.npz, torch-model.safetensors, torch-logits.npy, torch.json
  node dist/src/cli/main.js compress --graph DIR/graph.npz --model DIR/torch-model.safetensors --width 4 \\
       --hidden select --out DIR/narrow.safetensors
  python3 scripts/python/torch_fixture.py narrow DIR   # narrow-torch-logits.npy: narrowgt's narrow file in this module

The module uses the natural logit scale 1/sqrt(d_qk) of its own W_Q and knows nothing of narrowgt's metadata: the
narrow file must carry its function in its tensors (narrowgt folds the wide network's scale into w_q). Needs torch
(Debian: apt-get install python3-torch) and numpy; safetensors files are written and read with struct + json in the
byte layout of safetensors' save_file (an 8-byte header length, a JSON header, the raw little-endian tensors).
"""
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.int64: "I64"}
NUMPY = {"F64": "<f8", "F32": "<f4", "I64": "<i8"}


def save_file(state, path):
    """Writes a state_dict as .safetensors with no metadata, as safetensors.torch.save_file(state, path) does."""
    header, chunks, offset = {}, [], 0
    for name in sorted(state):
        t = state[name].detach().contiguous().cpu()
        raw = t.numpy().astype(NUMPY[DTYPES[t.dtype]]).tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def load_file(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    body = raw[8 + n:]
    return {k: torch.from_numpy(np.frombuffer(body[v["data_offsets"][0]:v["data_offsets"][1]], dtype=NUMPY[v["dtype"]]).reshape(v["shape"]).copy())
            for k, v in header.items()}


class Layer(nn.Module):
    """One post-norm layer of docs/compression.md: half = norm1(skip1(h) + attention), out = norm2(skip2(half) + FFN)."""

    def __init__(self, p, d_qk, d_v, d_h, d_out, attention_skip=False, ffn_skip=False, norm1="bn", norm2="bn"):
        super().__init__()
        self.w_q = nn.Parameter(torch.randn(d_qk, p) / math.sqrt(p))
        self.w_k = nn.Parameter(torch.randn(d_qk, p) / math.sqrt(p))
        self.w_v = nn.Parameter(torch.randn(d_v, p) / math.sqrt(p))
        self.attention_skip = nn.Parameter(torch.zeros(d_v, p)) if attention_skip else None
        self.bn1 = nn.BatchNorm1d(d_v) if norm1 == "bn" else None
        self.norm1 = nn.Linear(d_v, d_v) if norm1 == "affine" else None
        self.w_1 = nn.Parameter(torch.randn(d_h, d_v) / math.sqrt(d_v))
        self.b_1 = nn.Parameter(torch.zeros(d_h))
        self.w_2 = nn.Parameter(torch.randn(d_out, d_h) / math.sqrt(d_h))
        self.b_2 = nn.Parameter(torch.zeros(d_out))
        self.ffn_skip = nn.Parameter(torch.zeros(d_out, d_v)) if ffn_skip else None
        self.bn2 = nn.BatchNorm1d(d_out) if norm2 == "bn" else None
        self.norm2 = nn.Linear(d_out, d_out) if norm2 == "affine" else None

    @staticmethod
    def _norm(bn, affine, y):
        return bn(y) if bn is not None else (affine(y) if affine is not None else y)

    def forward(self, h, dst, src):
        q, k, v = h @ self.w_q.T, h @ self.w_k.T, h @ self.w_v.T
        s = (q[dst] * k[src]).sum(-1) / math.sqrt(q.shape[1])  # the natural scale of this layer's own W_Q
        smax = torch.full((h.shape[0],), -math.inf, dtype=s.dtype).scatter_reduce(0, dst, s, "amax")
        e = torch.exp(s - smax[dst])
        a = e / torch.zeros(h.shape[0], dtype=s.dtype).index_add(0, dst, e)[dst]
        att = torch.zeros(h.shape[0], v.shape[1], dtype=v.dtype).index_add(0, dst, a[:, None] * v[src])
        skip1 = h @ self.attention_skip.T if self.attention_skip is not None else h
        half = self._norm(self.bn1, self.norm1, skip1 + att)
        skip2 = half @ self.ffn_skip.T if self.ffn_skip is not None else half
        out = torch.relu(half @ self.w_1.T + self.b_1) @ self.w_2.T + self.b_2 + skip2
        return self._norm(self.bn2, self.norm2, out)


class Net(nn.Module):
    def __init__(self, layers, d_in, classes):
        super().__init__()
        self.encoder = nn.Linear(d_in, layers[0].w_q.shape[1])
        self.layers = nn.ModuleList(layers)
        self.head = nn.Linear(layers[-1].w_2.shape[0], classes)

    def forward(self, x, dst, src):
        h = self.encoder(x)
        for layer in self.layers:
            h = layer(h, dst, src)
        return self.head(h)

    @staticmethod
    def shaped_like(state):
        """A Net whose parameters have the names and shapes of `state` (what a user builds before load_state_dict)."""
        depth = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("layers."))
        layers = []
        for i in range(depth):
            p = f"layers.{i}."
            norm = lambda w: "bn" if p + f"bn{w}.weight" in state else ("affine" if p + f"norm{w}.weight" in state else None)  # noqa: E731
            layers.append(Layer(state[p + "w_q"].shape[1], state[p + "w_q"].shape[0], state[p + "w_v"].shape[0], state[p + "w_1"].shape[0],
                                state[p + "w_2"].shape[0], p + "attention_skip" in state, p + "ffn_skip" in state, norm(1), norm(2)))
        return Net(layers, state["encoder.weight"].shape[1], state["head.weight"].shape[0])


def pattern(edges, n):
    """dst attends to src: the symmetrized edges plus every self loop (narrowgt's default pattern, graph+self-loops)."""
    pairs = np.unique(np.concatenate([edges, edges[:, ::-1], np.stack([np.arange(n)] * 2, 1)]), axis=0)
    return torch.from_numpy(pairs[:, 0]), torch.from_numpy(pairs[:, 1])


def make(out):
    rng = np.random.default_rng(20261206)
    n, d_in, classes = 90, 6, 3
    x = rng.normal(size=(n, d_in))
    edges = np.array([(i, j) for i in range(n) for j in rng.choice(n, size=3, replace=False) if i != j], dtype=np.int64)
    neighbour_mean = np.zeros((n, d_in))
    np.add.at(neighbour_mean, edges[:, 0], x[edges[:, 1]])
    labels = np.argmax((x + neighbour_mean / 3) @ rng.normal(size=(d_in, classes)), axis=1).astype(np.int64)
    part = np.arange(n) % 4
    masks = {"train_masks": part < 2, "val_masks": part == 2, "test_masks": part == 3}
    np.savez_compressed(out / "graph.npz", node_features=x.astype(np.float32), node_labels=labels, edges=edges,
                        **{k: v[None, :] for k, v in masks.items()})
    torch.manual_seed(0)
    model = Net([Layer(8, 8, 8, 8, 8) for _ in range(2)], d_in, classes).double()
    xt, yt = torch.from_numpy(x.astype(np.float32).astype(np.float64)), torch.from_numpy(labels)
    dst, src = pattern(edges, n)
    train = torch.from_numpy(masks["train_masks"])
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(40):
        model.train()
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xt, dst, src)[train], yt[train])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(xt, dst, src).numpy()
    save_file(model.state_dict(), out / "torch-model.safetensors")
    np.save(out / "torch-logits.npy", logits)
    test = masks["test_masks"]
    info = {"test_accuracy": float((logits[test].argmax(1) == labels[test]).mean()), "torch": torch.__version__, "logit_scale": "1/sqrt(d_qk)"}
    (out / "torch.json").write_text(json.dumps(info, indent=1) + "\n")
    print(json.dumps(info))


def narrow(out):
    state = load_file(out / "narrow.safetensors")
    model = Net.shaped_like(state).double()
    model.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in state.items()}, strict=True)
    model.eval()
    g = np.load(out / "graph.npz")
    x = torch.from_numpy(g["node_features"].astype(np.float64))
    dst, src = pattern(g["edges"].astype(np.int64), x.shape[0])
    with torch.no_grad():
        np.save(out / "narrow-torch-logits.npy", model(x, dst, src).numpy())
    print(f"narrow: {sum(p.numel() for p in model.parameters())} parameters, widths {[l.w_q.shape[1] for l in model.layers]}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "narrow"):
        sys.exit("usage: python3 torch_fixture.py make|narrow DIR")
    target = Path(sys.argv[2])
    target.mkdir(parents=True, exist_ok=True)
    (make if sys.argv[1] == "make" else narrow)(target)
