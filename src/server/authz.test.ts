/**
 * The authorisation matrix, derived from the route table: every route × anonymous, each role, and a
 * member of another project — with the expected allow/deny written down below. A route added without an
 * entry here fails this test, so nobody can add an endpoint without deciding who may call it.
 *
 * Allowed calls are built to succeed (2xx); denied ones must get 401 (anonymous), 403 (signed in, not
 * permitted) or 404 (a project or acceptance the caller cannot see does not exist for it).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../db/import.js';
import type { RouteDef } from './route.js';
import { startHarness, type Harness } from './test-support/harness.js';

type Who = 'anonymous' | 'admin' | 'security' | 'developer' | 'viewer' | 'outsider';
const WHO: readonly Who[] = ['anonymous', 'admin', 'security', 'developer', 'viewer', 'outsider'];

const EVERYONE: readonly Who[] = WHO;
const SIGNED_IN: readonly Who[] = ['admin', 'security', 'developer', 'viewer', 'outsider'];
const ADMIN: readonly Who[] = ['admin'];
const ORG: readonly Who[] = ['admin', 'security'];
/** Read access to project "shop": organisation roles and its members. */
const SHOP_READ: readonly Who[] = ['admin', 'security', 'developer', 'viewer'];
/** Write access (push, triage) to project "shop". */
const SHOP_WRITE: readonly Who[] = ['admin', 'security', 'developer'];

/** Who may call each route (by operationId). */
const EXPECTED: Readonly<Record<string, readonly Who[]>> = {
  health: EVERYONE,
  openapi: EVERYONE,
  login: EVERYONE,
  logout: SIGNED_IN,
  me: SIGNED_IN,
  listTokens: SIGNED_IN,
  createToken: SIGNED_IN,
  revokeToken: SIGNED_IN,
  listUsers: ADMIN,
  createUser: ADMIN,
  updateUser: ADMIN,
  listProjects: SIGNED_IN,
  createProject: ADMIN,
  getProject: SHOP_READ,
  putMember: ADMIN,
  deleteMember: ADMIN,
  listImages: SHOP_READ,
  pushScan: SHOP_WRITE,
  pushSbom: SHOP_WRITE,
  listScans: SHOP_READ,
  getScan: SHOP_READ,
  getScanSbom: SHOP_READ,
  listFindings: SHOP_READ,
  getFinding: SHOP_READ,
  setFindingState: SHOP_WRITE,
  overdue: SIGNED_IN,
  requestProjectAcceptance: SHOP_WRITE,
  requestOrganisationAcceptance: ORG,
  listAcceptances: SIGNED_IN,
  getAcceptance: SHOP_READ,
  approveAcceptance: ORG,
  rejectAcceptance: ORG,
  imageVex: SHOP_READ,
  listAudit: ADMIN,
  verifyAudit: ADMIN,
  dashboardOverview: SIGNED_IN,
  dashboardImages: SIGNED_IN,
  getImageOverview: SHOP_READ,
  listImagePackages: SHOP_READ,
  listImageVulnerabilities: SHOP_READ,
  listImageScans: SHOP_READ,
  compareImage: SHOP_READ,
  downloadImageReport: SHOP_READ,
  // The advisory itself is public knowledge; the affected images are filtered to the caller's projects.
  getVulnerability: SIGNED_IN,
  getFindingHistory: SHOP_READ,
  listJobs: SIGNED_IN,
  getJob: SHOP_READ,
  requestRegistryScan: SHOP_WRITE,
  requestRematch: ADMIN,
  requestDbUpdate: ADMIN,
  listRegistryCredentials: ADMIN,
  putRegistryCredential: ADMIN,
  deleteRegistryCredential: ADMIN,
  // Webhooks: admins and owners of the project (nobody owns "shop" here; owners are tested in
  // webhooks/webhooks.test.ts).
  listWebhooks: ADMIN,
  createWebhook: ADMIN,
  getWebhook: ADMIN,
  updateWebhook: ADMIN,
  deleteWebhook: ADMIN,
  listWebhookDeliveries: ADMIN,
  retryWebhookDelivery: ADMIN,
  pingWebhook: ADMIN,
  listDecisions: SHOP_READ,
  pushSarif: SHOP_WRITE,
  imageCycloneDxVex: SHOP_READ,
};

