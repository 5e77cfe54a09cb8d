#!/usr/bin/env node
// `bulwark server` benchmark (part of `npm run bench`; alone: `npm run bench -- --only server`, or
// `npm run build && node scripts/bench-server.mjs`). Everything talks to 127.0.0.1 only. On SQLite and,
// when its binaries are installed, on a private PostgreSQL cluster:
//
//   (a) ingest: push the debian12-node scan report (built here with the engine) over HTTP, into an empty
//       register and again into one holding the 1,000,000 findings — target ≤ 300 ms per scan;
//   (b) list queries with 1,000,000 findings stored (seeded in bulk through the store, not over HTTP):
//       project findings filtered by state/severity/KEV/fixable/package, sorted, cursor and offset pages;
//       the overdue list; the image list — target p95 ≤ 100 ms;
//   (c) 200 concurrent clients (undici, keep-alive) on the same queries — target: zero errors;
//   (d) the server process's peak RSS over all of it — target ≤ 300 MB;
//   (e) rematch of 1,000 stored SBOMs after a database change — target ≤ 60 s (when the build has it).
//
// Knobs: BENCH_SERVER_FINDINGS (default 1000000), BENCH_SERVER_SECONDS (load duration, default 10),
// BENCH_SERVER_ENGINES (default "sqlite,postgres"), BENCH_SERVER_EXPLAIN=1 (print the list queries' plans).
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { URLSearchParams, fileURLToPath } from 'node:url';
import { Agent, Pool, request } from 'undici';
import { IMAGES, ROOT, SHARED, dist, fmt, rng, table } from './bench/common.mjs';
import { explainPlans } from './bench/explain.mjs';
import { postgresBinDir, startPostgres } from './bench/postgres.mjs';

const FINDINGS = Number(process.env.BENCH_SERVER_FINDINGS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SERVER_SECONDS ?? 10);
const CLIENTS = 200;
const RUNS = 30;
const ADMIN_PASSWORD = 'bench-admin-password';
const DAY = 86_400_000;
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

/** The debian12-node scan report as `bulwark scan -f json` prints it, built with the engine. */
async function buildReport(work) {
  const vulndata = join(SHARED, 'vulndata');
  const dbPath = join(work, 'vuln.sqlite');
  const { importInputs } = await import(dist('db/import.js'));
  await importInputs(
    [join(vulndata, 'osv', 'npm'), join(vulndata, 'osv', 'Debian:12'), join(vulndata, 'kev')],
    { dbPath },
  );
  const { scanTarget, renderScanReport } = await import(dist('index.js'));
  const run = await scanTarget(`oci-dir://${join(IMAGES, 'debian12-node.oci')}`, {
    offline: true,
    db: dbPath,
    cwd: ROOT,
    env: { ...process.env, BULWARK_CACHE_DIR: join(work, 'cache') },
  });
  return { text: renderScanReport(run.report, 'json'), dbPath };
}

/** Start the server child on `url`; resolves with its base URL and a handle. */
function startServer(url, vulnDb) {
  const child = fork(here('./bench/server-child.mjs'), [], {
    cwd: ROOT,
    env: {
      ...process.env,
      BENCH_DATABASE_URL: url,
      BENCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BENCH_VULN_DB: vulnDb,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ask = (msg, key) =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`server exited (${code})`));
      const on = (m) => {
        if (m && key in m) {
          child.off('message', on);
          child.off('exit', onExit);
          resolve(m[key]);
        }
      };
      child.on('message', on);
      child.once('exit', onExit);
      if (msg) child.send(msg);
    });
  return ask(undefined, 'address').then((address) => ({
    address,
    rssMB: () => ask('rss', 'rssMB'),
    cpuMs: () => ask('cpu', 'cpuMs'),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.send('stop');
      }),
  }));
}

