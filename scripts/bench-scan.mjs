#!/usr/bin/env node
// `bulwark scan` benchmark: cold and warm scans of debian12-node against a database imported from
// ../shared/vulndata (npm, Debian:12, KEV), compared with `bulwark sbom` of the same image.
// Reports wall time (Bulwark's own work after module load, and the whole process), peak RSS, and the
// share of a scan spent matching. Needs a build (`npm run build`); BULWARK_DIST points elsewhere.
//
// Targets (issue 5): warm re-scan ≤ 0.5 s of Bulwark's own work; cold scan ≤ 1.5 × `bulwark sbom`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = resolve(process.env.BULWARK_DIST ?? join(ROOT, 'dist'));
const IMAGES = join(process.env.BULWARK_TEST_IMAGES ?? '/var/tmp/bulwark-images', 'images');
const VULNDATA = resolve(ROOT, '..', 'shared', 'vulndata');
const dist = (p) => pathToFileURL(join(DIST, p)).href;

// Child mode: run one CLI invocation in-process, report timings on fd 3.
if (process.argv[2] === '--child') {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const io = {
    stdout: sink,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
  const t0 = performance.now();
  const { run } = await import(dist('cli/main.js'));
  // Commands load their modules lazily: load them all first, so "work" is Bulwark's own work after
  // start-up (the same set for every command measured).
  for (const m of [
    'cli/commands/sbom.js',
    'cli/commands/scan.js',
    'catalog/run.js',
    'sbom/format/index.js',
    'source/open.js',
    'report/scan/index.js',
  ]) {
    await import(dist(m));
  }
  const tLoaded = performance.now();
  const code = await run(process.argv.slice(3), io);
  const t1 = performance.now();
  writeSync(
    3,
    `${JSON.stringify({ code, wallMs: t1 - t0, workMs: t1 - tLoaded, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
  process.exit(0);
}

function child(args, env) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
  });
  const out = r.output[3]?.toString().trim();
  if (!out) throw new Error(`bulwark ${args.join(' ')}: no measurement (exit ${r.status})`);
  const m = JSON.parse(out.split('\n').pop());
  if (m.code !== 0) throw new Error(`bulwark ${args.join(' ')} exited ${m.code}`);
  return m;
}

const best = (runs) => ({
  workMs: Math.min(...runs.map((r) => r.workMs)),
  wallMs: Math.min(...runs.map((r) => r.wallMs)),
  maxRssMB: Math.max(...runs.map((r) => r.maxRssMB)),
});
const fmt = (n, d = 0) => n.toFixed(d);

function table(title, rows) {
  console.log(`\n## ${title}`);
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => String(v).padEnd(width[i])).join('  ');
  console.log(line(cols));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

const image = join(IMAGES, 'debian12-node.oci');
if (!existsSync(join(DIST, 'cli', 'main.js'))) {
  console.error(`bench-scan: no build at ${DIST}; run \`npm run build\` first`);
  process.exit(1);
}
if (!existsSync(image) || !existsSync(join(VULNDATA, 'osv', 'npm'))) {
  console.log('\n## scan\nskipped: needs the test images and ../shared/vulndata');
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'bulwark-bench-scan-'));
try {
  const dbPath = join(work, 'db', 'bulwark.sqlite');
  const { importInputs } = await import(dist('db/import.js'));
  const t0 = performance.now();
  await importInputs(
    [join(VULNDATA, 'osv', 'npm'), join(VULNDATA, 'osv', 'Debian:12'), join(VULNDATA, 'kev')],
    { dbPath },
  );
  console.log(`database imported in ${fmt(performance.now() - t0)} ms`);

  const target = `oci-dir://${image}`;
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const sbom = best(
    Array.from({ length: runs }, () =>
      child(['sbom', target, '-f', 'json', '-q'], { BULWARK_CACHE_DIR: join(work, 'sbom-cache') }),
    ),
  );
  const scanArgs = ['scan', target, '--offline', '--db', dbPath, '-f', 'json', '-q'];
  const cold = best(
    Array.from({ length: runs }, (_, i) => child(scanArgs, { BULWARK_CACHE_DIR: join(work, `cold-${i}`) })),
  );
  const warmDir = join(work, 'warm');
  child(scanArgs, { BULWARK_CACHE_DIR: warmDir }); // fill the layer cache
  const warm = best(Array.from({ length: runs }, () => child(scanArgs, { BULWARK_CACHE_DIR: warmDir })));

  // Where a scan's time goes, measured in this process with the library API.
  const { runScan } = await import(dist('cli/commands/scan-common.js'));
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const io = {
    stdout: sink,
    stderr: sink,
    stdin: process.stdin,
    env: { BULWARK_CACHE_DIR: warmDir },
    cwd: ROOT,
  };
  const split = await runScan(target, { offline: true, db: dbPath, quiet: true, gitignore: true }, io);
  const share = split.timings.matchMs / (split.timings.matchMs + split.timings.catalogMs);

  table('scan of debian12-node (best of runs)', [
    {
      run: 'sbom',
      'work ms': fmt(sbom.workMs),
      'process ms': fmt(sbom.wallMs),
      'peak RSS MB': fmt(sbom.maxRssMB),
      target: '',
    },
    {
      run: 'scan cold',
      'work ms': fmt(cold.workMs),
      'process ms': fmt(cold.wallMs),
      'peak RSS MB': fmt(cold.maxRssMB),
      target: `≤ 1.5 × sbom: ${fmt(cold.workMs / sbom.workMs, 2)}×`,
    },
    {
      run: 'scan warm',
      'work ms': fmt(warm.workMs),
      'process ms': fmt(warm.wallMs),
      'peak RSS MB': fmt(warm.maxRssMB),
      target: `≤ 500 ms: ${warm.workMs <= 500 ? 'yes' : 'no'}`,
    },
  ]);
  console.log(
    `\nwarm scan in-process: catalog ${fmt(split.timings.catalogMs)} ms (${split.cachedLayers} layers from cache), matching ${fmt(split.timings.matchMs)} ms — ${fmt(share * 100, 1)}% of the scan in matching; ${split.report.findings.length} findings`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
