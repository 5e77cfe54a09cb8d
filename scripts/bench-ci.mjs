#!/usr/bin/env node
// `bulwark ci` benchmark: the whole CI step on this repository (lint, secrets, dependencies) and on
// debian12-node as a built image (--image, in an empty repository), cold (empty cache folder) and warm
// (the same cache folder again: the layer and image caches filled). The database is imported once
// from ../shared/vulndata and used offline, so "cold" leaves out its download. Needs a build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IMAGES, ROOT, SHARED, best, fmt, measureNode, table } from './bench/common.mjs';

const DIST = resolve(process.env.BULWARK_DIST ?? join(ROOT, 'dist'));
const VULNDATA = join(SHARED, 'vulndata');
const MEASURE = join(ROOT, 'scripts', 'measure.mjs');

/** One run; `bulwark ci` exits 1 when it finds new findings, which is a result, not a failure here. */
function ci(args, env) {
  const m = measureNode(MEASURE, ['ci', ...args], env);
  if (m.code !== 0 && m.code !== 1) throw new Error(`bulwark ci ${args.join(' ')} exited ${m.code}`);
  return m;
}

export default async function benchCi() {
  console.log('\n## bulwark ci');
  const image = join(IMAGES, 'debian12-node.oci');
  if (!existsSync(join(DIST, 'cli', 'main.js'))) {
    console.log(`skipped: no build at ${DIST} (npm run build)`);
    return;
  }
  if (!existsSync(image) || !existsSync(join(VULNDATA, 'osv', 'npm'))) {
    console.log('skipped: needs the test images and ../shared/vulndata');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'bulwark-bench-ci-'));
  try {
    const dbPath = join(work, 'db', 'bulwark.sqlite');
    const { importInputs } = await import(pathToFileURL(join(DIST, 'db/import.js')).href);
    await importInputs(
      [join(VULNDATA, 'osv', 'npm'), join(VULNDATA, 'osv', 'Debian:12'), join(VULNDATA, 'kev')],
      {
        dbPath,
      },
    );
    const empty = join(work, 'repo');
    execFileSync('git', ['init', '-q', empty]);
    const runs = Number(process.env.BENCH_RUNS ?? 3);
    const common = ['--offline', '--db', dbPath, '-q', '--no-baseline'];
    const cases = [
      { name: 'this repository', args: [ROOT, ...common] },
      { name: 'debian12-node (--image)', args: [empty, '--image', `oci-dir://${image}`, ...common] },
    ];
    const rows = [];
    for (const c of cases) {
      const cold = best(
        Array.from({ length: runs }, (_, i) =>
          ci(c.args, { BULWARK_CACHE_DIR: join(work, `cold-${rows.length}-${i}`) }),
        ),
      );
      const warmDir = join(work, `warm-${rows.length}`);
      ci(c.args, { BULWARK_CACHE_DIR: warmDir });
      const warm = best(Array.from({ length: runs }, () => ci(c.args, { BULWARK_CACHE_DIR: warmDir })));
      for (const [run, m] of [
        ['cold', cold],
        ['warm', warm],
      ])
        rows.push({
          target: c.name,
          run,
          'work ms': fmt(m.workMs),
          'process ms': fmt(m.wallMs),
          'peak RSS MB': fmt(m.maxRssMB),
        });
    }
    table(`bulwark ci (best of ${runs}; database imported, offline)`, rows);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchCi();
