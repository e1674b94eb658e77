// Which Chromium the runtime checks drive, in this order:
//   1. NARROWGT_CHROMIUM, when set (it must exist);
//   2. the system Chromium, /usr/bin/chromium (Debian's package), when installed;
//   3. the headless Chromium shipped inside the pinned devDependency @sparticuz/chromium, unpacked once into
//      node_modules/.cache/narrowgt-chromium-<version>/ (about 7 s and 200 MB on first use).
// The package's own executablePath() unpacks into os.tmpdir() and reuses any `chromium` it finds there without
// a version check, so it is pointed at a fresh staging folder (TMPDIR) that is renamed into place only once the
// unpacking is complete: a half-unpacked binary is never reused, and another version never answers for this one.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { root } from './env.mjs';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const PACKAGE = '@sparticuz/chromium';

/** The pinned package's version and the cache folder its unpacked binary lives in. */
export function bundledChromiumCache() {
  const require = createRequire(join(root, 'package.json'));
  let manifest;
  try {
    manifest = require.resolve(`${PACKAGE}/package.json`);
  } catch {
    // Its exports map hides package.json: locate the package folder from its entry instead.
    manifest = join(dirname(require.resolve(PACKAGE)), '..', '..', 'package.json');
  }
  const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
  return { version, dir: join(root, 'node_modules', '.cache', `narrowgt-chromium-${version}`) };
}

async function unpackBundled() {
  const { version, dir } = bundledChromiumCache();
  const binary = join(dir, 'chromium');
  if (existsSync(binary)) return { path: binary, source: `${PACKAGE} ${version} (cached in ${dir})` };
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = staging; // os.tmpdir() reads it on every call
  try {
    const { default: chromium } = await import(PACKAGE);
    const unpacked = await chromium.executablePath();
    if (unpacked !== join(staging, 'chromium')) throw new Error(`${PACKAGE} unpacked into ${unpacked}, not ${staging}`);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    renameSync(staging, dir);
  } catch (e) {
    // Another run finished first: keep its copy.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw e;
  }
  return { path: binary, source: `${PACKAGE} ${version} (unpacked into ${dir})` };
}

/** Resolves to { path, source }: the Chromium binary to launch and a phrase saying where it came from. */
export async function locateChromium() {
  const chosen = process.env.NARROWGT_CHROMIUM;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`NARROWGT_CHROMIUM=${chosen} does not exist`);
    return { path: chosen, source: 'NARROWGT_CHROMIUM' };
  }
  if (existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, source: 'system' };
  return unpackBundled();
}
