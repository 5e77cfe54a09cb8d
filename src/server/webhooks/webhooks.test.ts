/**
 * Webhooks end to end on both engines: a real receiver on 127.0.0.1 that checks every signature, the
 * register's API to configure webhooks and make changes, and the real deliverer (driven by the test, with
 * the server's clock moved to make retries due).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, SYSTEM_ACTOR } from '../audit.js';
import { startHarness, testEngines, type Harness } from '../test-support/harness.js';
import { startPostgres, type TestPostgres } from '../test-support/postgres.js';
import { deliverDue, type DelivererDeps } from './deliver.js';
import { verifySignature } from './signature.js';

const RETRY_BASE = 60_000;

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly json: {
    id: string;
    type: string;
    project: { name: string };
    data: { findings?: { vulnerabilityId: string; severity: string; kev: boolean }[] } & Record<
      string,
      unknown
    >;
  };
  readonly signature: { ok: boolean; reason?: string };
}

/** A receiver: answers with the next status of `plan[path]` (default 200), records what it got. */
async function startReceiver(secrets: Map<string, string>, clock: () => number) {
  const got: Received[] = [];
  const plan = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const secret = secrets.get(path) ?? '';
      const signature = verifySignature(
        secret,
        req.headers['bulwark-signature'] as string | undefined,
        body,
        Math.floor(clock() / 1000),
      );
      const json = JSON.parse(body) as Received['json'];
      got.push({ path, headers: req.headers, body, json, signature });
      const status = (plan.get(`${path} ${json.type}`) ?? plan.get(path))?.shift() ?? 200;
      if (status === 302) res.writeHead(302, { location: `http://127.0.0.1:${port()}/elsewhere` });
      else res.writeHead(signature.ok ? status : 401);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = () => (server.address() as AddressInfo).port;
  return {
    got,
    plan,
    url: (path: string) => `http://127.0.0.1:${port()}${path}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const pkg = (name: string) => ({
  name,
  version: '1.0.0',
  type: 'npm',
  purl: `pkg:npm/${name}@1.0.0`,
  locations: [{ path: `/app/node_modules/${name}/package.json` }],
});
const SBOM = {
  schema: 'bulwark-sbom/v1',
  tool: { name: 'bulwark', version: '0.0.0' },
  source: { kind: 'directory', target: 'fs://app', path: '/app' },
  packages: ['crit', 'high', 'low'].map((n, i) => ({ id: `p${i}`, ...pkg(n), licenses: [], foundBy: 'npm' })),
  relationships: [],
  unknowns: [],
  catalogers: [],
};
const finding = (id: string, severity: string, name: string, kev = false) => ({
  vulnerabilityId: id,
  aliases: [id],
  severity,
  ...(kev ? { kev: { dateAdded: '2024-01-01' } } : {}),
  package: pkg(name),
});
const REPORT = {
  schema: 'bulwark-scan/v1',
  findings: [
    finding('GHSA-crit-0000-0001', 'critical', 'crit'),
    finding('GHSA-high-0000-0002', 'high', 'high', true),
    finding('GHSA-low0-0000-0003', 'low', 'low'),
  ],
  sbom: SBOM,
};

describe.each(testEngines())('webhooks on %s', (engine) => {
  let pg: TestPostgres | undefined;
  let h: Harness;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let deps: DelivererDeps;
  const secrets = new Map<string, string>();
  const tok = {} as Record<'owner' | 'dev' | 'security' | 'viewer', string>;
  const hooks = {} as Record<'high' | 'kev' | 'dead' | 'redirect', string>;

  beforeAll(async () => {
    if (engine === 'postgres') pg = await startPostgres();
    h = await startHarness({
      engine,
      ...(pg ? { pg } : {}),
      env: {
        BULWARK_SERVER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        BULWARK_SERVER_WEBHOOK_MAX_ATTEMPTS: '3',
        BULWARK_SERVER_WEBHOOK_RETRY_BASE: `${RETRY_BASE / 1000}s`,
        BULWARK_SERVER_WEBHOOK_TIMEOUT: '5s',
      },
    });
    rx = await startReceiver(secrets, () => h.now().getTime());
    deps = { store: h.server.services.store, settings: h.config.webhooks, now: h.server.services.now };
    tok.owner = await h.user('olga', 'developer');
    tok.dev = await h.user('dana', 'developer');
    tok.security = await h.user('sam', 'security');
    tok.viewer = await h.user('vic', 'viewer', 'read');
    const p = await h.call('POST', '/projects', {
      token: h.adminToken,
      body: { name: 'shop', owners: ['olga'] },
    });
    expect(p.status).toBe(201);
    for (const u of ['dana', 'vic'])
      expect(
        (await h.call('PUT', `/projects/shop/members/${u}`, { token: h.adminToken, body: {} })).status,
      ).toBe(200);
  });
  afterAll(async () => {
    await rx?.close();
    await h?.stop();
    pg?.stop();
  });

  const create = (token: string, body: Record<string, unknown>) =>
    h.call('POST', '/projects/shop/webhooks', { token, body });
  const deliveries = async (hook: string) =>
    (await h.call('GET', `/projects/shop/webhooks/${hook}/deliveries`, { token: tok.owner })).body.items as {
      id: string;
      eventType: string;
      status: string;
      attempts: number;
      lastError: string | null;
      history: { attempt: number; status: number | null; error: string | null }[];
    }[];

  it('lets owners and admins manage webhooks, nobody else; the secret is shown once', async () => {
    const body = { url: rx.url('/high'), minSeverity: 'high', events: ['findings.opened', 'findings.fixed'] };
    expect((await create(tok.dev, body)).status).toBe(403);
    expect((await create(tok.security, body)).status).toBe(403);
    expect((await create(tok.viewer, body)).status).toBe(403);
    const r = await create(tok.owner, body);
    expect(r.status).toBe(201);
    expect(r.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    hooks.high = r.body.id;
    secrets.set('/high', r.body.secret);
    const listed = await h.call('GET', '/projects/shop/webhooks', { token: tok.owner });
    expect(listed.body.items).toHaveLength(1);
    expect(listed.text).not.toContain(r.body.secret);
    const one = await h.call('GET', `/projects/shop/webhooks/${hooks.high}`, { token: h.adminToken });
    expect(one.body).toMatchObject({ minSeverity: 'high', kevOnly: false, enabled: true });
    expect(one.text).not.toContain(r.body.secret);

    const kev = await create(tok.owner, {
      url: rx.url('/kev'),
      kevOnly: true,
      secret: 'a-secret-chosen-by-the-receiver',
    });
    expect(kev.status).toBe(201);
    expect(kev.body.secret).toBeUndefined(); // write-only when the caller chose it
    hooks.kev = kev.body.id;
    secrets.set('/kev', 'a-secret-chosen-by-the-receiver');
  });

  it('refuses non-http URLs, credentials in URLs and hosts outside webhook-allowed-hosts', async () => {
    for (const [u, msg] of [
      ['file:///etc/passwd', 'only http and https'],
      ['gopher://127.0.0.1/x', 'only http and https'],
      ['http://user:pw@127.0.0.1/x', 'no user name or password'],
      ['http://169.254.169.254/latest/meta-data', 'not in webhook-allowed-hosts'],
      ['http://localhost:8080/x', 'not in webhook-allowed-hosts'],
      ['not a url', 'not a URL'],
    ]) {
      const r = await create(tok.owner, { url: u });
      expect(r.status, u).toBe(400);
      expect(r.body.error.message).toContain(msg);
    }
  });

  it('writes events in the transaction of the change: a rolled-back change leaves no delivery', async () => {
    const before = (await deliveries(hooks.kev)).length;
    await expect(
      h.server.services.store.write(async (tx) => {
        await appendAudit(tx, SYSTEM_ACTOR, h.now().toISOString(), [
          { action: 'acceptance.requested', entityType: 'acceptance', entityId: 'x', projectId: null },
        ]);
        expect((await tx.selectFrom('webhook_deliveries').select('id').execute()).length).toBeGreaterThan(
          before,
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await deliveries(hooks.kev)).toHaveLength(before);
  });

  it('delivers signed events, filtered per webhook, retrying with back-off after 500s', async () => {
    rx.plan.set('/high', [500, 500]);
    const pushed = await h.call('POST', '/projects/shop/scans', {
      token: tok.dev,
      body: REPORT,
      query: { repository: 'r/app' },
    });
    expect(pushed.status).toBe(201);
    expect(pushed.body.new).toBe(3);

    const first = await deliverDue(deps);
    expect(first.retrying).toBe(1); // /high answered 500
    let high = rx.got.filter((g) => g.path === '/high');
    expect(high).toHaveLength(1);
    // Not due again until the back-off has passed.
    expect((await deliverDue(deps)).claimed).toBe(0);
    h.advance(RETRY_BASE - 1000);
    expect((await deliverDue(deps)).claimed).toBe(0);
    h.advance(1000);
    expect(await deliverDue(deps)).toMatchObject({ claimed: 1, retrying: 1 });
    // Second back-off doubles.
    h.advance(RETRY_BASE);
    expect((await deliverDue(deps)).claimed).toBe(0);
    h.advance(RETRY_BASE);
    expect(await deliverDue(deps)).toMatchObject({ claimed: 1, delivered: 1 });

    high = rx.got.filter((g) => g.path === '/high');
    expect(high).toHaveLength(3);
    for (const g of high) {
      expect(g.signature).toEqual({ ok: true });
      expect(g.headers['bulwark-event']).toBe('findings.opened');
      expect(g.json.id).toBe(high[0]!.json.id); // the same event each time: receivers deduplicate by id
      expect(g.headers['content-type']).toBe('application/json');
    }
    expect(high[0]!.json.project.name).toBe('shop');
    expect(high[0]!.json.data.findings!.map((f) => f.severity).sort()).toEqual(['critical', 'high']);

    const kev = rx.got.filter((g) => g.path === '/kev');
    expect(kev.map((g) => g.json.type).sort()).toEqual(['findings.opened', 'scan.ingested']);
    const opened = kev.find((g) => g.json.type === 'findings.opened')!;
    expect(opened.signature).toEqual({ ok: true });
    expect(opened.json.data.findings).toEqual([
      expect.objectContaining({ vulnerabilityId: 'GHSA-high-0000-0002', kev: true, state: 'new' }),
    ]);

    const history = await deliveries(hooks.high);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: 'delivered', attempts: 3, eventType: 'findings.opened' });
    expect(history[0]!.history.map((a) => a.status)).toEqual([500, 500, 200]);
  });

  it('a receiver rejects a replayed or tampered request', () => {
    const g = rx.got.find((x) => x.path === '/high')!;
    const header = g.headers['bulwark-signature'] as string;
    const secret = secrets.get('/high')!;
    const t = Number(/t=(\d+)/.exec(header)![1]);
    expect(verifySignature(secret, header, g.body, t)).toEqual({ ok: true });
    expect(verifySignature(secret, header, g.body.replace('critical', 'low'), t).ok).toBe(false);
    expect(verifySignature(secret, header, g.body, t + 301)).toEqual({
      ok: false,
      reason: 'timestamp outside tolerance',
    });
    expect(verifySignature('another-secret', header, g.body, t).ok).toBe(false);
  });

  it('sends fixed findings and acceptance events; gives up (dead) after webhook-max-attempts', async () => {
    const dead = await create(tok.owner, {
      url: rx.url('/dead'),
      events: ['findings.fixed', 'acceptance.requested'],
    });
    hooks.dead = dead.body.id;
    secrets.set('/dead', dead.body.secret);
    rx.plan.set('/dead findings.fixed', [500, 503, 500]);
    // A newer scan without the low finding fixes it.
    const pushed = await h.call('POST', '/projects/shop/scans', {
      token: tok.dev,
      body: { ...REPORT, findings: REPORT.findings.slice(0, 2) },
      query: { repository: 'r/app' },
    });
    expect(pushed.body.fixed).toBe(1);
    const acc = await h.call('POST', '/projects/shop/acceptances', {
      token: tok.dev,
      body: {
        scope: 'repository',
        repository: 'r/app',
        vulnerabilityId: 'GHSA-crit-0000-0001',
        reason: 'not reachable from the internet',
        expiresAt: '2026-07-01',
      },
    });
    expect(acc.status).toBe(201);
    const seen = rx.got.length;
    await deliverDue(deps);
    const got = rx.got.slice(seen).filter((g) => g.path === '/dead');
    expect(got.map((g) => g.json.type).sort()).toEqual(['acceptance.requested', 'findings.fixed']);
    const fixed = got.find((g) => g.json.type === 'findings.fixed')!;
    expect(fixed.json.data.findings).toEqual([
      expect.objectContaining({ vulnerabilityId: 'GHSA-low0-0000-0003', state: 'fixed', from: 'new' }),
    ]);
    // /high is filtered to high and above: the fixed low finding is no event for it.
    expect(rx.got.slice(seen).filter((g) => g.path === '/high')).toEqual([]);
    // Three attempts in all (max-attempts 3), then dead.
    for (let i = 0; i < 4; i++) {
      h.advance(4 * RETRY_BASE);
      await deliverDue(deps);
    }
    const list = await deliveries(hooks.dead);
    const byType = Object.fromEntries(list.map((d) => [d.eventType, d]));
    expect(byType['findings.fixed']).toMatchObject({ status: 'dead', attempts: 3 });
    expect(byType['findings.fixed']!.history.map((a) => a.status)).toEqual([500, 503, 500]);
    expect(byType['acceptance.requested']).toMatchObject({ status: 'delivered', attempts: 1 });
    // Dead letters stay, and can be sent again by hand once the receiver is fixed.
    const retry = await h.call(
      'POST',
      `/projects/shop/webhooks/${hooks.dead}/deliveries/${byType['findings.fixed']!.id}/retry`,
      { token: tok.owner },
    );
    expect(retry.body).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await deliverDue(deps)).toMatchObject({ delivered: 1 });
    const counts = await h.call('GET', `/projects/shop/webhooks/${hooks.dead}`, { token: tok.owner });
    expect(counts.body.deliveries).toEqual({ pending: 0, delivered: 2, dead: 0 });
  });

  it('does not follow redirects, and refuses hosts removed from the allow-list before delivery', async () => {
    const r = await create(tok.owner, { url: rx.url('/redirect'), events: ['acceptance.requested'] });
    hooks.redirect = r.body.id;
    secrets.set('/redirect', r.body.secret);
    rx.plan.set('/redirect', [302]);
    const ping = await h.call('POST', `/projects/shop/webhooks/${hooks.redirect}/ping`, { token: tok.owner });
    expect(ping.status).toBe(202);
    const seen = rx.got.length;
    await deliverDue(deps);
    expect(rx.got.slice(seen).map((g) => g.path)).toEqual(['/redirect']); // never /elsewhere
    const [d] = await deliveries(hooks.redirect);
    expect(d).toMatchObject({ status: 'pending', lastError: 'redirect not followed (HTTP 302)' });

    // The allow-list is checked again at delivery time: a refused host is dead at once, never contacted.
    const strict = { ...deps, settings: { ...deps.settings, allowedHosts: ['hooks.example.com'] } };
    h.advance(RETRY_BASE);
    await deliverDue(strict);
    expect(rx.got.length).toBe(seen + 1);
    const [after] = await deliveries(hooks.redirect);
    expect(after!.status).toBe('dead');
    expect(after!.lastError).toContain('not in webhook-allowed-hosts');
  });

  it('never sends one delivery twice when deliverers run at the same time (leases)', async () => {
    const seen = rx.got.length;
    const ping = await h.call('POST', `/projects/shop/webhooks/${hooks.kev}/ping`, { token: tok.owner });
    expect(ping.status).toBe(202);
    const runs = await Promise.all([deliverDue(deps), deliverDue(deps), deliverDue(deps), deliverDue(deps)]);
    expect(runs.reduce((n, r) => n + r.claimed, 0)).toBe(1);
    const pings = rx.got.slice(seen).filter((g) => g.json.type === 'ping');
    expect(pings).toHaveLength(1);
    expect(pings[0]!.signature).toEqual({ ok: true });
  });

  it('disabled webhooks get nothing; deleting one removes its history', async () => {
    expect(
      (
        await h.call('PATCH', `/projects/shop/webhooks/${hooks.kev}`, {
          token: tok.owner,
          body: { enabled: false },
        })
      ).body.enabled,
    ).toBe(false);
    const seen = rx.got.length;
    await h.call('POST', '/projects/shop/scans', {
      token: tok.dev,
      body: REPORT,
      query: { repository: 'r/app' },
    });
    await deliverDue(deps);
    expect(rx.got.slice(seen).filter((g) => g.path === '/kev')).toEqual([]);
    const rotated = await h.call('PATCH', `/projects/shop/webhooks/${hooks.kev}`, {
      token: tok.owner,
      body: { rotateSecret: true },
    });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(
      (await h.call('DELETE', `/projects/shop/webhooks/${hooks.kev}`, { token: tok.owner })).status,
    ).toBe(200);
    expect((await h.call('GET', `/projects/shop/webhooks/${hooks.kev}`, { token: tok.owner })).status).toBe(
      404,
    );
    const left = await h.server.services.store.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('webhook_id', '=', hooks.kev)
      .execute();
    expect(left).toEqual([]);
  });
});
