import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  init, csrFromEdges, CsrGraph, DenseMatrix, rng, sparseAttention, forward, trainNodeClassifier, type NodeClassificationData,
  reorderNodes, orderingFromPermutation, permuteGraph, permuteRows, unpermuteRows, permuteArray, unpermuteArray,
  permuteNodeData, graphBandwidth, IndexError, InputError, ShapeError, type NodeOrdering, type ReorderMethod,
} from '../../src/index.js';
import { fcParams, announceSeed } from '../support/fc.js';
import { withBackend } from '../support/backends.js';
import { practicalModel } from '../support/models.js';

announceSeed('test/graph/reorder.test.ts');
await init();

const METHODS: ReorderMethod[] = ['rcm', 'bfs', 'community'];

function entries(g: CsrGraph): string[] {
  const rp = g.rowPtr.array, ci = g.colIdx.array, out: string[] = [];
  for (let i = 0; i < g.numRows; i++) for (let e = rp[i]; e < rp[i + 1]; e++) out.push(`${i},${ci[e]}`);
  return out;
}

function assertBijection(o: NodeOrdering, n: number): void {
  assert.equal(o.newToOld.length, n);
  assert.equal(o.oldToNew.length, n);
  const seen = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const i = o.newToOld[p];
    assert.ok(Number.isInteger(i) && i >= 0 && i < n, `newToOld[${p}] = ${i} in range`);
    assert.equal(seen[i], 0, `node ${i} placed once`);
    seen[i] = 1;
    assert.equal(o.oldToNew[i], p, 'oldToNew inverts newToOld');
  }
}

/** A random graph on n nodes from fast-check pairs, optionally symmetrized. */
const randomGraph = fc.record({
  n: fc.integer({ min: 1, max: 40 }),
  raw: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 150 }),
  symmetric: fc.boolean(), selfLoops: fc.boolean(),
}).map(({ n, raw, symmetric, selfLoops }) => ({
  n, symmetric,
  graph: csrFromEdges(raw.map((e) => e[0] % n), raw.map((e) => e[1] % n), { numNodes: n, symmetrize: symmetric, selfLoops }),
}));

/** A random permutation of 0..n−1 (seeded). */
function shuffle(n: number, seed: number): NodeOrdering {
  return orderingFromPermutation(rng(seed).permutation(n));
}

function pathGraph(n: number): CsrGraph {
  const rows: number[] = [], cols: number[] = [];
  for (let i = 0; i + 1 < n; i++) { rows.push(i); cols.push(i + 1); }
  return csrFromEdges(rows, cols, { numNodes: n, symmetrize: true, selfLoops: true });
}

function gridGraph(r: number, c: number): CsrGraph {
  const rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) {
    if (j + 1 < c) { rows.push(i * c + j); cols.push(i * c + j + 1); }
    if (i + 1 < r) { rows.push(i * c + j); cols.push((i + 1) * c + j); }
  }
  return csrFromEdges(rows, cols, { numNodes: r * c, symmetrize: true, selfLoops: true });
}

test('every method returns a bijection and its inverse, deterministically, on any graph', () => {
  fc.assert(fc.property(randomGraph, fc.constantFrom(...METHODS), fc.integer({ min: 0, max: 1000 }), ({ n, graph, symmetric }, method, seed) => {
    for (const sym of symmetric ? [true, false] : [false]) {
      const o = reorderNodes(graph, { method, symmetric: sym, seed });
      assertBijection(o, n);
      assert.equal(o.method, method);
      const again = reorderNodes(graph, { method, symmetric: sym, seed });
      assert.deepEqual(again.newToOld, o.newToOld, 'same graph and options → same order');
      if (method === 'community') {
        const c = o.communities as Int32Array;
        assert.equal(c.length, n);
        // communities are laid out contiguously and numbered in layout order
        for (let p = 1; p < n; p++) assert.ok(c[o.newToOld[p]] === c[o.newToOld[p - 1]] || c[o.newToOld[p]] === c[o.newToOld[p - 1]] + 1);
        if (n > 0) assert.equal(c[o.newToOld[0]], 0);
      }
    }
    graph.free();
  }), fcParams(150));
});