function client(base, dispatcher) {
  return async (method, path, { token, body, query } = {}) => {
    const qs = query ? `?${new URLSearchParams(query)}` : '';
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(`${base}/api/v1${path}${qs}`, {
      method,
      headers,
      dispatcher,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    if (res.statusCode >= 400)
      throw new Error(`${method} ${path}${qs}: ${res.statusCode} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

const STATES = [
  ['new', 40],
  ['triaged', 15],
  ['fix-planned', 10],
  ['risk-accepted', 5],
  ['not-affected', 5],
  ['false-positive', 3],
  ['fixed', 20],
  ['reopened', 2],
];
const SLA = { critical: 7, high: 30, medium: 90, low: 180, negligible: 365, unknown: 90 };

const COLUMNS = [
  'id',
  'project_id',
  'repository',
  'identity',
  'vulnerability_id',
  'aliases',
  'package_name',
  'package_type',
  'package_purl',
  'location',
  'version',
  'severity',
  'cvss_score',
  'fixed_version',
  'kev',
  'epss',
  'summary',
  'state',
  'state_reason',
  'justification',
  'planned_fix_at',
  'acceptance_id',
  'sla_due_at',
  'first_seen_at',
  'first_scan_id',
  'last_seen_at',
  'last_scan_id',
  'last_image_id',
  'fixed_at',
  'updated_at',
];

/**
 * A bulk writer straight into the register's database (not through HTTP): on SQLite one prepared
 * INSERT run in large transactions, on PostgreSQL one INSERT … SELECT FROM unnest(arrays) per 5,000 rows.
 */
async function bulkWriter(engine, url) {
  if (engine === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(url.slice('sqlite:'.length));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const tables = new Map();
    const insert = (table, cols) => {
      if (!tables.has(table))
        tables.set(
          table,
          db.prepare(`insert into ${table} (${cols.join(',')}) values (${cols.map(() => '?').join(',')})`),
        );
      return tables.get(table);
    };
    return {
      async write(table, rows) {
        if (rows.length === 0) return;
        const cols = Object.keys(rows[0]);
        const stmt = insert(table, cols);
        db.transaction(() => {
          for (const r of rows) stmt.run(cols.map((c) => r[c]));
        })();
      },
      async analyze() {
        db.exec('analyze');
      },
      async query(text) {
        const stmt = db.prepare(text);
        return stmt.reader ? stmt.all() : (stmt.run(), []);
      },
      async close() {
        db.close();
      },
    };
  }
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const types = new Map();
  const typeOf = async (table) => {
    if (!types.has(table)) {
      const r = await client.query(
        `select column_name, data_type from information_schema.columns where table_name = $1`,
        [table],
      );
      const pgType = { integer: 'int4', bigint: 'int8', 'double precision': 'float8' };
      types.set(table, new Map(r.rows.map((c) => [c.column_name, pgType[c.data_type] ?? 'text'])));
    }
    return types.get(table);
  };
  return {
    async write(table, rows) {
      const colTypes = await typeOf(table);
      for (let i = 0; i < rows.length; i += 5000) {
        const batch = rows.slice(i, i + 5000);
        const cols = Object.keys(batch[0]);
        const arrays = cols.map((c) => batch.map((r) => r[c]));
        await client.query(
          `insert into ${table} (${cols.join(',')}) select * from unnest(${cols
            .map((c, j) => `$${j + 1}::${colTypes.get(c)}[]`)
            .join(',')})`,
          arrays,
        );
      }
    },
    async analyze() {
      await client.query('vacuum analyze');
    },
    async query(text) {
      return (await client.query(text)).rows;
    },
    async close() {
      await client.end();
    },
  };
}

/**
 * Store `FINDINGS` findings with bulk inserts: the real debian12-node findings repeated over 20 projects
 * (half of them in project `big`), with states, first-seen days (many ties) and SLA dates spread over two
 * years.
 */
async function seed(writer, projects, template, now) {
  const random = rng(13);
  const stateBag = STATES.flatMap(([s, w]) => Array(w).fill(s));
  const images = [];
  const perProject = projects.map((p, i) => ({
    ...p,
    count: i === 0 ? Math.floor(FINDINGS / 2) : Math.floor(FINDINGS / 2 / (projects.length - 1)),
    repos: Array.from({ length: i === 0 ? 50 : 5 }, (_, r) => `registry.example.com/${p.name}/svc-${r}`),
  }));
  perProject[0].count += FINDINGS - perProject.reduce((n, p) => n + p.count, 0);
  for (const p of perProject)
    for (const repo of p.repos)
      for (const tag of ['1.0', '1.1', 'latest'])
        for (const env of ['production', 'staging'])
          images.push({
            id: `img-${p.name}-${images.length}`,
            project_id: p.id,
            repository: repo,
            tag,
            environment: env,
            digest: null,
            created_at: now,
            last_scan_id: null,
            last_scan_at: null,
          });
  await writer.write('images', images);
  const imageOf = new Map(images.map((im) => [`${im.project_id}|${im.repository}`, im.id]));
  let seq = 0;
  let rows = [];
  for (const p of perProject) {
    for (let k = 0; k < p.count; k++) {
      const t = template[k % template.length];
      const copy = Math.floor(k / template.length);
      const repo = p.repos[copy % p.repos.length];
      const state = stateBag[Math.floor(random() * stateBag.length)];
      const first = new Date(Date.parse(now) - Math.floor(random() * 730) * DAY).toISOString();
      const kev = t.kev ? 1 : 0;
      const due = new Date(Date.parse(first) + (kev ? 14 : (SLA[t.severity] ?? 90)) * DAY).toISOString();
      const id = `f${(seq++).toString(36).padStart(6, '0')}${Math.floor(random() * 1e9).toString(36)}`;
      const row = {
        id,
        project_id: p.id,
        repository: repo,
        identity: `bench:${p.name}:${copy}:${k % template.length}`,
        vulnerability_id: t.vulnerabilityId,
        aliases: JSON.stringify(t.aliases ?? []),
        package_name: t.package.name,
        package_type: t.package.type,
        package_purl: t.package.purl.split('@')[0],
        location: t.package.locations?.[0]?.path ?? '',
        version: t.package.version,
        severity: t.severity,
        cvss_score: t.cvss?.score ?? null,
        fixed_version: t.fixedVersion ?? null,
        kev,
        epss: t.epss?.score ?? null,
        summary: t.summary ?? null,
        state,
        state_reason: null,
        justification: state === 'not-affected' ? 'vulnerable_code_not_in_execute_path' : null,
        planned_fix_at: state === 'fix-planned' ? due : null,
        acceptance_id: null,
        sla_due_at: due,
        first_seen_at: first,
        first_scan_id: 'seed',
        last_seen_at: now,
        last_scan_id: 'seed',
        last_image_id: imageOf.get(`${p.id}|${repo}`),
        fixed_at: state === 'fixed' ? now : null,
        updated_at: now,
      };
      rows.push(Object.fromEntries(COLUMNS.map((c) => [c, row[c]])));
      if (rows.length >= 50_000) {
        await writer.write('findings', rows);
        rows = [];
      }
    }
  }
  await writer.write('findings', rows);
}

/**
 * Time `fn` `runs` times (sequentially): p50, p95 and max wall ms, and the server's CPU ms per run —
 * on a busy machine the wall time includes waiting for a core, the CPU time does not.
 */
async function latency(fn, runs = RUNS, server = undefined) {
  const times = [];
  let last;
  const cpu0 = await server?.cpuMs();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn(i);
    times.push(performance.now() - t0);
  }
  const cpu = server ? ((await server.cpuMs()) - cpu0) / runs : NaN;
  return { p50: pct(times, 50), p95: pct(times, 95), max: Math.max(...times), cpu, last };
}

/** `CLIENTS` keep-alive connections, each sending the next request as soon as the last answered. */
async function load(base, token, paths, seconds) {
  const pool = new Pool(base, { connections: CLIENTS, pipelining: 1 });
  const times = [];
  let errors = 0;
  let firstError;
  const end = performance.now() + seconds * 1000;
  const worker = async (w) => {
    for (let i = w; performance.now() < end; i += CLIENTS) {
      const t0 = performance.now();
      try {
        const res = await pool.request({
          method: 'GET',
          path: `/api/v1${paths[i % paths.length]}`,
          headers: { authorization: `Bearer ${token}` },
        });
        await res.body.text();
        if (res.statusCode !== 200) {
          errors++;
          firstError ??= `HTTP ${res.statusCode}`;
        }
      } catch (err) {
        errors++;
        firstError ??= err.message;
      }
      times.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
  await pool.close();
  return {
    requests: times.length,
    errors,
    firstError,
    p50: pct(times, 50),
    p95: pct(times, 95),
    rps: times.length / seconds,
  };
}

async function benchEngine(engine, url, report, vulnDb, out) {
  const stamp = (label, t0) =>
    console.log(`  ${engine}: ${label} in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  let server = await startServer(url, vulnDb);
  const agent = new Agent({ connections: 4 });
  let base = server.address;
  let call = client(base, agent);
  const login = async () => {
    const dispatcher = new Agent();
    const res = await request(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      dispatcher,
    });
    const body = await res.body.json();
    const cookie = []
      .concat(res.headers['set-cookie'])
      .map((c) => c.split(';')[0])
      .join('; ');
    const t = await request(`${base}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': body.csrfToken },
      body: JSON.stringify({ name: 'bench', scope: 'admin' }),
      dispatcher,
    });
    const tok = await t.body.json();
    await dispatcher.close();
    return tok.token;
  };
  const token = await login();
  const projects = [];
  for (const name of ['big', ...Array.from({ length: 19 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`)]) {
    const p = await call('POST', '/projects', { token, body: { name } });
    projects.push({ id: p.id, name });
  }
  const reportDoc = JSON.parse(report);
  const pushes = async (label, n) => {
    const fresh = await latency(
      (i) =>
        call('POST', '/projects/p01/scans', {
          token,
          body: report,
          query: { repository: `registry.example.com/ingest/${label}-${i}`, environment: 'production' },
        }),
      n,
      server,
    );
    const again = await latency(
      (i) =>
        call('POST', '/projects/p01/scans', {
          token,
          body: report,
          query: { repository: `registry.example.com/ingest/${label}-${i}`, environment: 'production' },
        }),
      n,
      server,
    );
    out.ingest.push(
      {
        engine,
        register: label,
        push: 'first (all new)',
        scans: n,
        findings: fresh.last.findings,
        p50: fmt(fresh.p50),
        p95: fmt(fresh.p95),
        max: fmt(fresh.max),
        'server CPU/scan': fmt(fresh.cpu),
        target: `≤ 300 ms: ${fresh.max <= 300 ? 'yes' : 'no'}`,
      },
      {
        engine,
        register: label,
        push: 'again (unchanged)',
        scans: n,
        findings: again.last.findings,
        p50: fmt(again.p50),
        p95: fmt(again.p95),
        max: fmt(again.max),
        'server CPU/scan': fmt(again.cpu),
        target: `≤ 300 ms: ${again.max <= 300 ? 'yes' : 'no'}`,
      },
    );
  };
  // Warm the server's code paths once (JIT), then measure.
  await call('POST', '/projects/p02/scans', {
    token,
    body: report,
    query: { repository: 'registry.example.com/warm/up' },
  });
  await pushes('empty', 10);

  // Seed straight into the database, with the server stopped (it holds no cache of its own).
  await server.stop();
  await agent.close();
  const writer = await bulkWriter(engine.startsWith('postgres') ? 'postgres' : 'sqlite', url);
  let t0 = performance.now();
  // Loading a million rows is faster with the secondary indexes built once afterwards (the same
  // definitions, read back from the database) than kept up to date row by row.
  const indexes = engine.startsWith('postgres')
    ? await writer.query(
        `select indexname as name, indexdef as sql from pg_indexes where tablename = 'findings' and indexdef not like 'CREATE UNIQUE%'`,
      )
    : await writer.query(
        `select name, sql from sqlite_master where type = 'index' and tbl_name = 'findings' and sql is not null`,
      );
  for (const ix of indexes) await writer.query(`drop index ${ix.name}`);
  await seed(writer, projects, reportDoc.findings, new Date().toISOString());
  for (const ix of indexes) await writer.query(ix.sql);
  stamp(`seeded ${FINDINGS.toLocaleString('en')} findings`, t0);
  t0 = performance.now();
  await writer.analyze();
  stamp('analyzed', t0);
  if (process.env.BENCH_SERVER_EXPLAIN === '1') await explainPlans(engine, (text) => writer.query(text));
  await writer.close();

  server = await startServer(url, vulnDb);
  base = server.address;
  const agent2 = new Agent({ connections: 4 });
  call = client(base, agent2);
  await pushes(`${FINDINGS.toLocaleString('en')} findings`, 10);

  const big = '/projects/big/findings';
  const pkg = reportDoc.findings.find((f) => f.severity === 'high')?.package.name ?? 'openssl';
  const queries = [
    ['findings, first page (sort due)', big, {}],
    ['state=new,triaged', big, { state: 'new,triaged' }],
    ['severity=critical,high', big, { severity: 'critical,high' }],
    ['kev=true', big, { kev: 'true' }],
    ['fixable=true', big, { fixable: 'true' }],
    [`package=${pkg}`, big, { package: pkg }],
    ['state=new&severity=critical&kev=true', big, { state: 'new', severity: 'critical', kev: 'true' }],
    ['sort=first-seen', big, { sort: 'first-seen' }],
    ['overdue=true (project)', big, { overdue: 'true' }],
    ['overdue list (all projects)', '/findings/overdue', {}],
    ['image list', '/projects/big/images', {}],
    ['offset=250000', big, { offset: '250000' }],
  ];
  const rows = [];
  for (const [label, path, query] of queries) {
    const r = await latency(
      () => call('GET', path, { token, query: { limit: '100', ...query } }),
      RUNS,
      server,
    );
    rows.push({
      engine,
      query: label,
      total: `${r.last.total ?? r.last.items.length}${r.last.totalExact === false ? '+' : ''}`,
      p50: fmt(r.p50, 1),
      p95: fmt(r.p95, 1),
      'server CPU/req': fmt(r.cpu, 1),
      target: `≤ 100 ms: ${r.p95 <= 100 ? 'yes' : 'no'}`,
    });
  }
  // Cursor pages deep in the list: start where offset 250,000 ends, then follow `next`.
  const deep = await call('GET', big, { token, query: { limit: '100', offset: '250000' } });
  if (deep.next) {
    let next = deep.next;
    const r = await latency(
      async () => {
        const page = await call('GET', big, { token, query: { limit: '100', cursor: next } });
        next = page.next ?? next;
        return page;
      },
      RUNS,
      server,
    );
    rows.push({
      engine,
      query: 'cursor pages after row 250,000',
      total: '',
      p50: fmt(r.p50, 1),
      p95: fmt(r.p95, 1),
      'server CPU/req': fmt(r.cpu, 1),
      target: `≤ 100 ms: ${r.p95 <= 100 ? 'yes' : 'no'}`,
    });
  }
  out.queries.push(...rows);

  const loadPaths = queries
    .filter(([label]) => !label.startsWith('offset'))
    .map(([, path, query]) => `${path}?${new URLSearchParams({ limit: '100', ...query })}`);
  const l = await load(base, token, loadPaths, SECONDS);
  out.load.push({
    engine,
    clients: CLIENTS,
    seconds: SECONDS,
    requests: l.requests,
    'req/s': fmt(l.rps),
    errors: l.errors,
    p50: fmt(l.p50),
    p95: fmt(l.p95),
    target: `0 errors: ${l.errors === 0 ? 'yes' : `no (${l.firstError})`}`,
  });

  const rss = await server.rssMB();
  out.rss.push({ engine, 'server peak RSS MB': fmt(rss), target: `≤ 300 MB: ${rss <= 300 ? 'yes' : 'no'}` });
  await server.stop();
  await agent2.close();
  try {
    out.rematch.push(await rematchStep(engine, url, report, vulnDb));
  } catch (err) {
    out.rematch.push({ engine, sboms: 1000, result: `failed: ${err.message.split('\n')[0]}` });
  }
}

/**
 * (e) Rematch of 1,000 stored SBOMs after a vulnerability-database change, as `bulwark worker` runs it
 * (the job queue's rematchAll, in this process, on the register with its 1,000,000 findings). The SBOMs
 * are the debian12-node SBOM with one package version changed per copy (so no two are alike and each is
 * matched), each the newest scan of its own repository, stored straight into the database with no
 * findings yet: the first run opens every finding they have (the most work a database change can cause),
 * the second finds nothing to change. Runs when the build has the rematch (dist/server/jobs/rematch.js).
 */
async function rematchStep(engine, url, report, vulnDb) {
  const file = join(ROOT, 'dist', 'server', 'jobs', 'rematch.js');
  if (!existsSync(file))
    return {
      engine,
      sboms: 1000,
      result: 'skipped: this build has no rematch (dist/server/jobs/rematch.js)',
    };
  const { rematchAll } = await import(dist('server/jobs/rematch.js'));
  const { openStore } = await import(dist('server/store/connect.js'));
  const { loadServerConfig } = await import(dist('server/config.js'));
  const sbom = JSON.parse(report).sbom;
  const now = new Date().toISOString();
  const writer = await bulkWriter(engine.startsWith('postgres') ? 'postgres' : 'sqlite', url);
  const [project] = await writer.query(`select id from projects where name = 'p19'`);
  const images = [];
  const scans = [];
  for (let i = 0; i < 1000; i++) {
    const packages = sbom.packages.map((p, j) =>
      j === i % sbom.packages.length ? { ...p, version: `${p.version}+bench${i}` } : p,
    );
    const id = `rematch-${i}`;
    images.push({
      id: `img-${id}`,
      project_id: project.id,
      repository: `registry.example.com/rematch/svc-${i}`,
      tag: 'latest',
      environment: 'production',
      digest: null,
      created_at: now,
      last_scan_id: `scan-${id}`,
      last_scan_at: now,
    });
    scans.push({
      id: `scan-${id}`,
      project_id: project.id,
      image_id: `img-${id}`,
      repository: `registry.example.com/rematch/svc-${i}`,
      digest: null,
      kind: 'sbom',
      sbom: JSON.stringify({ ...sbom, packages }),
      findings: '[]',
      package_count: packages.length,
      finding_count: 0,
      summary: '{}',
      db_built_at: null,
      created_by: 'bench',
      created_at: now,
    });
  }
  await writer.write('images', images);
  for (let i = 0; i < scans.length; i += 100) await writer.write('scans', scans.slice(i, i + 100));
  await writer.close();
  const home = mkdtempSync(join(tmpdir(), 'bulwark-bench-rematch-'));
  const config = loadServerConfig({
    env: { HOME: home, BULWARK_SERVER_DATABASE_URL: url, BULWARK_SERVER_VULN_DB: vulnDb },
    cwd: home,
  });
  const store = openStore(url);
  try {
    const clock = () => new Date().toISOString();
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    const c0 = cpu();
    const first = await rematchAll({ store, config, now: clock, vulnDb, reason: 'benchmark' });
    const c1 = cpu();
    const again = await rematchAll({ store, config, now: clock, vulnDb, reason: 'benchmark' });
    const c2 = cpu();
    return {
      engine,
      sboms: 1000,
      result: `first run ${fmt(first.ms / 1000, 1)} s, CPU ${fmt(c1 - c0, 1)} s (${first.repositories} repositories, ${first.distinctSboms} distinct SBOMs, ${first.opened} findings opened); again ${fmt(again.ms / 1000, 1)} s, CPU ${fmt(c2 - c1, 1)} s (${again.opened + again.fixed + again.updated} changes); ≤ 60 s: ${first.ms <= 60_000 ? 'yes' : 'no'}`,
    };
  } finally {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Print the tables collected so far, then empty them (printed after each engine). */
function print(out) {
  table(
    'Server: ingest of the debian12-node scan (HTTP push; ms per scan: wall, and the server process CPU)',
    out.ingest,
  );
  table('Server: list queries (limit 100, sequential; ms: wall, and the server process CPU)', out.queries);
  table(`Server: ${CLIENTS} concurrent clients (keep-alive, the list queries above)`, out.load);
  table('Server: peak memory', out.rss);
  table('Server: rematch of stored SBOMs', out.rematch);
  for (const rows of Object.values(out)) rows.length = 0;
}

export default async function benchServer() {
  if (!existsSync(join(ROOT, 'dist', 'server', 'app.js'))) {
    console.error('bench-server: no build; run `npm run build` first');
    process.exitCode = 1;
    return;
  }
  if (!existsSync(join(IMAGES, 'debian12-node.oci')) || !existsSync(join(SHARED, 'vulndata', 'osv', 'npm'))) {
    console.log('\n## Server\nskipped: needs the test images and ../shared/vulndata');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'bulwark-bench-server-'));
  const out = { ingest: [], queries: [], load: [], rss: [], rematch: [] };
  const engines = (process.env.BENCH_SERVER_ENGINES ?? 'sqlite,postgres').split(',');
  let pg;
  try {
    const { text: report, dbPath: vulnDb } = await buildReport(work);
    console.log(
      `\n## Server (${FINDINGS.toLocaleString('en')} findings seeded; ${JSON.parse(report).findings.length} findings per debian12-node scan)`,
    );
    for (const engine of engines) {
      if (engine === 'sqlite') {
        await benchEngine('sqlite', `sqlite:${join(work, 'register.sqlite')}`, report, vulnDb, out);
        print(out);
      } else if (engine === 'postgres') {
        if (!postgresBinDir()) {
          console.log('postgresql not installed: the PostgreSQL part is skipped');
          continue;
        }
        pg = await startPostgres();
        await benchEngine(`postgres ${pg.version}`, await pg.newDatabase(), report, vulnDb, out);
        print(out);
      }
    }
  } finally {
    pg?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchServer();
