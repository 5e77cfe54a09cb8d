// Second half of `npm run build`: bundles the CLI (dist/cli/main.js and the modules it imports, loaded
// lazily per command) into dist/bundle/ with esbuild. Node 20 has no module compile cache, so a command
// that loads ~430 separate ES modules spends most of a warm re-scan resolving, reading and linking them;
// the bundle loads a few dozen chunks instead (about a third less CPU per invocation). bin/bulwark.js
// runs the bundle when it is at least as new as the tsc output, and the tsc output otherwise.
//
// Pure-JavaScript dependencies listed below are bundled; every other dependency (native modules, the
// server's stack, anything added later) stays an ordinary import resolved from node_modules at run time.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './bench/common.mjs';

const BUNDLED = new Set([
  'ae-cvss-calculator',
  'commander',
  'fflate',
  'fzstd',
  'ignore',
  'packageurl-js',
  'picomatch',
  'smol-toml',
  'spdx-correct',
  'spdx-expression-parse',
  'zod',
]);

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {})
  .filter((d) => !BUNDLED.has(d))
  .flatMap((d) => [d, `${d}/*`]);
const outdir = join(ROOT, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(ROOT, 'dist', 'cli', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // Bundled CommonJS dependencies call require(): give the ES module chunks one.
  banner: {
    js: "import { createRequire as __bulwarkCreateRequire } from 'node:module'; const require = __bulwarkCreateRequire(import.meta.url);",
  },
  legalComments: 'eof',
  logLevel: 'warning',
});
