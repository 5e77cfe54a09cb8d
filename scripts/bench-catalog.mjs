// Cataloging a large installed-package tree (part of `npm run bench`; standalone:
// `npm run build && node scripts/bench-catalog.mjs`): this repository's own node_modules folder as
// `fs://`, the way `bulwark sbom` would see an unpacked application. Wall time and peak RSS come from
// the built CLI in a child process (best of 3); the package counts from one extra run's JSON output.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, SBOM_MODULES, fmt, measureCli, table } from './bench/common.mjs';

/** Packages per cataloger in the SBOM of `target`, from a plain CLI run. */
function countPackages(target) {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bin', 'bulwark.js'), 'sbom', target, '-f', 'json', '-q'],
    {
      cwd: ROOT,
      maxBuffer: 1 << 30,
    },
  );
  if (r.status !== 0)
    throw new Error(`bulwark sbom ${target} exited ${r.status}: ${r.stderr.toString().trim()}`);
  const sbom = JSON.parse(r.stdout.toString());
  const byCataloger = {};
  for (const p of sbom.packages) byCataloger[p.foundBy] = (byCataloger[p.foundBy] ?? 0) + 1;
  return { total: sbom.packages.length, byCataloger, unknowns: sbom.unknowns.length };
}

export default async function benchCatalog() {
  const dir = join(ROOT, 'node_modules');
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')) || !existsSync(dir)) {
    console.log('\n## catalog: skipped (run `npm ci` and `npm run build` first)');
    return;
  }
  const target = `fs://${dir}`;
  const counts = countPackages(target);
  const run = measureCli(['sbom', target, '-f', 'json', '-q'], 3, {}, SBOM_MODULES);
  table('catalog: this repository’s node_modules as fs:// (best of 3)', [
    {
      target: 'fs://<repo>/node_modules',
      packages: counts.total,
      'by cataloger': Object.entries(counts.byCataloger)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      unknowns: counts.unknowns,
      'ms (work)': fmt(run.workMs),
      'ms (process)': fmt(run.wallMs),
      'peak RSS MB': fmt(run.maxRssMB),
    },
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchCatalog();
