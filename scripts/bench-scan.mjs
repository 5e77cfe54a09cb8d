#!/usr/bin/env node
// `bulwark scan` benchmark: cold and warm scans of debian12-node against a database imported from
// ../shared/vulndata (npm, Debian:12, KEV), compared with `bulwark sbom` of the same image.
// Reports wall time (Bulwark's own work after module load, and the whole process), peak RSS, and the
// share of a scan spent matching. Needs a build (`npm run build`); BULWARK_DIST points elsewhere.
//
// Targets (issue 5): warm re-scan ≤ 0.5 s of Bulwark's own work; cold scan ≤ 1.5 × `bulwark sbom`.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IMAGES, ROOT, SHARED, best, fmt, measureNode, table } from './bench/common.mjs';
import { measuredRun } from './bench/measured-run.mjs';

const DIST = resolve(process.env.BULWARK_DIST ?? join(ROOT, 'dist'));
const VULNDATA = join(SHARED, 'vulndata');
const dist = (p) => pathToFileURL(join(DIST, p)).href;

// Child mode: run one CLI invocation in-process, report timings on fd 3.
if (process.argv[2] === '--child') {
  // Commands load their modules lazily: load them all first, so "work" is Bulwark's own work after
  // start-up (the same set for every command measured).
  await measuredRun(DIST, process.argv.slice(3), [
    'cli/commands/sbom.js',
    'cli/commands/scan.js',
    'engine/catalog.js',
    'catalog/run.js',
    'sbom/format/index.js',
    'source/open.js',
    'report/scan/index.js',
  ]);
  process.exit(0);
}

function child(args, env) {
  const m = measureNode(fileURLToPath(import.meta.url), ['--child', ...args], env);
  if (m.code !== 0) throw new Error(`bulwark ${args.join(' ')} exited ${m.code}`);
  return m;
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
      child(['sbom', target, '-f', 'json', '-q', '--no-cache'], {
        BULWARK_CACHE_DIR: join(work, 'sbom-cache'),
      }),
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
  const { scanTarget } = await import(dist('index.js'));
  const split = await scanTarget(target, {
    offline: true,
    db: dbPath,
    gitignore: true,
    cwd: ROOT,
    env: { BULWARK_CACHE_DIR: warmDir },
  });
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
