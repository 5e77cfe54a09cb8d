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
// BENCH_SERVER_ENGINES (default "sqlite,postgres").
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, Pool, request } from 'undici';
import { IMAGES, ROOT, SHARED, dist, fmt, rng, table } from './bench/common.mjs';
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
      const on = (m) => {
        if (m && key in m) {
          child.off('message', on);
          resolve(m[key]);
        }
      };
      child.on('message', on);
      child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
      if (msg) child.send(msg);
    });
  return ask(undefined, 'address').then((address) => ({
    address,
    rssMB: () => ask('rss', 'rssMB'),
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

/**
 * Store `FINDINGS` findings directly through the store (multi-row inserts in large transactions): the
 * real debian12-node findings repeated over 20 projects (half of them in project `big`), with states,
 * first-seen days (many ties) and SLA dates spread over two years.
 */
async function seed(store, projects, template, now) {
  const random = rng(13);
  const stateBag = STATES.flatMap(([s, w]) => Array(w).fill(s));
  const db = store.db;
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
  await store.write(async (tx) => {
    for (let i = 0; i < images.length; i += 500)
      await tx
        .insertInto('images')
        .values(images.slice(i, i + 500))
        .execute();
  });
  const imageOf = new Map(images.map((im) => [`${im.project_id}|${im.repository}`, im.id]));
  const CHUNK = store.engine === 'postgres' ? 1000 : 500;
  const TX_ROWS = 20_000;
  let seq = 0;
  for (const p of perProject) {
    let rows = [];
    const flush = async () => {
      const batch = rows;
      rows = [];
      await store.write(async (tx) => {
        for (let i = 0; i < batch.length; i += CHUNK)
          await tx
            .insertInto('findings')
            .values(batch.slice(i, i + CHUNK))
            .execute();
      });
    };
    for (let k = 0; k < p.count; k++) {
      const t = template[k % template.length];
      const copy = Math.floor(k / template.length);
      const repo = p.repos[copy % p.repos.length];
      const state = stateBag[Math.floor(random() * stateBag.length)];
      const first = new Date(Date.parse(now) - Math.floor(random() * 730) * DAY).toISOString();
      const kev = t.kev ? 1 : 0;
      const due = new Date(Date.parse(first) + (kev ? 14 : (SLA[t.severity] ?? 90)) * DAY).toISOString();
      const id = `f${(seq++).toString(36).padStart(6, '0')}${Math.floor(random() * 1e9).toString(36)}`;
      rows.push({
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
      });
      if (rows.length >= TX_ROWS) await flush();
    }
    if (rows.length) await flush();
  }
}

/** Time `fn` `runs` times (sequentially); p50 and p95 in ms. */
async function latency(fn, runs = RUNS) {
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn(i);
    times.push(performance.now() - t0);
  }
  return { p50: pct(times, 50), p95: pct(times, 95), max: Math.max(...times), last };
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
    );
    const again = await latency(
      (i) =>
        call('POST', '/projects/p01/scans', {
          token,
          body: report,
          query: { repository: `registry.example.com/ingest/${label}-${i}`, environment: 'production' },
        }),
      n,
    );
    out.ingest.push(
      {
        engine,
        register: label,
        push: 'first (all new)',
        scans: n,
        findings: fresh.last.findings,
        p50: fmt(fresh.p50),
        max: fmt(fresh.max),
        target: `≤ 300 ms: ${fresh.max <= 300 ? 'yes' : 'no'}`,
      },
      {
        engine,
        register: label,
        push: 'again (unchanged)',
        scans: n,
        findings: again.last.findings,
        p50: fmt(again.p50),
        max: fmt(again.max),
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

  // Seed through the store, with the server stopped (it holds no cache of its own).
  await server.stop();
  await agent.close();
  const { openStore } = await import(dist('server/store/connect.js'));
  const store = openStore(url);
  let t0 = performance.now();
  await seed(store, projects, reportDoc.findings, new Date().toISOString());
  stamp(`seeded ${FINDINGS} findings`, t0);
  t0 = performance.now();
  const { sql } = await import('kysely');
  if (engine === 'postgres') await sql`vacuum analyze`.execute(store.db);
  else await sql`analyze`.execute(store.db);
  stamp('analyzed', t0);
  await store.close();

  server = await startServer(url, vulnDb);
  base = server.address;
  const agent2 = new Agent({ connections: 4 });
  call = client(base, agent2);
  await pushes('1M findings', 10);

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
    const r = await latency(() => call('GET', path, { token, query: { limit: '100', ...query } }));
    rows.push({
      engine,
      query: label,
      total: `${r.last.total ?? r.last.items.length}${r.last.totalExact === false ? '+' : ''}`,
      p50: fmt(r.p50, 1),
      p95: fmt(r.p95, 1),
      target: `≤ 100 ms: ${r.p95 <= 100 ? 'yes' : 'no'}`,
    });
  }
  // Cursor pages deep in the list: start where offset 250,000 ends, then follow `next`.
  const deep = await call('GET', big, { token, query: { limit: '100', offset: '250000' } });
  if (deep.next) {
    let next = deep.next;
    const r = await latency(async () => {
      const page = await call('GET', big, { token, query: { limit: '100', cursor: next } });
      next = page.next ?? next;
      return page;
    });
    rows.push({
      engine,
      query: 'cursor pages after row 250,000',
      total: '',
      p50: fmt(r.p50, 1),
      p95: fmt(r.p95, 1),
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

  out.rematch.push(await rematchStep(engine, url, call, token));
  const rss = await server.rssMB();
  out.rss.push({ engine, 'server peak RSS MB': fmt(rss), target: `≤ 300 MB: ${rss <= 300 ? 'yes' : 'no'}` });
  await server.stop();
  await agent2.close();
}

/**
 * (e) Rematch of 1,000 stored SBOMs after a vulnerability-database change. The rematch is the job
 * queue's (`bulwark worker`); this step runs when the build has it (dist/server/jobs/rematch.js).
 */
async function rematchStep(engine) {
  const mod = join(ROOT, 'dist', 'server', 'jobs', 'rematch.js');
  if (!existsSync(mod))
    return {
      engine,
      sboms: 1000,
      result: 'skipped: this build has no rematch (dist/server/jobs/rematch.js)',
    };
  return { engine, sboms: 1000, result: 'skipped: rematch module present but no bench step for its API yet' };
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
      } else if (engine === 'postgres') {
        if (!postgresBinDir()) {
          console.log('postgresql not installed: the PostgreSQL part is skipped');
          continue;
        }
        pg = await startPostgres();
        await benchEngine(`postgres ${pg.version}`, await pg.newDatabase(), report, vulnDb, out);
      }
    }
  } finally {
    pg?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  table('Server: ingest of the debian12-node scan (HTTP push, ms per scan)', out.ingest);
  table('Server: list queries (limit 100, sequential, ms)', out.queries);
  table(`Server: ${CLIENTS} concurrent clients (keep-alive, the list queries above)`, out.load);
  table('Server: peak memory', out.rss);
  table('Server: rematch of stored SBOMs', out.rematch);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchServer();
