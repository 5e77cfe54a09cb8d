// Shared helpers for `npm run bench`: run a measured child process, print tables.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const IMAGES = join(process.env.BULWARK_TEST_IMAGES ?? '/var/tmp/bulwark-images', 'images');
export const SHARED = resolve(ROOT, '..', 'shared');
export const haveImages = () => existsSync(join(IMAGES, 'debian12-node.oci'));

/** URL of a module of the build (`npm run build`), for `import()`: `dist('lint/engine.js')`. */
export const dist = (p) => pathToFileURL(join(ROOT, 'dist', p)).href;

/** Deterministic pseudo-random numbers (mulberry32), so that every run works on the same input. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Run `node <script> args…` and collect the JSON it writes on fd 3. */
export function measureNode(script, args, env = {}) {
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    maxBuffer: 1 << 20,
  });
  const out = r.output[3]?.toString().trim();
  if (!out) throw new Error(`${script} ${args.join(' ')} produced no measurement (exit ${r.status})`);
  return JSON.parse(out.split('\n').pop());
}

/** Measure a Bulwark command: best wall time of `runs`, peak RSS of the worst. */
/** Modules a command loads when it runs: preloaded so that `workMs` leaves module compilation out. */
export const SBOM_MODULES = [
  'cli/commands/sbom.js',
  'engine/catalog.js',
  'catalog/run.js',
  'sbom/format/index.js',
  'source/open.js',
];

export function measureCli(args, runs = 3, env = {}, preload = []) {
  const results = [];
  const childEnv = { ...env, ...(preload.length ? { BULWARK_BENCH_PRELOAD: preload.join(',') } : {}) };
  for (let i = 0; i < runs; i++)
    results.push(measureNode(join(ROOT, 'scripts', 'measure.mjs'), args, childEnv));
  const bad = results.find((r) => r.code !== 0);
  if (bad) throw new Error(`bulwark ${args.join(' ')} exited ${bad.code}`);
  return best(results);
}

/** Summarise repeated measurements: the best times, and the peak RSS of the worst run. */
export function best(results) {
  return {
    wallMs: Math.min(...results.map((r) => r.wallMs)),
    workMs: Math.min(...results.map((r) => r.workMs)),
    maxRssMB: Math.max(...results.map((r) => r.maxRssMB)),
  };
}

export function table(title, rows) {
  console.log(`\n## ${title}`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => String(v).padEnd(width[i])).join('  ');
  console.log(line(cols));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

export const fmt = (n, d = 0) => n.toFixed(d);