test('permuteGraph holds exactly the relabelled entries, rows in their original order (or sorted)', () => {
  fc.assert(fc.property(randomGraph, fc.integer(), ({ n, graph }, seed) => {
    const o = shuffle(n, seed);
    const p = permuteGraph(graph, o), s = permuteGraph(graph, o, { sortColumns: true });
    const rp = graph.rowPtr.array, ci = graph.colIdx.array;
    const want: string[] = [];
    for (let q = 0; q < n; q++) {
      const i = o.newToOld[q];
      for (let e = rp[i]; e < rp[i + 1]; e++) want.push(`${q},${o.oldToNew[ci[e]]}`);
    }
    assert.deepEqual(entries(p), want, 'row q is row newToOld[q], columns renamed, order kept');
    assert.deepEqual(new Set(entries(s)), new Set(want));
    const srp = s.rowPtr.array, sci = s.colIdx.array;
    for (let q = 0; q < n; q++) for (let e = srp[q] + 1; e < srp[q + 1]; e++) assert.ok(sci[e - 1] < sci[e], 'sorted');
    assert.equal(p.maxDegree, graph.maxDegree);
    // the inverse ordering maps the permuted graph back to the original, entry for entry
    const back = permuteGraph(p, orderingFromPermutation(o.oldToNew));
    assert.deepEqual(entries(back), entries(graph));
    for (const g of [graph, p, s, back]) g.free();
  }), fcParams(150));
});

test('permuteRows / unpermuteRows and permuteArray / unpermuteArray are inverse, exactly', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (n, d, seed) => {
    const o = shuffle(n, seed);
    const x = DenseMatrix.from(rng(seed).fillNormal(new Float32Array(n * d)), n, d, 'f32');
    const px = permuteRows(x, o);
    for (let q = 0; q < n; q++) for (let c = 0; c < d; c++) assert.equal(px.get(q, c), x.get(o.newToOld[q], c));
    assert.deepEqual(unpermuteRows(px, o).data, x.data);
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 5), plain = Array.from({ length: n }, (_, i) => i / 3);
    const pl = permuteArray(labels, o);
    assert.ok(pl instanceof Int32Array);
    for (let q = 0; q < n; q++) assert.equal(pl[q], labels[o.newToOld[q]]);
    assert.deepEqual(unpermuteArray(pl, o), labels);
    assert.deepEqual(unpermuteArray(permuteArray(plain, o), o), plain);
  }), fcParams(100));
});

test('attention and the forward on the reordered graph map back to the original outputs bit for bit', async () => {
  // sortColumns false keeps each row's entries in their order, and every kernel works row by row: the fused
  // attention of Sec. 2 of the paper (docs/theory.md §2) per destination row, the GEMMs per row with a fixed
  // k order, the folded batch norms per row. So each output row is the same arithmetic on the same numbers.
  const g = rng(5), n = 300, d = 16;
  const rows: number[] = [], cols: number[] = [];
  for (let e = 0; e < 3000; e++) { rows.push(g.int(n)); cols.push(g.int(n)); }
  const graph = csrFromEdges(rows, cols, { numNodes: n, symmetrize: true, selfLoops: true });
  for (const method of METHODS) {
    const o = reorderNodes(graph, { method, symmetric: true });
    const pg = permuteGraph(graph, o);
    for (const backend of ['wasm-simd', 'js'] as const) {
      await withBackend(backend, () => {
        for (const dtype of ['f32', 'f64'] as const) {
          const mk = (): DenseMatrix => DenseMatrix.from(g.fillNormal(new Float64Array(n * d), 0.5), n, d, dtype);
          const q = mk(), k = mk(), v = mk();
          const ref = sparseAttention(q, k, v, graph, { scale: 0.25, returnWeights: true });
          const got = sparseAttention(permuteRows(q, o), permuteRows(k, o), permuteRows(v, o), pg, { scale: 0.25, returnWeights: true });
          assert.deepEqual(unpermuteRows(got.output, o).data, ref.output.data, `${method} ${backend} ${dtype} attention`);
          // weights come in the permuted CSR order: entry t of permuted row q is entry t of original row newToOld[q]
          const rp = graph.rowPtr.array, prp = pg.rowPtr.array, w = ref.weights?.array as Float64Array, pw = got.weights?.array as Float64Array;
          for (let p = 0; p < n; p++) {
            const i = o.newToOld[p];
            for (let t = 0; t < rp[i + 1] - rp[i]; t++) assert.equal(pw[prp[p] + t], w[rp[i] + t]);
          }
        }
      });
    }
    const model = practicalModel(rng(11), { dIn: 7, width: 16, depth: 3, beta: 1, classes: 3 });
    const x = DenseMatrix.from(g.fillNormal(new Float64Array(n * 7)), n, 7, 'f64');
    for (const dtype of ['f32', 'f64'] as const) {
      const ref = forward(model, x, graph, { dtype }).output;
      const got = forward(model, permuteRows(x, o), pg, { dtype }).output;
      assert.deepEqual(unpermuteRows(got, o).data, ref.data, `${method} ${dtype} forward`);
    }
    pg.free();
  }
});

