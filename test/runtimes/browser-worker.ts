// Module Web Worker entry: runs the checks with the loading, library URL and wasm URL given in its own
// query string (?loading=embedded|streaming&lib=…&wasm=…) and posts the outcomes to the page.
import { runBrowserChecks, type Loading } from './browser-suite.js';

const params = new URL(self.location.href).searchParams;
const post = (message: unknown): void => (self as unknown as Worker).postMessage(message);
runBrowserChecks(params.get('lib') ?? '', params.get('wasm') ?? '', params.get('loading') as Loading).then(
  (outcomes) => post({ outcomes }),
  (e: unknown) => post({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
);
