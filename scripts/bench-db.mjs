// Vulnerability database benchmark (part of `npm run bench`; standalone: `npm run build && node scripts/bench-db.mjs`).
//
// 1. Imports every OSV folder of ../shared/vulndata/osv plus the KEV catalog into a fresh database and
//    reports records per second (wall and CPU time) and the database size. Target: ≥ 5,000 records/s.
// 2. Looks up 1,000 packages spread evenly over every ecosystem in that database, on a fresh handle
//    (cold: records decoded from SQLite) and again (warm: decoded records memoised). Target: < 100 ms.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { SHARED, dist, fmt, table } from './bench/common.mjs';

function cpuMs(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

export default async function benchDb() {
  const osv = join(SHARED, 'vulndata', 'osv');
  const kev = join(SHARED, 'vulndata', 'kev', 'known_exploited_vulnerabilities.json');
  if (!existsSync(osv) || !existsSync(kev)) {
    console.log(`\n## Vulnerability database\nskipped: ${join(SHARED, 'vulndata')} is missing`);
    return;
  }
  const { importInputs } = await import(dist('db/import.js'));
  const { openDatabase } = await import(dist('db/store.js'));
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-db-'));
  const dbPath = join(dir, 'bulwark.sqlite');
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await importInputs([osv, kev], { dbPath });
    const wall = performance.now() - t0;
    const cpu = cpuMs(cpu0);
    const records = report.sources
      .filter((s) => s.kind === 'osv')
      .reduce((n, s) => n + s.records + s.withdrawn + s.rejected, 0);
    const rejected = report.sources.reduce((n, s) => n + s.rejected, 0);

    // 1,000 (ecosystem, package) pairs spread evenly over the sorted list of every indexed package.
    const raw = new Database(dbPath, { readonly: true });
    const pairs = raw.prepare('SELECT DISTINCT ecosystem, name FROM affected ORDER BY ecosystem, name').all();
    raw.close();
    const step = Math.max(1, Math.floor(pairs.length / 1000));
    const sample = pairs.filter((_, i) => i % step === 0).slice(0, 1000);
    const db = openDatabase(dbPath);
    const runLookups = () => {
      const c0 = process.cpuUsage();
      const t = performance.now();
      let found = 0;
      for (const p of sample) found += db.lookup(p.ecosystem, p.name).length;
      return { wall: performance.now() - t, cpu: cpuMs(c0), found };
    };
    const cold = runLookups();
    const warm = runLookups();
    db.close();

    table('Vulnerability database: import', [
      {
        input: 'shared/vulndata osv/* + kev',
        records: records,
        rejected,
        'wall s': fmt(wall / 1000, 1),
        'records/s': fmt(records / (wall / 1000)),
        'records/s (CPU)': fmt(records / (cpu / 1000)),
        'db MB': fmt(statSync(dbPath).size / 1e6, 1),
        target: '≥ 5,000/s',
      },
    ]);
    table('Vulnerability database: lookups', [
      {
        run: 'cold',
        packages: sample.length,
        records: cold.found,
        'wall ms': fmt(cold.wall, 1),
        'CPU ms': fmt(cold.cpu, 1),
        'lookups/s': fmt(sample.length / (cold.wall / 1000)),
        target: '< 100 ms',
      },
      {
        run: 'warm',
        packages: sample.length,
        records: warm.found,
        'wall ms': fmt(warm.wall, 1),
        'CPU ms': fmt(warm.cpu, 1),
        'lookups/s': fmt(sample.length / (warm.wall / 1000)),
        target: '< 100 ms',
      },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchDb();