test('RCM gives a shuffled path bandwidth 1 and a shuffled grid at most 2·min(r, c) − 1', () => {
  const path = pathGraph(500), shuffled = permuteGraph(path, shuffle(500, 3));
  assert.ok(graphBandwidth(shuffled).bandwidth > 100, 'the shuffle destroyed the order');
  const o = reorderNodes(shuffled, { method: 'rcm', symmetric: true });
  const back = permuteGraph(shuffled, o);
  assert.equal(graphBandwidth(back).bandwidth, 1);
  assert.equal(graphBandwidth(back).meanDistance, graphBandwidth(path).meanDistance);
  // a level-structure order of an r×c grid (r ≤ c) from a corner has levels (anti-diagonals) of at most r
  // nodes, and an edge joins two consecutive levels, so its bandwidth is < 2r
  for (const [r, c] of [[12, 30], [25, 25], [7, 60]]) {
    const grid = permuteGraph(gridGraph(r, c), shuffle(r * c, r));
    const before = graphBandwidth(grid);
    const after = graphBandwidth(permuteGraph(grid, reorderNodes(grid, { method: 'rcm', symmetric: true })));
    const bfs = graphBandwidth(permuteGraph(grid, reorderNodes(grid, { method: 'bfs' })));
    assert.ok(after.bandwidth <= 2 * Math.min(r, c) - 1, `${r}×${c}: RCM bandwidth ${after.bandwidth}`);
    assert.ok(after.bandwidth < before.bandwidth / 4, `${r}×${c}: ${before.bandwidth} → ${after.bandwidth}`);
    assert.ok(bfs.bandwidth < before.bandwidth, `${r}×${c}: BFS ${before.bandwidth} → ${bfs.bandwidth}`);
  }
  // A + Aᵀ: a directed path (one direction only) is ordered the same as the undirected one
  const rows = Array.from({ length: 199 }, (_, i) => i), dir = csrFromEdges(rows, rows.map((i) => i + 1), { numNodes: 200 });
  const sdir = permuteGraph(dir, shuffle(200, 9));
  assert.equal(graphBandwidth(permuteGraph(sdir, reorderNodes(sdir, { method: 'rcm' }))).bandwidth, 1);
});

test('the community order finds the planted blocks of a shuffled stochastic block model', () => {
  // 12 blocks of 80 nodes, each node with ≈ 16 pairs inside its block and ≈ 1 outside; ids shuffled
  const blocks = 12, size = 80, n = blocks * size, g = rng(21);
  const rows: number[] = [], cols: number[] = [];
  for (let u = 0; u < n; u++) {
    for (let t = 0; t < 8; t++) { rows.push(u); cols.push(u - (u % size) + g.int(size)); }
    if (g.float() < 0.5) { rows.push(u); cols.push(g.int(n)); }
  }
  const planted = csrFromEdges(rows, cols, { numNodes: n, symmetrize: true, selfLoops: true });
  const mix = shuffle(n, 4), graph = permuteGraph(planted, mix);
  const o = reorderNodes(graph, { method: 'community', symmetric: true });
  const c = o.communities as Int32Array;
  // each planted block lands in one community, and no community holds two blocks
  const blockOf = (i: number): number => Math.floor(mix.newToOld[i] / size);
  const owner = new Map<number, number>();
  for (let b = 0; b < blocks; b++) {
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) if (blockOf(i) === b) counts.set(c[i], (counts.get(c[i]) ?? 0) + 1);
    const [top, k] = [...counts.entries()].sort((x, y) => y[1] - x[1])[0];
    assert.ok(k >= 0.95 * size, `block ${b}: ${k} of ${size} nodes in community ${top}`);
    assert.ok(!owner.has(top), `community ${top} holds blocks ${owner.get(top)} and ${b}`);
    owner.set(top, b);
  }
  // so most entries lie within a block's width of the diagonal, far more than in RCM's order
  const near = (h: CsrGraph): number => {
    const rp = h.rowPtr.array, ci = h.colIdx.array;
    let k = 0;
    for (let i = 0; i < n; i++) for (let e = rp[i]; e < rp[i + 1]; e++) if (Math.abs(ci[e] - i) < size) k++;
    return k / h.numEdges;
  };
  const byCommunity = near(permuteGraph(graph, o)), byRcm = near(permuteGraph(graph, reorderNodes(graph, { symmetric: true })));
  assert.ok(byCommunity > 0.85, `community order: ${byCommunity} of the entries within ${size} of the diagonal`);
  assert.ok(byCommunity > byRcm, `community ${byCommunity} vs RCM ${byRcm}`);
});

