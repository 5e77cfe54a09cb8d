#!/usr/bin/env node
// Side by side with the peer tools (part of `npm run bench`; standalone: `npm run build && node
// scripts/bench-peers.mjs`). Whole processes, same inputs, paired runs (the tools alternate within each
// round so that a noisy neighbour hits them alike), median of 5 rounds (the secrets comparison runs fewer
// rounds when one run takes more than 20 s). Wall time, CPU time (user + system) and peak RSS come from
// GNU time when installed (`/usr/bin/time`), wall time alone otherwise.
//
// Peers are looked up on PATH and in Go's bin folder; a missing peer prints "peer not installed" and is
// left out — this benchmark never fails for lack of one. Peers run cold like Bulwark: a fresh cache
// folder per run (Trivy), no cache (syft), the offline database built below (osv-scanner).
//
// Comparisons:
//   - sbom of debian12-node (docker-archive, OCI layout) and of the synthetic 2 GiB image:
//     bulwark sbom --no-cache | trivy image --format cyclonedx | syft scan;
//   - cold image scan of debian12-node on the same OSV data (npm + Debian:12 from ../shared/vulndata):
//     bulwark scan --no-cache | osv-scanner scan image --offline-vulnerabilities (database folder in
//     osv-scanner's offline layout, `<dir>/osv-scanner/<Ecosystem>/all.zip`);
//   - warm re-scan of the unchanged image (Bulwark alone; target ≤ 0.3 s);
//   - secrets in a copy of this repository's dependency tree: bulwark secrets | gitleaks dir.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { zipSync } from 'fflate';
import { IMAGES, ROOT, SHARED, dist, fmt, haveImages, table } from './bench/common.mjs';

const ROUNDS = 5;
/** `node scripts/bench-peers.mjs --only secrets`: only the comparisons whose title contains the word. */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const BULWARK = join(ROOT, 'bin', 'bulwark.js');

/** The executable `name` on PATH or in Go's bin folder, else undefined. */
function findTool(name) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  dirs.push(join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin'));
  for (const d of dirs) if (existsSync(join(d, name))) return join(d, name);
  return undefined;
}

