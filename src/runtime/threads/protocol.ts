// The control block the main thread and the pool's workers share (one SharedArrayBuffer, apart from WASM memory).
// Int32 words: [GEN] the job generation (the main thread bumps it and notifies; workers Atomics.wait on it),
// [STOP] 1 asks the workers to leave their loop; then one slot of SLOT_WORDS words per worker:
// +DONE the last generation the worker finished, +STATUS 0 ok / 1 failed / 2 the worker's thread ended (its exit hook), +KERNEL index into the kernel names
// (−1: no rows for this worker this time), +NARGS. Float64 words from ARGS_BYTE: per worker MAX_ARGS arguments
// (thread_setup's region base and size first, then the kernel's). From MSG_BYTE: per worker MSG_CHARS UTF-16 units
// of the failure message.

export const GEN = 0;
export const STOP = 1;
export const SLOT0 = 4;
export const SLOT_WORDS = 4;
export const DONE = 0, STATUS = 1, KERNEL = 2, NARGS = 3;
export const MAX_ARGS = 24;
export const MSG_CHARS = 256;
/** Workers one control block can hold (the cap on init's `threads` is lower). */
export const MAX_WORKERS = 63;
export const ARGS_BYTE = 8 * Math.ceil((4 * (SLOT0 + SLOT_WORDS * MAX_WORKERS)) / 8);
export const MSG_BYTE = ARGS_BYTE + 8 * MAX_ARGS * MAX_WORKERS;
export const CONTROL_BYTES = MSG_BYTE + 2 * MSG_CHARS * MAX_WORKERS;

/**
 * The worker's program: plain JavaScript in a string, so it needs no file of its own and survives bundling
 * (Node runs it with `eval: true`, the web runtimes from a Blob URL). `start(data, post)` instantiates the
 * shared-memory kernels on the main thread's memory, posts 'ready', then serves jobs until STOP.
 */
const BODY = `
function start(data, post) {
  const { module, memory, control, index, names } = data;
  const C = { GEN: ${GEN}, STOP: ${STOP}, SLOT0: ${SLOT0}, SLOT_WORDS: ${SLOT_WORDS}, DONE: ${DONE}, STATUS: ${STATUS},
    KERNEL: ${KERNEL}, NARGS: ${NARGS}, MAX_ARGS: ${MAX_ARGS}, MSG_CHARS: ${MSG_CHARS}, ARGS_BYTE: ${ARGS_BYTE}, MSG_BYTE: ${MSG_BYTE} };
  let exports;
  try {
    const imports = { env: { memory, abort(_m, _f, line, col) { throw new Error('narrowgt kernel aborted in a worker (thread arena exhausted?) at ' + line + ':' + col); } } };
    exports = new WebAssembly.Instance(module, imports).exports;
  } catch (e) {
    post({ error: String(e && e.message || e) });
    return;
  }
  const ctl = new Int32Array(control);
  const f64 = new Float64Array(control, C.ARGS_BYTE);
  const msg = new Uint16Array(control, C.MSG_BYTE);
  const fns = names.map((n) => exports[n]);
  const slot = C.SLOT0 + index * C.SLOT_WORDS, argBase = index * C.MAX_ARGS, msgBase = index * C.MSG_CHARS;
  post({ ready: true });
  let seen = Atomics.load(ctl, C.GEN);
  // a thread that ends mid-job (process.exit, an error outside the job's try) releases the main thread's wait
  if (typeof process === 'object' && process && typeof process.on === 'function') {
    process.on('exit', () => {
      ctl[slot + C.STATUS] = 2;
      Atomics.store(ctl, slot + C.DONE, Atomics.load(ctl, C.GEN));
      Atomics.notify(ctl, slot + C.DONE);
    });
  }
  for (;;) {
    Atomics.wait(ctl, C.GEN, seen);
    seen = Atomics.load(ctl, C.GEN);
    if (Atomics.load(ctl, C.STOP)) return;
    const kernel = ctl[slot + C.KERNEL];
    let status = 0;
    if (kernel >= 0) {
      try {
        const n = ctl[slot + C.NARGS];
        exports.thread_setup(f64[argBase], f64[argBase + 1]);
        const args = [];
        for (let i = 2; i < n; i++) args.push(f64[argBase + i]);
        fns[kernel](...args);
      } catch (e) {
        status = 1;
        const text = String(e && e.message || e).slice(0, C.MSG_CHARS - 1);
        for (let i = 0; i < text.length; i++) msg[msgBase + i] = text.charCodeAt(i);
        msg[msgBase + text.length] = 0;
      }
    }
    ctl[slot + C.STATUS] = status;
    Atomics.store(ctl, slot + C.DONE, seen);
    Atomics.notify(ctl, slot + C.DONE);
  }
}
`;

/** The program for a Node worker_threads Worker (`eval: true`). */
export const NODE_WORKER_SOURCE = `${BODY}
const { parentPort } = require('node:worker_threads');
parentPort.once('message', (d) => start(d, (m) => parentPort.postMessage(m)));
`;

/** The program for a web Worker (Deno, Bun, browsers), loaded from a Blob URL as a module. */
export const WEB_WORKER_SOURCE = `${BODY}
self.onmessage = (e) => { self.onmessage = null; start(e.data, (m) => self.postMessage(m)); };
`;
