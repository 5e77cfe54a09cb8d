/**
 * Policies and the catalogue through the server API (SQLite, real server): a real scan report (an image
 * built here with a glibc in the CISA KEV catalog, matched against the shared Debian and KEV data) is
 * pushed, judged by the same engine as `bulwark policy`, and the register's decisions excuse findings.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../db/import.js';
import { scanTarget } from '../engine/scan.js';
import { OS_RELEASE, dpkgStatus, image, layout } from '../policy/test-support/images.js';
import type { PolicyEvaluation } from '../report/policy-types.js';
import { renderJson } from '../report/scan/json.js';
import { tempDir } from '../source/test-support/build.js';
import { SHARED_DIR } from '../test-support/images.js';
import { prerequisite } from '../test-support/require.js';
import { expectPolicyDocument } from '../policy/test-support/schema.js';
import { startHarness, type Harness } from './test-support/harness.js';

const DEBIAN = join(SHARED_DIR, 'vulndata', 'osv', 'Debian:12');
const KEV = join(SHARED_DIR, 'vulndata', 'kev');
const ready = prerequisite(
  existsSync(DEBIAN) && existsSync(KEV),
  `server policy tests: ${DEBIAN} and ${KEV} are missing`,
);

describe.skipIf(!ready)('server: catalogue and policies of stored images', () => {
  let h: Harness;
  let work: string;
  let imageId: string;
  let viewer: string;

  beforeAll(async () => {
    work = tempDir('bulwark-server-policy-');
    const dbPath = join(work, 'vuln.sqlite');
    await importInputs([DEBIAN, KEV], { dbPath });
    const dir = layout(
      image([OS_RELEASE, dpkgStatus([{ name: 'libc6', version: '2.36-9+deb12u1', source: 'glibc' }])], {
        user: 'app',
      }),
    );
    const { report } = await scanTarget(`oci-dir://${dir}`, {
      db: dbPath,
      offline: true,
      cwd: work,
      cache: false,
    });
    const doc = JSON.parse(renderJson(report)) as { sbom: Record<string, unknown> };
    // The base image as the detection records it in the SBOM.
    doc.sbom.baseImage = {
      name: 'docker.io/library/debian:12-slim',
      layers: 1,
      detectedBy: 'annotation',
      confidence: 'medium',
    };
    h = await startHarness({ engine: 'sqlite', vulnDb: dbPath });
    expect((await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'shop' } })).status).toBe(
      201,
    );
    const pushed = await h.call('POST', '/projects/shop/scans', {
      token: h.adminToken,
      body: doc,
      query: { repository: 'ghcr.io/acme/app', tag: '1.0' },
    });
    expect(pushed.status).toBe(201);
    imageId = pushed.body.imageId as string;
    viewer = await h.user('vic', 'viewer', 'read');
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const policy = async (token = h.adminToken) => {
    const r = await h.call('GET', `/projects/shop/images/${imageId}/policy`, { token });
    expect(r.status).toBe(200);
    const ev = r.body as PolicyEvaluation;
    expectPolicyDocument(ev);
    return { ev, of: (id: string) => ev.results.find((x) => x.id === id)! };
  };

  it('judges the newest scan with the engine of bulwark policy', async () => {
    const { ev, of } = await policy();
    expect(ev.schema).toBe('bulwark-policy/v1');
    expect(ev.target).toBe('ghcr.io/acme/app:1.0');
    expect(of('kev')).toMatchObject({
      status: 'fail',
      violations: [{ id: 'CVE-2023-4911', package: 'libc6@2.36-9+deb12u1' }],
    });
    expect(of('non-root-user').status).toBe('pass');
    // Nothing stored says these; the server asks no registry.
    expect(of('no-secrets').status).toBe('unknown');
    expect(of('supply-chain-attestations').status).toBe('unknown');
    // No catalogue yet: cannot say.
    expect(of('approved-base-image')).toMatchObject({ status: 'unknown' });
  });

  it('admins manage the catalogue; entries are validated like approved: in .bulwark.yaml', async () => {
    const bad = await h.call('POST', '/catalogue', {
      token: h.adminToken,
      body: { repository: 'debian', versions: '>=12 <<13' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      'entry.versions: "<<13" is not a version comparator (e.g. >=12.4, ^3, 12.x)',
    );
    expect(
      (await h.call('POST', '/catalogue', { token: viewer, body: { repository: 'debian' } })).status,
    ).toBe(403);
    const made = await h.call('POST', '/catalogue', {
      token: h.adminToken,
      body: { repository: 'debian', tags: ['12-slim'], owner: 'platform', profile: 'hardened' },
    });
    expect(made.status).toBe(201);
    expect((await h.call('GET', '/catalogue', { token: viewer })).body.items).toMatchObject([
      { id: made.body.id, repository: 'debian', tags: ['12-slim'], owner: 'platform', createdBy: 'admin' },
    ]);
    let { of } = await policy();
    expect(of('approved-base-image')).toMatchObject({ status: 'pass' });
    expect(of('approved-base-image').summary).toContain(`approved by server:catalogue/${made.body.id}`);
    // Removed: the base is no longer approved (another entry keeps the catalogue non-empty).
    await h.call('POST', '/catalogue', { token: h.adminToken, body: { repository: 'alpine' } });
    expect((await h.call('DELETE', `/catalogue/${made.body.id}`, { token: h.adminToken })).status).toBe(200);
    ({ of } = await policy());
    expect(of('approved-base-image')).toMatchObject({
      status: 'fail',
      violations: [
        { kind: 'base-image', message: 'docker.io/library/debian is not in the approved catalogue' },
      ],
    });
    const audit = await h.call('GET', '/audit', { token: h.adminToken, query: { entityType: 'catalogue' } });
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual([
      'catalogue.removed',
      'catalogue.added',
      'catalogue.added',
    ]);
  });

  it("the register's decisions are exceptions", async () => {
    const findings = await h.call('GET', '/projects/shop/findings', { token: h.adminToken });
    const f = (findings.body.items as { id: string; vulnerabilityId: string }[]).find(
      (x) => x.vulnerabilityId === 'CVE-2023-4911',
    )!;
    const set = await h.call('POST', `/projects/shop/findings/${f.id}/state`, {
      token: h.adminToken,
      body: {
        state: 'not-affected',
        reason: 'no setuid binaries in this image',
        justification: 'vulnerable_code_not_in_execute_path',
      },
    });
    expect(set.status).toBe(200);
    const { of } = await policy();
    expect(of('kev')).toMatchObject({
      status: 'pass',
      exceptions: [
        {
          id: 'CVE-2023-4911',
          package: 'libc6@2.36-9+deb12u1',
          source: `register: finding ${f.id} (not-affected)`,
          reason: 'no setuid binaries in this image',
        },
      ],
    });
  });

  it('lists every visible image with its grade', async () => {
    const r = await h.call('GET', '/policy/images', { token: viewer });
    expect(r.status).toBe(200);
    // The viewer is not a member of "shop": nothing to see.
    expect(r.body).toEqual({ items: [], total: 0 });
    const all = await h.call('GET', '/policy/images', { token: h.adminToken });
    expect(all.body.total).toBe(1);
    expect(all.body.items[0]).toMatchObject({
      project: 'shop',
      image: imageId,
      repository: 'ghcr.io/acme/app',
      tag: '1.0',
      failed: ['approved-base-image'],
    });
    expect(all.body.items[0].grade).toMatch(/^[A-F]$/);
    expect((await h.call('GET', `/projects/shop/images/${imageId}/policy`, { token: viewer })).status).toBe(
      404,
    );
  });
});
