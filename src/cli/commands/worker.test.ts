/**
 * `bulwark worker` end to end on PostgreSQL, all through real processes: scans of debian12-node pushed
 * with `bulwark scan --push`, many more stored SBOMs pushed through the API, then `bulwark server
 * db-import` with a changed database (one advisory removed, one added) queues a rematch; two `bulwark
 * worker` processes share the queue, the one holding the job is SIGKILLed half way, and the other
 * finishes it: every finding the new advisory opens exists once, with one audit entry, the withdrawn
 * advisory's finding is fixed, and the audit chain verifies.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagePath, REPO_ROOT } from '../../test-support/images.js';
import { verifyAudit } from '../../server/audit.js';
import { havePostgres, startPostgres, type TestPostgres } from '../../server/test-support/postgres.js';
import {
  haveScanFixtures,
  scanFixtures,
  startHarness,
  type Harness,
} from '../../server/test-support/harness.js';

const exec = promisify(execFile);
/** Every child process of the test is bounded: a stuck command fails the test with its output. */
const run = (file: string, args: string[], options: { env: NodeJS.ProcessEnv }) =>
  exec(file, args, { ...options, timeout: 180_000, killSignal: 'SIGKILL' });

/** Poll `probe` until it returns a value, or fail after `ms` with `what` and the last state seen. */
async function until<T>(
  what: string,
  ms: number,
  every: number,
  probe: () => Promise<{ done?: T; seen: string }>,
): Promise<T> {
  const deadline = Date.now() + ms;
  let seen = '';
  for (;;) {
    const r = await probe();
    if (r.done !== undefined) return r.done;
    seen = r.seen;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s (last seen: ${seen})`);
    await new Promise((res) => setTimeout(res, every));
  }
}
const CLI = join(REPO_ROOT, 'bin', 'bulwark.js');
const ready = haveScanFixtures() && havePostgres();
const BULK = 600;

interface SbomPackage {
  name: string;
  type: string;
  sourceName?: string;
}

function osvFolder(dir: string, id: string, pkg: string): string {
  const folder = join(dir, 'extra');
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, `${id}.json`),
    JSON.stringify({
      id,
      modified: '2024-01-01T00:00:00Z',
      summary: `${id}: test advisory for ${pkg}`,
      affected: [
        {
          package: { ecosystem: 'Debian:12', name: pkg },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        },
      ],
      database_specific: { severity: 'HIGH' },
    }),
  );
  return folder;
}

describe.runIf(ready)('bulwark worker on PostgreSQL (killed mid-job)', () => {
  let pg: TestPostgres;
  let h: Harness;
  let dir: string;
  let liveDb: string;
  const workers: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const fx = scanFixtures();
    dir = mkdtempSync(join(tmpdir(), 'bulwark-worker-'));
    pg = await startPostgres();
    liveDb = join(dir, 'vuln.sqlite');
    copyFileSync(fx.vulnDb, liveDb);
    h = await startHarness({
      engine: 'postgres',
      pg,
      listen: true,
      vulnDb: liveDb,
      env: { BULWARK_SERVER_WORKERS: '0' },
    });
    env = {
      ...process.env,
      HOME: dir,
      BULWARK_CACHE_DIR: join(dir, 'cache'),
      BULWARK_SERVER_DATABASE_URL: h.config.databaseUrl,
      BULWARK_SERVER_VULN_DB: liveDb,
      BULWARK_SERVER_JOB_TIMEOUT: '40s',
      BULWARK_SERVER_JOB_POLL_INTERVAL: '500ms',
      BULWARK_SERVER_JOB_RETRY_DELAY: '1s',
      BULWARK_SERVER_LOG_LEVEL: 'error',
      NO_COLOR: '1',
    };
  }, 600_000);
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await h?.stop();
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const logs = new Map<number, string>();
  function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [CLI, 'worker', '--concurrency', '1'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.push(child);
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`worker did not start within 120 s: ${err}`)), 120_000);
      child.stderr!.on('data', (c: Buffer) => {
        err += c.toString();
        logs.set(child.pid!, err.slice(-4000));
      });
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('running up to 1 job')) {
          clearTimeout(timer);
          resolve(child);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited ${code}: ${err}`));
      });
    });
  }
  const workerLogs = () => [...logs].map(([pid, text]) => `[worker ${pid}] ${text}`).join(' ');

  it('re-matches stored SBOMs after db-import; a killed worker’s job is finished by the other', async () => {
    const fx = scanFixtures();
    const report = JSON.parse(fx.scanJson) as {
      findings: { package: { name: string } }[];
      sbom: { packages: SbomPackage[]; source: { target: string } };
    };
    // Two Debian packages of the image without advisories of their own: the test's advisories hit them.
    const vulnerable = new Set(report.findings.map((f) => f.package.name));
    const [p1, p2] = report.sbom.packages
      .filter((p) => p.type === 'deb' && (p.sourceName ?? p.name) === p.name && !vulnerable.has(p.name))
      .map((p) => p.name)
      .sort();
    expect(p2).toBeDefined();
    const X1 = 'BULWARK-TEST-0001'; // in the first database only (withdrawn by the second)
    const X2 = 'BULWARK-TEST-0002'; // added by the second database
    await run(process.execPath, [CLI, 'db', 'import', '--db', liveDb, osvFolder(join(dir, 'a'), X1, p1!)], {
      env,
    });
    const folderB = osvFolder(join(dir, 'b'), X2, p2!);

    expect((await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'web' } })).status).toBe(
      201,
    );
    const target = `oci-dir://${imagePath('debian12-node', 'oci')}`;
    await run(
      process.execPath,
      [
        CLI,
        'scan',
        '--db',
        liveDb,
        target,
        '-q',
        '--push',
        `${h.url}/projects/web?repository=acme/node&tag=1`,
      ],
      { env: { ...env, BULWARK_TOKEN: h.adminToken } },
    );
    const db = h.server.services.store.db;
    const x1 = await db.selectFrom('findings').selectAll().where('vulnerability_id', '=', X1).execute();
    expect(x1.map((f) => [f.repository, f.state])).toEqual([['acme/node', 'new']]);

    // Many more stored SBOMs (one package each, all different): a rematch that takes a while.
    const tiny = report.sbom.packages.filter((p) => p.name === p2 && p.type === 'deb');
    for (let i = 0; i < BULK; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, BULK - i) }, (_, k) => {
          const n = String(i + k).padStart(4, '0');
          const sbom = {
            ...report.sbom,
            // Distinct package ids: distinct SBOMs to the rematch (identical ones are matched once).
            packages: tiny.map((p) => ({ ...p, id: `${(p as { id?: string }).id ?? p.name}-${n}` })),
            relationships: [],
            source: { ...report.sbom.source, target: `oci-dir://bulk-${n}` },
          };
          return h
            .call('POST', '/projects/web/scans', {
              token: h.adminToken,
              body: { schema: 'bulwark-scan/v1', findings: [], sbom },
              query: { repository: `bulk/r${n}` },
            })
            .then((r) => expect(r.status).toBe(201));
        }),
      );
    }

    const [w1, w2] = await Promise.all([startWorker(), startWorker()]);
    const imported = await run(process.execPath, [CLI, 'server', 'db-import', folderB], { env });
    const jobId = /rematch job (\S+) queued/.exec(imported.stdout)?.[1];
    expect(jobId, imported.stdout).toBeDefined();

    // Wait until a worker holds the job and has committed part of it, then kill that worker.
    const jobRow = () => db.selectFrom('jobs').selectAll().where('id', '=', jobId!).executeTakeFirstOrThrow();
    const { victim, killedAt } = await until('a worker holding the job half way', 300_000, 25, async () => {
      const j = await jobRow();
      expect(j.state, `the job finished before a worker was caught holding it: ${workerLogs()}`).not.toBe(
        'completed',
      );
      const m = /^(\d+)\/(\d+)/.exec(j.progress ?? '');
      const seen = `${j.state} ${j.progress ?? ''} ${j.worker ?? ''} ${j.error ?? ''} ${workerLogs()}`;
      if (j.state !== 'active' || !m || Number(m[1]) === 0 || !j.worker) return { seen };
      const pid = Number(j.worker.slice(j.worker.lastIndexOf(':') + 1));
      const w = [w1, w2].find((c) => c.pid === pid);
      if (!w) return { seen: `held by an unknown worker: ${seen}` };
      w.kill('SIGKILL');
      return { done: { victim: w, killedAt: j.progress! }, seen };
    });
    const survivor = victim === w1 ? w2 : w1;
    expect(Number(/^(\d+)/.exec(killedAt)![1])).toBeLessThan(BULK + 1);

    const job = await until('the job finished by the surviving worker', 300_000, 100, async () => {
      const j = await jobRow();
      const seen = `${j.state} ${j.progress ?? ''} ${j.error ?? ''} ${workerLogs()}`;
      return j.state === 'completed' || j.state === 'failed' ? { done: j, seen } : { seen };
    });
    expect(job.state, job.error ?? '').toBe('completed');
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    expect(job.worker).toContain(`:${survivor.pid}`);

    // Nothing lost: every stored SBOM has the new finding; nothing doubled: one finding, one audit entry each.
    const opened = await db
      .selectFrom('findings')
      .select(['repository', 'state'])
      .where('vulnerability_id', '=', X2)
      .execute();
    expect(opened).toHaveLength(BULK + 1);
    expect(new Set(opened.map((f) => f.repository)).size).toBe(BULK + 1);
    expect(opened.every((f) => f.state === 'new')).toBe(true);
    const auditOf = async (action: string, vuln: string) =>
      Number(
        (
          await db
            .selectFrom('audit_log')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('action', '=', action)
            .where(sql<boolean>`details like ${`%${vuln}%`}`)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await auditOf('finding.opened', X2)).toBe(BULK + 1);
    // The withdrawn advisory's finding is fixed, once.
    const gone = await db.selectFrom('findings').selectAll().where('vulnerability_id', '=', X1).execute();
    expect(gone.map((f) => f.state)).toEqual(['fixed']);
    expect(
      Number(
        (
          await db
            .selectFrom('audit_log')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('action', '=', 'finding.fixed')
            .where('entity_id', '=', gone[0]!.id)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(1);
    const completed = await db
      .selectFrom('audit_log')
      .select('seq')
      .where('action', '=', 'rematch.completed')
      .execute();
    expect(completed).toHaveLength(1);
    expect((await verifyAudit(db)).ok).toBe(true);

    // The API shows the job with its result.
    const api = await h.call('GET', `/jobs/${jobId}`, { token: h.adminToken });
    expect(api.body).toMatchObject({
      kind: 'rematch',
      state: 'completed',
      result: { repositories: BULK + 1 },
    });

    // The survivor stops cleanly on SIGTERM.
    const exited = new Promise<number | null | string>((r) => {
      survivor.once('exit', (code) => r(code));
      setTimeout(() => r(`still running 60 s after SIGTERM: ${workerLogs()}`), 60_000).unref();
    });
    survivor.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 900_000);
});