/** Routes of the table without an entry above. */
export function missingEntries(routes: readonly RouteDef[]): string[] {
  return routes.map((r) => r.id).filter((id) => !(id in EXPECTED));
}

const SBOM = {
  schema: 'bulwark-sbom/v1',
  tool: { name: 'bulwark', version: '0.0.0' },
  source: { kind: 'directory', target: 'fs://app', path: '/app' },
  packages: [
    {
      id: 'p1',
      name: 'left-pad',
      version: '1.0.0',
      type: 'npm',
      purl: 'pkg:npm/left-pad@1.0.0',
      licenses: [],
      locations: [{ path: '/app/node_modules/left-pad/package.json' }],
      foundBy: 'npm-installed',
    },
  ],
  relationships: [],
  unknowns: [],
  catalogers: [],
};
const REPORT = {
  schema: 'bulwark-scan/v1',
  findings: [
    {
      vulnerabilityId: 'GHSA-test-0000-0001',
      aliases: ['GHSA-test-0000-0001'],
      severity: 'high',
      fixedVersion: '1.0.1',
      package: SBOM.packages[0],
    },
  ],
  sbom: SBOM,
};

describe('authorisation matrix (every route × every kind of caller)', () => {
  let h: Harness;
  let dir: string;
  const tokens: Partial<Record<Who, string>> = {};
  const ids: Record<string, string> = {};
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-authz-'));
    // A tiny real vulnerability database (one npm advisory) so SBOM uploads can be matched.
    const osv = join(dir, 'osv', 'npm');
    mkdirSync(osv, { recursive: true });
    writeFileSync(
      join(osv, 'GHSA-test-0000-0001.json'),
      JSON.stringify({
        id: 'GHSA-test-0000-0001',
        modified: '2024-01-01T00:00:00Z',
        summary: 'test advisory',
        affected: [
          {
            package: { ecosystem: 'npm', name: 'left-pad' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }],
          },
        ],
        database_specific: { severity: 'HIGH' },
      }),
    );
    const vulnDb = join(dir, 'vuln.sqlite');
    await importInputs([osv], { dbPath: vulnDb });
    h = await startHarness({
      engine: 'sqlite',
      vulnDb,
      // Jobs are queued, not run: the matrix is about who may ask.
      env: {
        BULWARK_SERVER_WORKERS: '0',
        BULWARK_SERVER_REGISTRY_ALLOW: '127.0.0.1:1',
        BULWARK_SERVER_SECRET_KEY: 'a-secret-key-of-at-least-32-characters',
      },
    });
    const admin = h.adminToken;
    for (const p of ['shop', 'other'])
      expect((await h.call('POST', '/projects', { token: admin, body: { name: p } })).status).toBe(201);
    tokens.admin = admin;
    tokens.security = await h.user('sam', 'security', 'admin');
    tokens.developer = await h.user('dana', 'developer', 'admin');
    tokens.viewer = await h.user('vic', 'viewer', 'admin');
    tokens.outsider = await h.user('otto', 'developer', 'admin');
    await h.user('dummy', 'viewer');
    for (const [u, p] of [
      ['dana', 'shop'],
      ['vic', 'shop'],
      ['otto', 'other'],
    ])
      expect((await h.call('PUT', `/projects/${p}/members/${u}`, { token: admin, body: {} })).status).toBe(
        200,
      );
    const pushed = await h.call('POST', '/projects/shop/scans', {
      token: admin,
      body: REPORT,
      query: { repository: 'r/app' },
    });
    expect(pushed.status).toBe(201);
    ids.scan = pushed.body.scanId;
    ids.image = pushed.body.imageId;
    ids.finding = (await h.call('GET', '/projects/shop/findings', { token: admin })).body.items[0].id;
    ids.acceptance = await newAcceptance();
    const scan = await h.call('POST', '/projects/shop/registry-scans', {
      token: admin,
      body: { reference: '127.0.0.1:1/app:1' },
    });
    expect(scan.status).toBe(202);
    ids.job = scan.body.id;
    ids.webhook = await newWebhook();
    ids.delivery = (
      await h.call('POST', `/projects/shop/webhooks/${ids.webhook}/ping`, { token: admin })
    ).body.id;
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh acceptance request on "shop", made by the developer. */
  async function newAcceptance(): Promise<string> {
    const r = await h.call('POST', '/projects/shop/acceptances', {
      token: tokens.developer!,
      body: {
        scope: 'repository',
        repository: 'r/app',
        vulnerabilityId: 'GHSA-test-0000-0001',
        reason: 'matrix',
        expiresAt: '2026-07-01',
      },
    });
    expect(r.status).toBe(201);
    return r.body.id as string;
  }

  /** A fresh webhook on "shop" (the receiver is never called: no deliverer runs here). */
  async function newWebhook(): Promise<string> {
    const r = await h.call('POST', '/projects/shop/webhooks', {
      token: tokens.admin!,
      body: { url: 'http://127.0.0.1:9/hook' },
    });
    expect(r.status).toBe(201);
    return r.body.id as string;
  }

  /** A request that succeeds when the caller is allowed. */
  async function sample(
    route: RouteDef,
    who: Who,
  ): Promise<{ path: string; body?: unknown; query?: Record<string, string> }> {
    const u = `u${++n}`;
    const fill = (p: string, extra: Record<string, string> = {}) =>
      p.replace(
        /\{(\w+)\}/g,
        (_, k: string) =>
          extra[k] ?? ({ project: 'shop', user: 'dummy', ...ids } as Record<string, string>)[k]!,
      );
    switch (route.id) {
      case 'login':
        return { path: route.path, body: { username: 'dummy', password: 'a-long-enough-password' } };
      case 'createToken':
        return { path: route.path, body: { name: u, scope: 'read' } };
      case 'revokeToken': {
        const own = tokens[who];
        const t = own
          ? (await h.call('POST', '/tokens', { token: own, body: { name: u, scope: 'read' } })).body.id
          : 'none';
        return { path: fill(route.path, { token: t }) };
      }
      case 'createUser':
        return {
          path: route.path,
          body: { username: u, password: 'a-long-enough-password', role: 'viewer' },
        };
      case 'updateUser':
        return { path: fill(route.path), body: { role: 'viewer' } };
      case 'createProject':
        return { path: route.path, body: { name: u } };
      case 'putMember':
        return { path: fill(route.path), body: { owner: false } };
      case 'pushScan':
        return { path: fill(route.path), body: REPORT, query: { repository: 'r/app' } };
      case 'pushSbom':
        return { path: fill(route.path), body: SBOM, query: { repository: 'r/sbom' } };
      case 'setFindingState':
        return {
          path: fill(route.path),
          body: { state: 'fix-planned', reason: 'matrix', plannedFixAt: '2026-06-30' },
        };
      case 'requestProjectAcceptance':
        return {
          path: fill(route.path),
          body: {
            scope: 'repository',
            repository: 'r/app',
            vulnerabilityId: 'X-1',
            reason: 'matrix',
            expiresAt: '2026-07-01',
          },
        };
      case 'requestOrganisationAcceptance':
        return {
          path: route.path,
          body: { vulnerabilityId: 'X-2', reason: 'matrix', expiresAt: '2026-07-01' },
        };
      case 'compareImage':
        return { path: fill(route.path), query: { 'with-scan': ids.scan! } };
      case 'downloadImageReport':
        return { path: fill(route.path), query: { format: 'scan-json' } };
      case 'getVulnerability':
        return { path: fill(route.path, { vulnerability: 'GHSA-test-0000-0001' }) };
      case 'requestRegistryScan':
        return { path: fill(route.path), body: { reference: '127.0.0.1:1/shop/app:1' } };
      case 'putRegistryCredential':
        return {
          path: fill(route.path, { registry: '127.0.0.1:1' }),
          body: { username: 'u', password: 'p' },
        };
      case 'deleteRegistryCredential': {
        const put = await h.call('PUT', `/registry-credentials/127.0.0.1:${n}`, {
          token: tokens.admin!,
          body: { username: 'u', password: 'p' },
        });
        expect(put.status).toBe(200);
        return { path: fill(route.path, { registry: `127.0.0.1:${n}` }) };
      }
      case 'pushSarif':
        return {
          path: fill(route.path),
          query: { repository: 'git/app' },
          body: {
            version: '2.1.0',
            runs: [
              {
                tool: { driver: { name: 'matrix' } },
                results: [{ ruleId: 'r1', message: { text: 'm' } }],
              },
            ],
          },
        };
      case 'listDecisions':
        return { path: fill(route.path), query: { repository: 'r/app' } };
      case 'createWebhook':
        return { path: fill(route.path), body: { url: 'http://127.0.0.1:9/hook' } };
      case 'updateWebhook':
        return { path: fill(route.path), body: { description: u } };
      case 'deleteWebhook':
        return { path: fill(route.path, { webhook: await newWebhook() }) };
      case 'approveAcceptance':
      case 'rejectAcceptance':
        return { path: fill(route.path, { acceptance: await newAcceptance() }), body: { comment: 'matrix' } };
      default:
        return {
          path: fill(route.path),
          ...(route.method !== 'GET' && route.method !== 'DELETE' ? { body: {} } : {}),
        };
    }
  }

  it('every route has an entry, and the check notices a route without one', () => {
    expect(missingEntries(h.server.routes)).toEqual([]);
    expect(Object.keys(EXPECTED).sort()).toEqual(h.server.routes.map((r) => r.id).sort());
    const extra = { ...h.server.routes[0]!, id: 'somethingNew' };
    expect(missingEntries([...h.server.routes, extra])).toEqual(['somethingNew']);
  });

  it('allows exactly the expected callers on every route', async () => {
    const got: Record<string, Who[]> = {};
    const problems: string[] = [];
    for (const route of h.server.routes) {
      got[route.id] = [];
      for (const who of WHO) {
        const s = await sample(route, who);
        const token = tokens[who];
        const r = await h.call(route.method, s.path, {
          ...(token ? { token } : {}),
          ...(s.body !== undefined ? { body: s.body } : {}),
          ...(s.query ? { query: s.query } : {}),
        });
        const allowed = r.status < 400;
        const denied = who === 'anonymous' ? r.status === 401 : r.status === 403 || r.status === 404;
        if (!allowed && !denied) problems.push(`${route.id} as ${who}: unexpected ${r.status} ${r.text}`);
        if (allowed) got[route.id]!.push(who);
      }
    }
    expect(problems).toEqual([]);
    expect(got).toEqual(Object.fromEntries(Object.entries(EXPECTED).map(([k, v]) => [k, [...v]])));
  });

  it('a token limited to read scope or to another project cannot write to this one', async () => {
    const s = await h.login('dana', 'a-long-enough-password');
    const read = (await h.call('POST', '/tokens', { ...s, body: { name: 'ro', scope: 'read' } })).body.token;
    const elsewhere = (
      await h.call('POST', '/tokens', { ...s, body: { name: 'el', scope: 'write', projects: [] } })
    ).body.token;
    const push = (token: string) =>
      h.call('POST', '/projects/shop/scans', { token, body: REPORT, query: { repository: 'r/app' } });
    expect((await push(read)).status).toBe(403);
    expect((await push(elsewhere)).status).toBe(404);
    expect((await h.call('GET', '/projects/shop/findings', { token: read })).status).toBe(200);
    expect((await h.call('GET', '/projects', { token: elsewhere })).body.items).toEqual([]);
  });
});
