/**
 * Server-side registry scans against a real distribution registry (Debian's docker-registry) on
 * 127.0.0.1 with htpasswd authentication and the real debian12-minbase image pushed by skopeo: refused
 * for registries off the allow-list, failed without credentials, done with stored (encrypted)
 * credentials, and refused when an allowed registry redirects to a host off the list.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../../db/import.js';
import {
  haveRegistryTools,
  htpasswdLine,
  push,
  serve,
  startRegistry,
  type HttpServer,
  type RunningRegistry,
} from '../../source/registry/test-support/registry.js';
import { haveImages, imagePath } from '../../test-support/images.js';
import { startHarness, type Harness } from '../test-support/harness.js';

const ready = haveImages() && haveRegistryTools();
const PASSWORD = 'registry-password-1';
const SECRET_KEY = 'registry-credentials-key-for-the-tests-0123456789';

describe.runIf(ready)('registry scans (a job, against a local registry)', () => {
  let dir: string;
  let reg: RunningRegistry;
  let redirector: HttpServer;
  let elsewhere: HttpServer;
  let h: Harness;
  let dev: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-regscan-'));
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, `${await htpasswdLine('ci', PASSWORD)}\n`);
    reg = await startRegistry({ dir: join(dir, 'registry'), htpasswd });
    await push(imagePath('debian12-minbase', 'oci'), `${reg.host}/team/minbase:1`, {
      creds: `ci:${PASSWORD}`,
    });
    // An allowed "registry" that redirects every request to a host that is not allowed.
    elsewhere = await serve((_req, res) => res.writeHead(404).end());
    redirector = await serve((req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}${req.url ?? '/'}` }).end(),
    );
    // A vulnerability database with one advisory for Debian 12's bash.
    const osv = join(dir, 'osv', 'Debian');
    mkdirSync(osv, { recursive: true });
    writeFileSync(
      join(osv, 'DEBIAN-TEST-1.json'),
      JSON.stringify({
        id: 'DEBIAN-TEST-1',
        modified: '2024-01-01T00:00:00Z',
        summary: 'test advisory for bash',
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'bash' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
          },
        ],
      }),
    );
    const vulnDb = join(dir, 'vuln.sqlite');
    await importInputs([osv], { dbPath: vulnDb });
    h = await startHarness({
      engine: 'sqlite',
      vulnDb,
      env: {
        BULWARK_SERVER_REGISTRY_ALLOW: `${reg.host},127.0.0.1:${redirector.port}`,
        BULWARK_SERVER_SECRET_KEY: SECRET_KEY,
        BULWARK_SERVER_JOB_POLL_INTERVAL: '500ms',
        BULWARK_SERVER_JOB_RETRY_DELAY: '1s',
        BULWARK_SERVER_JOB_ATTEMPTS: '2',
      },
    });
    expect((await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'shop' } })).status).toBe(
      201,
    );
    dev = await h.user('dana', 'developer');
    await h.call('PUT', '/projects/shop/members/dana', { token: h.adminToken, body: {} });
  }, 300_000);
  afterAll(async () => {
    await h?.stop();
    await reg?.stop();
    await redirector?.close();
    await elsewhere?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function waitJob(id: string) {
    for (let i = 0; i < 1200; i++) {
      const r = await h.call('GET', `/jobs/${id}`, { token: dev });
      if (r.body.state === 'completed' || r.body.state === 'failed') return r.body;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`job ${id} did not finish`);
  }
  const scan = (reference: string) =>
    h.call('POST', '/projects/shop/registry-scans', { token: dev, body: { reference } });

  it('refuses registries that are not on the allow-list, before queueing anything', async () => {
    for (const reference of [
      '10.0.0.1/team/app:1',
      'localhost:5000/team/app:1',
      'docker.io/library/debian:12',
    ]) {
      const r = await scan(reference);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('E_REGISTRY_NOT_ALLOWED');
    }
    expect((await scan('UPPER CASE/is not a reference')).status).toBe(400);
    expect((await h.call('GET', '/jobs', { token: dev })).body.items).toEqual([]);
  });

  it('fails without credentials, scans with stored ones (never shown again)', async () => {
    const ref = `${reg.host}/team/minbase:1`;
    const denied = await waitJob((await scan(ref)).body.id);
    expect(denied.state).toBe('failed');
    expect(denied.attempts).toBe(2);
    expect(denied.error).toMatch(/401|unauthori[sz]ed|credentials|authentication/i);

    const put = await h.call('PUT', `/registry-credentials/${reg.host}`, {
      token: h.adminToken,
      body: { username: 'ci', password: PASSWORD },
    });
    expect(put.status).toBe(200);
    expect(put.text).not.toContain(PASSWORD);
    const list = await h.call('GET', '/registry-credentials', { token: h.adminToken });
    expect(list.body.items).toEqual([expect.objectContaining({ registry: reg.host, username: 'ci' })]);
    expect(list.text).not.toContain(PASSWORD);
    const stored = await h.server.services.store.db.selectFrom('registry_credentials').selectAll().execute();
    expect(stored[0]!.secret).not.toContain(PASSWORD);
    expect(stored[0]!.secret).toMatch(/^v1:/);
    // Developers may scan but not manage credentials.
    expect((await h.call('GET', '/registry-credentials', { token: dev })).status).toBe(403);

    const r = await scan(ref);
    expect(r.status).toBe(202);
    const done = await waitJob(r.body.id);
    expect(done.state, done.error).toBe('completed');
    expect(done.result.new).toBeGreaterThan(0);
    expect(done.result.digest).toMatch(/^sha256:/);
    const scans = (await h.call('GET', '/projects/shop/scans', { token: dev })).body.items;
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ kind: 'registry-scan', repository: `${reg.host}/team/minbase` });
    expect(scans[0].packages).toBeGreaterThan(50);
    expect(scans[0].createdBy).toBe('dana');
    const findings = (
      await h.call('GET', '/projects/shop/findings', {
        token: dev,
        query: { repository: `${reg.host}/team/minbase` },
      })
    ).body.items;
    expect(findings.map((f: { vulnerabilityId: string }) => f.vulnerabilityId)).toContain('DEBIAN-TEST-1');
  }, 300_000);

  it('refuses to follow a redirect to a host that is not on the allow-list', async () => {
    const done = await waitJob((await scan(`127.0.0.1:${redirector.port}/team/app:1`)).body.id);
    expect(done.state).toBe('failed');
    expect(done.attempts).toBe(1);
    expect(done.error).toMatch(/not on the allow-list/);
    expect(redirector.requests.length).toBeGreaterThan(0);
    expect(elsewhere.requests).toEqual([]);
  }, 120_000);
});
