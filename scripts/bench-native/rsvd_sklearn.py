#!/usr/bin/env python3
"""scikit-learn's randomized_svd on the rSVD case of bench/relaxed-simd.ts and bench/linalg.ts: 20000x256 of rank 16
plus 1e-3 noise, k = 16, n_oversamples = 10, n_iter = 2, one thread. Prints one JSON line (ms: median, min, max).
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/bench-native/rsvd_sklearn.py [ROUNDS] [wall|cpu]
cpu times with time.process_time (this process's CPU time), as bench/relaxed-simd.ts --clock cpu does."""
import json, sys, time
import numpy as np
from sklearn.utils.extmath import randomized_svd

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
clock = sys.argv[2] if len(sys.argv) > 2 else "wall"
now = time.process_time if clock == "cpu" else time.perf_counter
rng = np.random.default_rng(0)
n, d, r = 20000, 256, 16
L = rng.standard_normal((n, r)) @ rng.standard_normal((r, d)) + 1e-3 * rng.standard_normal((n, d))
run = lambda: randomized_svd(L, 16, n_oversamples=10, n_iter=2, random_state=0)
run(); run()
times = []
for _ in range(rounds):
    t = now(); run(); times.append((now() - t) * 1e3)
times.sort()
print(json.dumps({"runtime": "python scikit-learn", "clock": clock, "work": "randomized_svd 20000x256 k=16 p=10 q=2",
                  "ms": {"median": round(times[len(times) // 2], 2), "min": round(times[0], 2), "max": round(times[-1], 2)}}))
