/**
 * The web dashboard in real Chromium (Debian's `chromium`, driven by playwright-core) against a real
 * `bulwark server` process seeded by `bulwark scan … --push` of the real test images:
 *
 * sign in, the overview, filtering images (deep links, back and forward), debian12-node's page with the
 * layer that installed the apt packages and its findings, a vulnerability, a risk acceptance requested by
 * a developer and approved by a security user (the requester cannot approve, in the UI and in the API),
 * the finding's new state and its audit entry, bulk triage, the admin pages, and a viewer who sees no
 * action and whom the API refuses anyway.
 *
 * Every page is screenshotted into .artifacts/dashboard/ and checked with axe-core (no serious or critical
 * violation), and no request may leave 127.0.0.1 (every other host is intercepted and refused).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEV_DIR, haveVulndata, osvDir } from '../match/test-support/vulndata.js';
import { haveImages, imagePath, REPO_ROOT } from '../test-support/images.js';
import { prerequisite } from '../test-support/require.js';
import {
  ARTIFACTS_DIR,
  axeSerious,
  findChromium,
  launchChromium,
  openSession,
  screenshot,
  type Session,
} from './test-support/browser.js';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'bin', 'bulwark.js');
const ADMIN_PASSWORD = 'dashboard-admin-password';
const PASSWORD = 'a-long-enough-password';

const chromiumPath = findChromium();
const ready =
  prerequisite(
    chromiumPath !== undefined,
    'dashboard browser tests: no chromium found (apt-get install -y chromium, or set CHROMIUM)',
  ) &&
  haveImages() &&
  haveVulndata();

/** `bulwark server --port 0` as a child process; resolves with its base URL once it listens. */
function startServer(dataDir: string, vulnDb: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [CLI, 'server', '--port', '0', '--data-dir', dataDir, '--vuln-db', vulnDb],
    {
      env: {
        ...process.env,
        HOME: dataDir,
        BULWARK_SERVER_ADMIN_PASSWORD: ADMIN_PASSWORD,
        BULWARK_SERVER_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
}

interface Auth {
  cookie?: string;
  csrf?: string;
  token?: string;
}

describe.skipIf(!ready)('web dashboard in Chromium', () => {
  let dir: string;
  let url: string;
  let server: ChildProcess;
  let browser: Browser;
  const sessions: Session[] = [];
  const shots: string[] = [];

  const api = async (method: string, path: string, auth: Auth = {}, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (auth.cookie) headers.cookie = auth.cookie;
    if (auth.csrf) headers['x-csrf-token'] = auth.csrf;
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const login = async (username: string, password: string): Promise<Auth> => {
    const r = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
    const cookie = r.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return { cookie, csrf: ((await r.json()) as { csrfToken: string }).csrfToken };
  };

  /** Sign in through the form in a fresh browser context. */
  const signIn = async (username: string, password = PASSWORD): Promise<Session> => {
    const s = await openSession(browser);
    sessions.push(s);
    await s.page.goto(`${url}/`);
    await s.page.getByLabel('User name').fill(username);
    await s.page.getByLabel('Password').fill(password);
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await s.page.getByRole('button', { name: 'Sign out' }).waitFor();
    return s;
  };

  /** Wait until the page finished loading its data. */
  const settle = async (page: Page): Promise<void> => {
    await page.waitForLoadState('networkidle');
    // A function, not a string: a string would be eval'd in the page, which its CSP (rightly) refuses.
    await page.waitForFunction(
      () =>
        !(
          globalThis as unknown as { document: { querySelector(s: string): unknown } }
        ).document.querySelector('.loading'),
    );
  };

  /** Screenshot and accessibility check of the page as it is now. */
  const check = async (page: Page, name: string): Promise<void> => {
    await settle(page);
    shots.push(await screenshot(page, name));
    const serious = await axeSerious(page);
    expect(serious, `${name}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
  };

  const go = async (s: Session, path: string): Promise<void> => {
    await s.page.goto(`${url}${path}`);
    await settle(s.page);
  };

  beforeAll(async () => {
    // Screenshots of this run only.
    rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'bulwark-dashboard-'));
    const vulnDb = join(dir, 'vuln.sqlite');
    const env = { ...process.env, HOME: dir, BULWARK_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1' };
    const kev = join(KEV_DIR, 'known_exploited_vulnerabilities.json');
    await run(
      process.execPath,
      [CLI, 'db', 'import', '--db', vulnDb, osvDir('Debian:12'), osvDir('npm'), kev],
      {
        env,
      },
    );
    ({ url, child: server } = await startServer(join(dir, 'data'), vulnDb));

    const admin = await login('admin', ADMIN_PASSWORD);
    for (const [username, role] of [
      ['dev', 'developer'],
      ['sec', 'security'],
      ['view', 'viewer'],
    ])
      expect((await api('POST', '/users', admin, { username, password: PASSWORD, role })).status).toBe(201);
    expect(
      (await api('POST', '/projects', admin, { name: 'shop', description: 'The web shop', owners: ['dev'] }))
        .status,
    ).toBe(201);
    expect((await api('PUT', '/projects/shop/members/view', admin, {})).status).toBe(200);
    const dev = await login('dev', PASSWORD);
    const token = (await api('POST', '/tokens', dev, { name: 'ci', scope: 'write' })).body.token as string;

    // The developer's CI pushes real scans: the old tag (the minimal base), then the new one with node
    // and the apt packages, and the base image on its own.
    const push = (image: string, repository: string, tag: string, environment: string) =>
      run(
        process.execPath,
        [
          CLI,
          'scan',
          `archive://${image}`,
          '--db',
          vulnDb,
          '--offline',
          '-q',
          '-f',
          'json',
          '-o',
          join(dir, `${tag}.json`),
          '--push',
          `${url}/projects/shop?repository=${repository}&tag=${tag}&environment=${environment}`,
        ],
        { env: { ...env, BULWARK_TOKEN: token } },
      );
    await push(
      imagePath('debian12-minbase', 'docker.tar'),
      'registry.example/shop/node',
      '0.9',
      'production',
    );
    await push(imagePath('debian12-node', 'docker.tar'), 'registry.example/shop/node', '1.0', 'production');
    await push(imagePath('debian12-minbase', 'docker.tar'), 'registry.example/shop/base', '12', 'staging');

    browser = await launchChromium(chromiumPath!);
  });

  afterAll(async () => {
    for (const s of sessions) await s.close().catch(() => undefined);
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (shots.length) console.log(`dashboard screenshots (${shots.length}): ${ARTIFACTS_DIR}`);
  });

  it('serves the dashboard with a strict CSP, long-cached hashed assets, index.html for UI paths only', async () => {
    const deep = await fetch(`${url}/projects/shop/images/some-id?tab=layers`);
    expect(deep.status).toBe(200);
    const csp = deep.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await deep.text();
    // No inline script or style: every script and stylesheet is a file of this server.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${url}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    // The whole first-load script (Preact, router, every page; the chart library loads on its own later)
    // stays small: documented in docs/server.md.
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(Number(js.headers.get('content-length'))).toBeLessThan(40_000);
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    // The API never falls back to the app.
    const apiMiss = await fetch(`${url}/api/v1/no-such-route`);
    expect(apiMiss.status).toBe(404);
    expect(((await apiMiss.json()) as { error: { code: string } }).error.code).toBe('E_NOT_FOUND');
    expect((await fetch(`${url}/assets/missing-123.js`)).status).toBe(404);
  });

  it('signs in (a wrong password is a readable message), and the overview shows the register', async () => {
    const s = await openSession(browser);
    sessions.push(s);
    await s.page.goto(`${url}/`);
    await check(s.page, '01-sign-in');
    await s.page.getByLabel('User name').fill('dev');
    await s.page.getByLabel('Password').fill('not-the-password');
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => s.page.getByRole('alert').textContent()).toContain('wrong user name or password');
    await s.page.getByLabel('Password').fill(PASSWORD);
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await s.page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await check(s.page, '02-overview');
    const openTile = s.page.locator('.tile', { hasText: 'open findings' }).locator('.tile-value');
    expect(Number((await openTile.textContent())!.replace(/\D/g, ''))).toBeGreaterThan(50);
    await expect.poll(() => s.page.locator('.u-wrap canvas').count()).toBeGreaterThan(0);
    expect(await s.page.locator('#riskiest-h + ol li').count()).toBe(3);
    expect(s.errors).toEqual([]);
  });

  it('filters, sorts and pages images on the server; deep links, back and forward work', async () => {
    const s = await signIn('dev');
    const rows = () => s.page.locator('table.images tbody tr');
    await s.page.getByRole('link', { name: 'Images', exact: true }).click();
    await s.page.getByRole('heading', { level: 1, name: 'Images' }).waitFor();
    await expect.poll(() => rows().count()).toBe(3);
    await check(s.page, '03-images');

    await s.page.getByLabel('Environment').fill('staging');
    await s.page.getByLabel('Environment').press('Enter');
    await expect.poll(() => rows().count()).toBe(1);
    expect(s.page.url()).toContain('environment=staging');
    expect(await rows().first().textContent()).toContain('registry.example/shop/base');
    await s.page.goBack();
    await expect.poll(() => rows().count()).toBe(3);
    await s.page.goForward();
    await expect.poll(() => rows().count()).toBe(1);

    // A deep link, loaded fresh: the server answers index.html, the app reads the filters from the URL.
    await go(s, '/images?q=node&sort=name');
    expect(await rows().count()).toBe(2);
    expect(await s.page.getByLabel('Search (repository, tag, digest, project)').inputValue()).toBe('node');
    const tags = () => s.page.locator('table.images tbody tr td:nth-child(3)').allTextContents();
    expect(await tags()).toEqual(['0.9', '1.0']);
    await s.page.getByRole('button', { name: /^Repository/ }).click();
    await expect.poll(() => s.page.url()).toContain('order=desc');
    await expect.poll(tags).toEqual(['1.0', '0.9']);
    await go(s, '/images?q=no-such-image');
    expect(await rows().count()).toBe(1);
    expect(await s.page.locator('table.images tbody').textContent()).toContain('No image matches');

    // On a laptop screen nothing overflows sideways.
    await s.page.setViewportSize({ width: 1280, height: 720 });
    await go(s, '/images');
    expect(await s.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await check(s.page, '04-images-laptop');
    expect(s.errors).toEqual([]);
  });

  let findingPath = '';
  let vulnId = '';

  it('shows debian12-node: the layer that installed the apt packages, its findings, every tab', async () => {
    const s = await signIn('dev');
    await go(s, '/images?q=node');
    await s.page
      .locator('table.images tr', { hasText: '1.0' })
      .getByRole('link', { name: 'registry.example/shop/node' })
      .click();
    await s.page.getByRole('heading', { level: 1, name: 'registry.example/shop/node:1.0' }).waitFor();
    await settle(s.page);
    const apt = s.page.locator('li.layer', { hasText: 'apt-get install' });
    expect(await apt.count()).toBe(1);
    await apt
      .locator('summary')
      .evaluate((el) => ((el.parentElement as unknown as { open: boolean }).open = true));
    await settle(s.page);
    // The layer added the apt packages (curl, openssl, libxml2 …) and the findings in them.
    expect(await apt.locator('.layer-packages').textContent()).toMatch(/curl .*openssl|openssl .*curl/s);
    const findings = apt.locator('table.layer-findings tbody tr');
    expect(await findings.count()).toBeGreaterThan(5);
    const packages = await apt.locator('table.layer-findings tbody tr td:nth-child(3)').allTextContents();
    expect(packages.some((p) => /^(openssl|libssl3|libxml2|curl|libcurl4)\b/.test(p))).toBe(true);
    // The npm layer's findings are not in the apt layer.
    expect(packages.some((p) => /^(lodash|minimist)\b/.test(p))).toBe(false);
    await check(s.page, '05-image-layers');

    for (const [tab, name] of [
      ['Vulnerabilities', '06-image-vulnerabilities'],
      ['Packages', '07-image-packages'],
      ['Scan history', '08-image-history'],
      ['Compare', '09-image-compare'],
      ['Downloads', '10-image-downloads'],
    ] as const) {
      await s.page.getByRole('navigation', { name: 'Image views' }).getByRole('link', { name: tab }).click();
      await settle(s.page);
      if (tab === 'Vulnerabilities') expect(await s.page.locator('.upgrades li').count()).toBeGreaterThan(0);
      if (tab === 'Compare') {
        await s.page.getByLabel(/Another tag of/).fill('0.9');
        await s.page.getByRole('button', { name: 'Compare' }).click();
        await expect.poll(() => s.page.locator('.compare').count()).toBe(1);
        expect(await s.page.locator('.compare').textContent()).toMatch(/\d+ packages added/);
        expect(s.page.url()).toContain('with-tag=0.9');
      }
      await check(s.page, name);
    }
    // Downloads are rendered by the server from the stored scan.
    const cdx = await s.page.getByRole('link', { name: 'SBOM — CycloneDX 1.6 JSON' }).getAttribute('href');
    const res = await s.context.request.get(`${url}${cdx!}`);
    expect(res.status()).toBe(200);
    expect((await res.json()).bomFormat).toBe('CycloneDX');

    // Back to the layers through history, then on to a vulnerability of the apt layer.
    await s.page.goto(`${s.page.url().split('?')[0]}?tab=layers`);
    await settle(s.page);
    const aptAgain = s.page.locator('li.layer', { hasText: 'apt-get install' });
    await aptAgain
      .locator('summary')
      .evaluate((el) => ((el.parentElement as unknown as { open: boolean }).open = true));
    await settle(s.page);
    const link = aptAgain.locator('table.layer-findings tbody tr').first().getByRole('link').first();
    vulnId = (await link.textContent())!;
    await link.click();
    await s.page.getByRole('heading', { level: 1, name: vulnId }).waitFor();
    await settle(s.page);
    expect(await s.page.locator('#affected-h').textContent()).toMatch(
      /^Affected across the organisation: \d+ findings? in 1 project$/,
    );
    await check(s.page, '11-vulnerability');

    await s.page
      .locator('.affected table tbody tr', { hasText: '1.0' })
      .first()
      .locator('td:nth-child(2) a')
      .click();
    await s.page.getByRole('heading', { level: 2, name: 'History' }).waitFor();
    await settle(s.page);
    findingPath = new URL(s.page.url()).pathname;
    expect(findingPath).toMatch(/^\/projects\/shop\/findings\/[\w-]+$/);
    expect(s.errors).toEqual([]);
  });

  let acceptancePath = '';

  it('a developer requests a risk acceptance and cannot approve it', async () => {
    const s = await signIn('dev');
    await go(s, findingPath);
    expect(await s.page.locator('.badge.state').first().textContent()).toBe('new');
    await check(s.page, '12-finding-developer');
    await s.page
      .getByLabel('Reason', { exact: true })
      .fill('Only reachable from the build stage; replaced next sprint.');
    await s.page.getByRole('button', { name: 'Request risk acceptance' }).click();
    const requested = s.page.getByRole('status').filter({ hasText: 'Requested' });
    await requested.waitFor();
    await requested.getByRole('link').click();
    await s.page.getByRole('heading', { level: 1, name: /^Risk acceptance/ }).waitFor();
    await settle(s.page);
    acceptancePath = new URL(s.page.url()).pathname;
    expect(await s.page.locator('.badge.acc-requested').count()).toBe(1);
    expect(await s.page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await s.page.textContent('main')).toContain('Waiting for approval');
    await check(s.page, '13-acceptance-requested');
    // The API refuses the developer's approval as well.
    const dev = await login('dev', PASSWORD);
    const r = await api('POST', `${acceptancePath}/approve`, dev, {
      comment: 'approving my own',
    });
    expect(r.status).toBe(403);
    expect(s.errors).toEqual([]);
  });

  it('a security user approves it; the finding becomes risk-accepted, with the history and the audit entry', async () => {
    const s = await signIn('sec');
    await go(s, '/acceptances?status=requested');
    await check(s.page, '14-acceptances');
    await s.page.locator(`a[href="${acceptancePath}"]`).click();
    await s.page.getByRole('button', { name: 'Approve' }).waitFor();
    await s.page.getByLabel('Comment (kept in the history)').fill('Agreed until the planned rebuild.');
    await check(s.page, '15-acceptance-decide');
    await s.page.getByRole('button', { name: 'Approve' }).click();
    await s.page.locator('.badge.acc-approved').first().waitFor();
    expect(await s.page.textContent('main')).toContain('approved by sec');

    await go(s, findingPath);
    expect(await s.page.locator('dl.facts .badge.state').textContent()).toBe('risk-accepted');
    const history = await s.page.locator('ol.history').textContent();
    expect(history).toMatch(/sec.*finding\.transition.*→ risk-accepted/s);
    await check(s.page, '16-finding-accepted');

    // The requester of a request cannot decide it, even with the security role (four eyes).
    await go(s, '/projects/shop/findings?state=new&severity=critical,high');
    await s.page.locator('table.findings tbody tr').first().getByRole('link').first().click();
    await s.page.getByRole('button', { name: 'Request risk acceptance' }).waitFor();
    await s.page.getByLabel('Reason', { exact: true }).fill('Compensating control: WAF rule 9001.');
    await s.page.getByRole('button', { name: 'Request risk acceptance' }).click();
    await s.page.getByRole('status').filter({ hasText: 'Requested' }).getByRole('link').click();
    await s.page.locator('#four-eyes').waitFor();
    expect(await s.page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    const own = new URL(s.page.url()).pathname;
    const sec = await login('sec', PASSWORD);
    const r = await api('POST', `${own}/approve`, sec, { comment: 'approving my own' });
    expect([r.status, r.body.error.code]).toEqual([403, 'E_FOUR_EYES']);
    await check(s.page, '17-acceptance-four-eyes');

    // The audit log shows the approval, and its chain verifies.
    const a = await signIn('admin', ADMIN_PASSWORD);
    await go(a, '/admin/audit?action=acceptance.approved');
    expect(await a.page.locator('#chain-status').textContent()).toMatch(/^Verified: \d+ entries/);
    const rows = a.page.locator('table.audit tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(
      /sec.*acceptance\.approved.*Agreed until the planned rebuild/s,
    );
    await check(a.page, '18-audit');
    expect([...s.errors, ...a.errors]).toEqual([]);
  });

  it('bulk-triages a filtered list of findings', async () => {
    const s = await signIn('dev');
    await go(
      s,
      '/projects/shop/findings?state=new&severity=medium&repository=registry.example%2Fshop%2Fnode',
    );
    const rows = s.page.locator('table.findings tbody tr');
    const before = await rows.count();
    expect(before).toBeGreaterThan(1);
    await check(s.page, '19-findings');
    await s.page.getByLabel('Select every finding on this page').check();
    await s.page.getByLabel('Reason (kept in the history)').fill('Reviewed in the weekly triage.');
    await s.page.getByRole('button', { name: `Apply to ${before} findings` }).click();
    await s.page
      .getByRole('status')
      .filter({ hasText: `${before} findings set to triaged` })
      .waitFor();
    await expect
      .poll(() => s.page.locator('table.findings tbody').textContent())
      .toContain('No finding matches');
    await go(s, '/projects/shop/findings?state=triaged');
    expect(await rows.count()).toBe(before);
    expect(s.errors).toEqual([]);
  });

  it('a viewer sees no action, and the API refuses the action anyway', async () => {
    const s = await signIn('view');
    await go(s, findingPath);
    expect(await s.page.locator('form.action-form').count()).toBe(0);
    expect(await s.page.textContent('main')).toContain('can read this finding but not change it');
    await check(s.page, '20-finding-viewer');
    await go(s, acceptancePath);
    expect(await s.page.getByRole('button', { name: /Approve|Reject/ }).count()).toBe(0);
    await go(s, '/projects/shop/findings');
    expect(await s.page.locator('table.findings input[type=checkbox]').count()).toBe(0);
    expect(await s.page.locator('.bulk').count()).toBe(0);
    await go(s, `/vulnerabilities/${encodeURIComponent(vulnId)}`);
    expect(await s.page.locator('details.bulk').count()).toBe(0);
    expect(s.errors).toEqual([]);
    // Not in the navigation, and refused if typed in (the browser logs the two 403 answers).
    expect(await s.page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await go(s, '/admin/audit');
    expect(await s.page.getByRole('alert').first().textContent()).toContain('Not allowed');
    expect(s.errors.splice(0).every((e) => /status of 403/.test(e))).toBe(true);

    const view = await login('view', PASSWORD);
    const r = await api('POST', `${findingPath}/state`, view, {
      state: 'triaged',
      reason: 'trying anyway',
    });
    expect(r.status).toBe(403);
    expect(s.errors).toEqual([]);
  });

  it('admin pages, project pages, dark theme and keyboard use pass the accessibility check', async () => {
    const a = await signIn('admin', ADMIN_PASSWORD);
    await go(a, '/tokens');
    await a.page.getByLabel('Name').fill('release pipeline');
    await a.page.getByRole('button', { name: 'Create token' }).click();
    await a.page.getByRole('status').filter({ hasText: 'shown only now' }).waitFor();
    expect(await a.page.locator('code.secret').textContent()).toMatch(/^bwk_/);
    await check(a.page, '21-tokens');
    await go(a, '/admin/users');
    expect(await a.page.locator('table tbody tr').count()).toBe(4);
    await check(a.page, '22-users');
    await go(a, '/projects');
    await check(a.page, '23-projects');
    await go(a, '/projects/shop');
    expect(await a.page.textContent('main')).toContain('dev');
    await check(a.page, '24-project');
    // Webhooks (admins and project owners). On a server with the webhooks API: add one (its secret is
    // shown once), ping it and see the delivery; on a server without it the page says so.
    const doc = (await (await fetch(`${url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    await a.page.getByRole('link', { name: 'Webhooks of shop' }).click();
    await a.page.getByRole('heading', { level: 1, name: 'Webhooks of shop' }).waitFor();
    await settle(a.page);
    if (doc.paths['/api/v1/projects/{project}/webhooks']) {
      await a.page.getByLabel('Receiver URL').fill('http://127.0.0.1:9/bulwark-hook');
      await a.page.getByLabel('findings.fixed').uncheck();
      await a.page.getByRole('button', { name: 'Add webhook' }).click();
      await a.page.getByRole('status').filter({ hasText: 'shown only now' }).waitFor();
      expect(await a.page.locator('code.secret').textContent()).toMatch(/^whsec_/);
      const row = a.page.locator('table.webhooks tbody tr', { hasText: '127.0.0.1:9' });
      expect(await row.textContent()).toContain('findings.opened');
      await row.getByRole('button', { name: /^Ping/ }).click();
      await a.page.getByRole('status').filter({ hasText: 'Ping queued' }).waitFor();
      await row.getByRole('button', { name: /^Deliveries/ }).click();
      await expect.poll(() => a.page.locator('table.deliveries tbody').textContent()).toContain('ping');
    } else {
      await a.page.locator('#no-webhooks-api').waitFor();
      // The browser logs the API's 404 for the missing route; nothing else may have failed.
      expect(a.errors.splice(0).every((e) => /status of 404/.test(e))).toBe(true);
    }
    await check(a.page, '24b-webhooks');
    await go(a, '/vulnerabilities/CVE-2021-44906');
    expect(await a.page.locator('ul.vector li').count()).toBeGreaterThan(5);
    expect(await a.page.textContent('main')).toContain('Attack Vector');
    await check(a.page, '25-vulnerability-cvss');
    await go(a, '/no/such/page');
    await check(a.page, '25b-not-found');

    // Dark theme: the same pages pass the contrast rules too.
    await go(a, '/');
    await a.page.getByRole('button', { name: 'Dark theme' }).click();
    expect(await a.page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await check(a.page, '26-overview-dark');
    await go(a, '/images');
    await check(a.page, '27-images-dark');
    await go(a, findingPath);
    await check(a.page, '28-finding-dark');

    // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    await go(a, '/images');
    await a.page.keyboard.press('Tab');
    expect(await a.page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await a.page.keyboard.press('Enter');
    expect(a.page.url()).toMatch(/#main$/);
    expect(a.errors).toEqual([]);
  });

  it('sent no request to any host other than 127.0.0.1', () => {
    expect(sessions.length).toBeGreaterThan(5);
    expect(sessions.flatMap((s) => s.offHost)).toEqual([]);
    expect(existsSync(ARTIFACTS_DIR)).toBe(true);
  });
});