/** One whole-process run: wall ms (always), CPU ms and peak RSS MB (with GNU time). */
function runOnce(cmd, args, { env = {}, okCodes = [0], before } = {}) {
  before?.();
  const stats = join(tmpdir(), `bulwark-bench-time-${process.pid}.txt`);
  const argv = GNU_TIME ? [GNU_TIME, '-f', '%U %S %M', '-o', stats, cmd, ...args] : [cmd, ...args];
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
  });
  const wallMs = performance.now() - t0;
  if (r.error || !okCodes.includes(r.status)) {
    const tail = (r.stderr?.toString() ?? '').trim().split('\n').slice(-3).join(' | ');
    if (process.env.BENCH_DEBUG) console.error(r);
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.error}: ${tail}`);
  }
  if (!GNU_TIME) return { wallMs };
  const [user, sys, rssKb] = readFileSync(stats, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  rmSync(stats, { force: true });
  return { wallMs, cpuMs: (user + sys) * 1000, rssMB: rssKb / 1024 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Paired rounds of every contender of one comparison; rows for the table, the first contender (Bulwark)
 * being the reference of the ratio column.
 */
function compare(what, contenders, rounds = ROUNDS) {
  if (ONLY && !what.includes(ONLY)) return [];
  const present = contenders.filter((c) => c.cmd);
  for (const c of contenders.filter((c) => !c.cmd)) console.log(`${what}: ${c.tool}: peer not installed`);
  const results = new Map(present.map((c) => [c.tool, []]));
  const failed = new Set();
  let n = rounds;
  for (let round = 0; round < n; round++) {
    const order = round % 2 ? [...present].reverse() : present;
    for (const c of order) {
      if (failed.has(c.tool)) continue;
      try {
        const m = runOnce(c.cmd, c.args, c);
        results.get(c.tool).push(m);
        if (m.wallMs > 20_000) n = Math.min(n, 1);
      } catch (err) {
        if (c.tool === 'bulwark') throw err;
        console.log(`${what}: ${c.tool} failed, left out: ${err.message}`);
        failed.add(c.tool);
      }
    }
  }
  const rows = [];
  let ref;
  for (const c of present) {
    const ms = results.get(c.tool);
    if (ms.length === 0) continue;
    const wall = median(ms.map((m) => m.wallMs));
    ref ??= wall;
    rows.push({
      what,
      tool: c.tool,
      runs: ms.length,
      'wall s': fmt(wall / 1000, 2),
      'CPU s': GNU_TIME ? fmt(median(ms.map((m) => m.cpuMs)) / 1000, 2) : '-',
      'peak RSS MB': GNU_TIME ? fmt(Math.max(...ms.map((m) => m.rssMB))) : '-',
      'Bulwark time ÷ tool time': rows.length === 0 ? '1.00' : fmt(ref / wall, ref / wall < 0.1 ? 3 : 2),
    });
  }
  return rows;
}

/**
 * Size of each layer's cache record against the layer's uncompressed size (the docker-archive stores
 * layers uncompressed, named by diff ID). Target: ≤ 10% for layers without cataloged content.
 */
function cacheSizes(dir, archive) {
  const listing = spawnSync('tar', ['-tvf', archive], { encoding: 'utf8' }).stdout ?? '';
  const sizes = new Map();
  for (const line of listing.split('\n')) {
    const m = /^-\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(?:.*\/)?([0-9a-f]{64})(?:\.tar|\/layer\.tar)?$/.exec(line);
    if (m) sizes.set(`sha256:${m[2]}`, Number(m[1]));
  }
  const rows = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.bwl'))) {
    const buf = readFileSync(join(dir, name));
    const header = JSON.parse(buf.subarray(16, 16 + buf.readUInt32BE(12)).toString('utf8'));
    const layer = sizes.get(header.diffId);
    rows.push({
      layer: header.diffId.slice(7, 19),
      'uncompressed MB': layer ? fmt(layer / 1e6, 1) : '?',
      'cache record MB': fmt(buf.length / 1e6, 2),
      share: layer ? `${fmt((100 * buf.length) / layer, 1)}%` : '?',
      target: '≤ 10%',
    });
  }
  rows.sort((a, b) => Number(b['uncompressed MB']) - Number(a['uncompressed MB']));
  table('Layer cache: record size per layer of debian12-node', rows);
}

/** Copy a folder tree (regular files only), renaming `node_modules` folders to `deps`. */
function copyTree(from, to) {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const dest = join(to, e.name === 'node_modules' ? 'deps' : e.name);
    if (e.isDirectory()) copyTree(join(from, e.name), dest);
    else if (e.isFile()) copyFileSync(join(from, e.name), dest);
  }
}

/** osv-scanner's offline database layout, built from the shared OSV folders. */
function osvScannerDb(root, folders) {
  for (const [ecosystem, folder] of folders) {
    const files = {};
    for (const f of readdirSync(folder))
      if (f.endsWith('.json')) files[f] = [readFileSync(join(folder, f)), { level: 0 }];
    mkdirSync(join(root, 'osv-scanner', ecosystem), { recursive: true });
    writeFileSync(join(root, 'osv-scanner', ecosystem, 'all.zip'), zipSync(files));
  }
}

export default async function benchPeers() {
  if (!haveImages()) {
    console.log(
      '\n## Side by side with peers\nskipped: no test images (run scripts/setup-test-env.sh as root)',
    );
    return;
  }
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')))
    throw new Error('bench-peers: run `npm run build` first');
  const trivy = findTool('trivy');
  const syft = findTool('syft');
  const osvScanner = findTool('osv-scanner');
  const gitleaks = findTool('gitleaks');
  const node = process.execPath;
  const work = mkdtempSync(join(tmpdir(), 'bulwark-bench-peers-'));
  // Outputs go to files of the work folder, never to /dev/null: a tool that removes its report file on
  // an error (or replaces it atomically) would take the device with it when run as root.
  const out = (name = 'report') => join(work, `out-${name}`);
  const fresh = (name) => {
    const dir = join(work, name);
    return () => rmSync(dir, { recursive: true, force: true });
  };
  const rows = [];
  try {
    const images = [
      ['debian12-node docker-archive', join(IMAGES, 'debian12-node.docker.tar'), 'docker-archive'],
      ['debian12-node OCI layout', join(IMAGES, 'debian12-node.oci'), 'oci-dir'],
    ];
    const big = join(ROOT, '.bench', 'synthetic-2307MB.oci');
    if (existsSync(join(big, 'index.json'))) images.push(['synthetic 2.15 GiB OCI layout', big, 'oci-dir']);
    else console.log(`sbom: ${big} not built yet (the sbom benchmark builds it): left out`);
    for (const [label, path, syftScheme] of images) {
      const target = syftScheme === 'oci-dir' ? `oci-dir://${path}` : path;
      rows.push(
        ...compare(`sbom ${label}`, [
          {
            tool: 'bulwark',
            cmd: node,
            args: [BULWARK, 'sbom', target, '-f', 'cyclonedx-json', '-q', '--no-cache', '-o', out()],
          },
          {
            tool: 'trivy',
            cmd: trivy,
            args: [
              'image',
              '--input',
              path,
              '--cache-dir',
              join(work, 'trivy'),
              '--format',
              'cyclonedx',
              '--quiet',
              '--offline-scan',
              '--skip-db-update',
              '-o',
              out(),
            ],
            before: fresh('trivy'),
          },
          {
            tool: 'syft',
            cmd: syft,
            args: ['scan', `${syftScheme}:${path}`, '-q', '-o', `cyclonedx-json=${out('syft')}`],
            env: { SYFT_CHECK_FOR_APP_UPDATE: 'false' },
          },
        ]),
      );
    }

    const vulndata = join(SHARED, 'vulndata', 'osv');
    if (existsSync(join(vulndata, 'npm')) && existsSync(join(vulndata, 'Debian:12'))) {
      const dbPath = join(work, 'db', 'bulwark.sqlite');
      const { importInputs } = await import(dist('db/import.js'));
      await importInputs([join(vulndata, 'npm'), join(vulndata, 'Debian:12')], { dbPath });
      const osvDb = join(work, 'osvdb');
      osvScannerDb(osvDb, [
        ['npm', join(vulndata, 'npm')],
        ['Debian', join(vulndata, 'Debian:12')],
      ]);
      const archive = join(IMAGES, 'debian12-node.docker.tar');
      const scanArgs = [
        BULWARK,
        'scan',
        archive,
        '--db',
        dbPath,
        '--offline',
        '-f',
        'json',
        '-q',
        '-o',
        out(),
      ];
      rows.push(
        ...compare('cold scan debian12-node docker-archive', [
          { tool: 'bulwark', cmd: node, args: [...scanArgs, '--no-cache'], okCodes: [0, 1] },
          {
            tool: 'osv-scanner',
            cmd: osvScanner,
            args: [
              'scan',
              'image',
              '--archive',
              archive,
              '--offline-vulnerabilities',
              '--format',
              'json',
              '--output',
              out(),
            ],
            env: { OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY: osvDb },
            okCodes: [0, 1],
          },
        ]),
      );
      const cacheEnv = { XDG_CACHE_HOME: join(work, 'xdg-cache') };
      runOnce(node, scanArgs, { env: cacheEnv, okCodes: [0, 1] }); // fill the layer cache
      const warm = compare('warm re-scan debian12-node (target ≤ 0.30 s)', [
        { tool: 'bulwark', cmd: node, args: scanArgs, env: cacheEnv, okCodes: [0, 1] },
      ]);
      rows.push(...warm);
      if (!ONLY || 'layer cache'.includes(ONLY))
        cacheSizes(join(cacheEnv.XDG_CACHE_HOME, 'bulwark', 'layers'), archive);
    } else console.log(`scan: ${vulndata} (npm, Debian:12) is missing: left out`);

    // Gitleaks' default configuration skips every path under a `node_modules` folder: the corpus is a copy
    // of this repository's dependency tree with those folders renamed, so both tools read the same bytes.
    const modules = join(work, 'deps');
    copyTree(join(ROOT, 'node_modules'), modules);
    rows.push(
      ...compare(
        'secrets in the dependency tree',
        [
          {
            tool: 'bulwark',
            cmd: node,
            args: [BULWARK, 'secrets', modules, '--no-gitignore', '-f', 'json', '-o', out()],
            okCodes: [0, 1],
          },
          {
            tool: 'gitleaks',
            cmd: gitleaks,
            args: [
              'dir',
              modules,
              '--no-banner',
              '--log-level',
              'error',
              '--exit-code',
              '0',
              '--report-format',
              'json',
              '--report-path',
              out(),
            ],
          },
        ],
        3,
      ),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  table(
    `Side by side with peers (median of paired runs${GNU_TIME ? '' : '; GNU time not installed: wall time only'})`,
    rows,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchPeers();
