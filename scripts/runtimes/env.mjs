// Shared pieces of the runtime drivers: the project root, the installed binaries, a sandboxed
// environment, and the parsing of the lines the checks print.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** A binary that a devDependency installed (deno, bun, workerd, esbuild). */
export const bin = (name) => join(root, 'node_modules', '.bin', name);

/** The ignored folder a runtime's run works in: .cache/runtimes/<runtime>/. */
export const workDir = (runtime) => join(root, '.cache', 'runtimes', runtime);

/**
 * A fresh HOME, TMPDIR and XDG_* under .cache/runtimes/<runtime>/home (emptied first), so that caches,
 * profiles and temporary files of a run land in the project's ignored folder and nowhere else.
 */
export function sandboxEnv(runtime) {
  const home = join(workDir(runtime), 'home');
  rmSync(home, { recursive: true, force: true });
  const dirs = {
    HOME: home,
    TMPDIR: join(home, 'tmp'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_RUNTIME_DIR: join(home, 'run'),
    DENO_DIR: join(home, '.cache', 'deno'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const env = { ...process.env, ...dirs, NO_COLOR: '1', FORCE_COLOR: '0', DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1' };
  // Set by `node --test` for its children; a `node --test` that sees it would skip its files.
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** The outcomes a runtime printed as `narrowgt-check {json}` lines. */
export function parseOutcomes(text) {
  return text.split('\n').filter((l) => l.startsWith('narrowgt-check ')).map((l) => JSON.parse(l.slice('narrowgt-check '.length)));
}