test('permuteNodeData permutes the graph, features, labels and every mask together', () => {
  const graph = pathGraph(6), o = orderingFromPermutation([5, 3, 1, 0, 2, 4]);
  const features = DenseMatrix.from([0, 1, 2, 3, 4, 5], 6, 1, 'f64');
  const data = { graph, features, labels: Int32Array.from([10, 11, 12, 13, 14, 15]), masks: { train: Uint8Array.from([1, 1, 0, 0, 0, 1]), test: Uint8Array.from([0, 0, 1, 1, 1, 0]) }, metric: 'accuracy' as const };
  const p = permuteNodeData(data, o);
  assert.deepEqual(Array.from(p.features.data), [5, 3, 1, 0, 2, 4]);
  assert.deepEqual(Array.from(p.labels), [15, 13, 11, 10, 12, 14]);
  assert.deepEqual(Array.from(p.masks.train), [1, 0, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(p.masks.test), [0, 1, 0, 0, 1, 1]);
  assert.equal(p.metric, 'accuracy');
  assert.deepEqual(entries(p.graph), entries(permuteGraph(graph, o)));
  assert.deepEqual(Array.from(data.labels), [10, 11, 12, 13, 14, 15], 'inputs unchanged');
});

test('training on permuteNodeData output gives the same losses to rounding and the same metrics', () => {
  // Not bit for bit: batch norm statistics, the loss and the weight gradients sum over nodes, now in another
  // order. In f64 each such sum over n = 300 terms moves by ~n·ε ≈ 3e-14 relative; 1e-12 leaves room for five
  // epochs of AdamW, while a wrong permutation (labels or masks not moved with their nodes) moves the loss by O(1).
  // Dropout off: its masks are drawn node by node in index order, so they would differ between the two orders.
  const g = rng(3), n = 300, rows: number[] = [], cols: number[] = [];
  for (let e = 0; e < 2000; e++) { rows.push(g.int(n)); cols.push(g.int(n)); }
  const mask = (): Uint8Array => Uint8Array.from({ length: n }, () => (g.float() < 0.5 ? 1 : 0));
  const data: NodeClassificationData = {
    graph: csrFromEdges(rows, cols, { numNodes: n, symmetrize: true, selfLoops: true }),
    features: DenseMatrix.from(g.fillNormal(new Float64Array(n * 5)), n, 5, 'f64'),
    labels: Int32Array.from({ length: n }, () => g.int(3)), masks: { train: mask(), val: mask(), test: mask() },
    metric: 'accuracy', numClasses: 3,
  };
  const permuted = permuteNodeData(data, reorderNodes(data.graph, { method: 'community', symmetric: true }));
  const options = { epochs: 5, width: 8, layers: 2, dtype: 'f64' as const, dropout: 0, patience: null };
  const a = trainNodeClassifier(data, options), b = trainNodeClassifier(permuted, options);
  a.history.forEach((h, i) => {
    assert.ok(Math.abs(h.loss - b.history[i].loss) <= 1e-12 * Math.abs(h.loss), `epoch ${i}: loss ${h.loss} vs ${b.history[i].loss}`);
    assert.deepEqual([h.train, h.val, h.test], [b.history[i].train, b.history[i].val, b.history[i].test]);
  });
});

test('empty and one-node graphs, and isolated nodes, are ordered', () => {
  for (const method of METHODS) {
    assertBijection(reorderNodes(CsrGraph.fromArrays(0, 0, [0], []), { method }), 0);
    assertBijection(reorderNodes(CsrGraph.fromArrays(1, 1, [0, 0], []), { method }), 1);
    assertBijection(reorderNodes(CsrGraph.fromArrays(4, 4, [0, 1, 1, 2, 2], [0, 2]), { method }), 4);
  }
});

test('bad input throws typed errors naming the function and the argument', () => {
  const g = pathGraph(4), o = reorderNodes(g);
  const is = (cls: new (...a: never[]) => Error, re: RegExp) => (e: unknown): boolean => e instanceof cls && re.test((e as Error).message);
  assert.throws(() => reorderNodes({} as CsrGraph), is(InputError, /^reorderNodes: graph must be a CsrGraph/));
  assert.throws(() => reorderNodes(CsrGraph.fromArrays(2, 3, [0, 1, 1], [2])), is(ShapeError, /^reorderNodes: graph must be square.*2×3/));
  assert.throws(() => reorderNodes(g, { method: 'metis' as ReorderMethod }), is(InputError, /^reorderNodes: options.method must be one of rcm, bfs, community, got metis/));
  assert.throws(() => reorderNodes(g, { method: 'community', sweeps: 0 }), is(InputError, /^reorderNodes: options.sweeps/));
  assert.throws(() => reorderNodes(g, { seed: 1.5 }), is(InputError, /^reorderNodes: options.seed/));
  assert.throws(() => reorderNodes(g, { symmetric: 'yes' as unknown as boolean }), is(InputError, /^reorderNodes: options.symmetric/));
  const freed = pathGraph(3); freed.free();
  assert.throws(() => reorderNodes(freed), is(InputError, /^reorderNodes: graph was freed/));
  assert.throws(() => orderingFromPermutation([0, 2, 2]), is(InputError, /^orderingFromPermutation: newToOld\[2\] = 2 repeats newToOld\[1\]/));
  assert.throws(() => orderingFromPermutation([0, 3, 1]), is(IndexError, /^orderingFromPermutation: newToOld\[1\] = 3 is outside \[0, 3\)/));
  assert.throws(() => orderingFromPermutation([0, 0.5]), is(InputError, /newToOld\[1\] = 0.5 is not an integer/));
  assert.throws(() => permuteGraph(pathGraph(5), o), is(ShapeError, /^permuteGraph: ordering is over 4 nodes but graph has 5/));
  const broken = { ...o, oldToNew: Int32Array.from([0, 1, 2, 3]), newToOld: Int32Array.from([1, 0, 2, 3]) };
  assert.throws(() => permuteGraph(g, broken), is(InputError, /^permuteGraph: ordering.oldToNew is not the inverse/));
  assert.throws(() => permuteGraph(g, { newToOld: [0, 1, 2, 3] } as unknown as NodeOrdering), is(InputError, /^permuteGraph: ordering must be a NodeOrdering/));
  assert.throws(() => permuteRows(DenseMatrix.zeros(3, 2), o), is(ShapeError, /^permuteRows: ordering is over 4 nodes but matrix has 3/));
  assert.throws(() => unpermuteRows([1, 2] as unknown as DenseMatrix, o), is(InputError, /^unpermuteRows: matrix must be a DenseMatrix/));
  assert.throws(() => permuteArray(new Int32Array(5), o), is(ShapeError, /^permuteArray: ordering is over 4 nodes but values has 5/));
  assert.throws(() => unpermuteArray('abcd' as unknown as number[], o), is(InputError, /^unpermuteArray: values must be an array/));
  assert.throws(() => permuteNodeData({ graph: g, features: DenseMatrix.zeros(3, 1) }, o), is(ShapeError, /^permuteNodeData: data.features has 3 rows but data.graph has 4/));
  assert.throws(() => permuteNodeData({ graph: g, features: DenseMatrix.zeros(4, 1), masks: { val: new Uint8Array(2) } }, o), is(ShapeError, /^permuteNodeData: data.masks.val has 2 entries/));
  assert.throws(() => graphBandwidth(null as unknown as CsrGraph), is(InputError, /^graphBandwidth: graph must be a CsrGraph/));
});
