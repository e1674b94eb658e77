// A tiny static server on 127.0.0.1 (random port) over the project folder, for the Chromium runs.
// A path through `node_modules/narrowgt/` anywhere maps to the project root, so the examples can be
// served as a user would serve them: with narrowgt installed in node_modules next to the page.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { root } from './env.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};
const BLANK = '<!doctype html><meta charset="utf-8"><title>narrowgt runtime checks</title>';

/**
 * Starts the server; resolves to { origin, hits, misses, close() }: `hits` lists the paths served,
 * `misses` those answered 403/404 (callers empty them as they read them).
 */
export async function serveProject() {
  const hits = [], misses = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (req.method !== 'GET') { res.writeHead(405).end(); return; }
    if (path === '/') { res.writeHead(200, { 'content-type': TYPES['.html'] }).end(BLANK); return; }
    const installed = path.lastIndexOf('/node_modules/narrowgt/');
    const relative = installed >= 0 ? path.slice(installed + '/node_modules/narrowgt/'.length) : path.slice(1);
    const file = normalize(join(root, relative));
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) { misses.push(path); res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      hits.push(path);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      misses.push(path);
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    misses,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
