/**
 * OIDC sign-in against a real (minimal) OpenID provider on 127.0.0.1 that signs ID tokens with a key it
 * generated, on both engines: the authorization-code flow with PKCE, state and nonce through the
 * register's routes, users created at first sign-in, roles from claims, and every check failing when one
 * thing is broken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from './config.js';
import { PASSWORD, startHarness, testEngines, type Harness } from './test-support/harness.js';
import { oidcEnv, startOidcProvider, type TestOidcProvider } from './test-support/oidc-provider.js';
import { startPostgres, type TestPostgres } from './test-support/postgres.js';

describe.each(testEngines())('OIDC sign-in on %s', (engine) => {
  let pg: TestPostgres | undefined;
  let h: Harness;
  let idp: TestOidcProvider;

  beforeAll(async () => {
    idp = await startOidcProvider();
    if (engine === 'postgres') pg = await startPostgres();
    h = await startHarness({
      engine,
      ...(pg ? { pg } : {}),
      env: oidcEnv(idp, {
        BULWARK_SERVER_OIDC_ROLE_CLAIM: 'groups',
        BULWARK_SERVER_OIDC_ROLE_MAP: 'sec-team=security,platform=admin,devs=developer',
        BULWARK_SERVER_OIDC_ALLOWED_DOMAINS: 'acme.example',
      }),
    });
  });
  afterAll(async () => {
    await h?.stop();
    await idp?.close();
    pg?.stop();
  });

  /** Browser: start at the register, sign in at the provider, come back; returns the callback's answer. */
  async function signIn(returnTo?: string) {
    const start = await h.call('GET', '/auth/oidc/login', returnTo ? { query: { returnTo } } : {});
    expect(start.status).toBe(302);
    const back = await idp.authorize(start.headers.location as string);
    return { back, reply: await h.call('GET', '/auth/oidc/callback', { query: back }) };
  }
  const cookieOf = (r: { headers: Record<string, unknown> }) =>
    ([] as string[])
      .concat(r.headers['set-cookie'] as string)
      .map((c) => c.split(';')[0])
      .join('; ');

  it('redirects to the provider with PKCE (S256), state and nonce', async () => {
    const r = await h.call('GET', '/auth/oidc/login');
    expect(r.status).toBe(302);
    const url = new URL(r.headers.location as string);
    expect(url.origin + url.pathname).toBe(`${idp.issuer}/authorize`);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      response_type: 'code',
      client_id: idp.clientId,
      redirect_uri: 'http://127.0.0.1:9/api/v1/auth/oidc/callback',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.state!.length).toBeGreaterThan(20);
    expect(q.nonce!.length).toBeGreaterThan(20);
  });

  it('creates the user at the first sign-in (default role viewer) and signs it in with a session', async () => {
    idp.user = {
      sub: 'sub-alice',
      email: 'Alice@acme.example',
      email_verified: true,
      preferred_username: 'alice',
    };
    const { reply } = await signIn('/findings?state=new');
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('/findings?state=new');
    const set = String(reply.headers['set-cookie']);
    expect(set).toMatch(/bulwark_session=/);
    expect(set).toMatch(/HttpOnly/i);
    const me = await h.call('GET', '/me', { cookie: cookieOf(reply) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'alice', role: 'viewer', via: 'session' });
    expect(me.body.csrfToken).toBeTruthy();
    // The session works for writes with its CSRF token, like a password sign-in.
    const t = await h.call('POST', '/tokens', {
      cookie: cookieOf(reply),
      csrf: me.body.csrfToken,
      body: { name: 'ci', scope: 'read' },
    });
    expect(t.status).toBe(201);
    const users = await h.call('GET', '/users', { token: h.adminToken });
    expect(users.body.items.filter((u: { username: string }) => u.username === 'alice')).toHaveLength(1);
    const audit = await h.call('GET', '/audit', { token: h.adminToken, query: { action: 'user.created' } });
    expect(audit.body.items[0]).toMatchObject({ reason: 'first OIDC sign-in' });
  });

  it('the same subject is the same user; its role follows the mapped claim at each sign-in', async () => {
    idp.user = {
      sub: 'sub-alice',
      email: 'alice@acme.example',
      email_verified: true,
      preferred_username: 'alice',
      groups: ['devs', 'sec-team'],
    };
    const { reply } = await signIn();
    expect(reply.headers.location).toBe('/');
    const me = await h.call('GET', '/me', { cookie: cookieOf(reply) });
    expect(me.body).toMatchObject({ username: 'alice', role: 'security' });
    const users = (await h.call('GET', '/users', { token: h.adminToken })).body.items;
    expect(users.filter((u: { username: string }) => u.username === 'alice')).toHaveLength(1);
  });

  it('refuses a replayed callback, a forged or foreign ID token, a wrong nonce and an expired token', async () => {
    idp.user = { sub: 'sub-bob', email: 'bob@acme.example', email_verified: true, preferred_username: 'bob' };
    const { back, reply } = await signIn();
    expect(reply.status).toBe(302);
    const replay = await h.call('GET', '/auth/oidc/callback', { query: back });
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toMatch(/unknown or expired sign-in/);
    const forged = await h.call('GET', '/auth/oidc/callback', { query: { ...back, state: 'made-up' } });
    expect(forged.status).toBe(401);
    for (const tamper of [{ signature: true }, { nonce: true }, { audience: true }, { expired: true }]) {
      idp.tamper = tamper;
      const r = await signIn();
      expect(r.reply.status, JSON.stringify(tamper)).toBe(401);
      expect(r.reply.body.error.code).toBe('E_OIDC');
      expect(r.reply.headers['set-cookie']).toBeUndefined();
    }
    // The provider checked PKCE and the client: nothing was refused there (the register sent them right).
    expect(idp.refused).toEqual([]);
    const err = await h.call('GET', '/auth/oidc/callback', {
      query: { error: 'access_denied', error_description: 'user cancelled' },
    });
    expect([err.status, err.body.error.message]).toEqual([
      401,
      'the provider refused the sign-in: user cancelled',
    ]);
  });

  it('limits sign-in to the allowed e-mail domains, and never takes over a local account', async () => {
    idp.user = { sub: 'sub-eve', email: 'eve@evil.example', email_verified: true, preferred_username: 'eve' };
    const outside = await signIn();
    expect(outside.reply.status).toBe(403);
    expect(outside.reply.body.error.code).toBe('E_OIDC_DOMAIN');
    idp.user = {
      sub: 'sub-eve2',
      email: 'eve@acme.example',
      email_verified: false,
      preferred_username: 'eve',
    };
    expect((await signIn()).reply.status).toBe(403);
    await h.user('carol', 'admin');
    idp.user = {
      sub: 'sub-carol',
      email: 'carol@acme.example',
      email_verified: true,
      preferred_username: 'carol',
    };
    const clash = await signIn();
    expect(clash.reply.status).toBe(409);
    expect(clash.reply.body.error.code).toBe('E_OIDC_USER_EXISTS');
    // The local admin is untouched and still signs in with its password.
    expect((await h.login('carol', PASSWORD)).cookie).toMatch(/bulwark_session=/);
  });

  it('only redirects to paths on this server after sign-in', async () => {
    idp.user = {
      sub: 'sub-alice',
      email: 'alice@acme.example',
      email_verified: true,
      preferred_username: 'alice',
    };
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const { reply } = await signIn(evil);
      expect(reply.headers.location, evil).toBe('/');
    }
  });
});

describe('OIDC settings', () => {
  const env = (extra: Record<string, string>) => ({
    HOME: '/tmp',
    BULWARK_SERVER_OIDC_ISSUER: 'https://login.example.com',
    BULWARK_SERVER_OIDC_CLIENT_ID: 'c',
    BULWARK_SERVER_OIDC_CLIENT_SECRET: 's',
    BULWARK_SERVER_OIDC_REDIRECT_URL: 'https://bulwark.example.com/api/v1/auth/oidc/callback',
    ...extra,
  });
  it('reads them, and refuses incomplete or unsafe ones with one line', () => {
    const c = loadServerConfig({
      env: env({
        BULWARK_SERVER_OIDC_ROLE_CLAIM: 'groups',
        BULWARK_SERVER_OIDC_ROLE_MAP: 'a=admin, b=viewer',
      }),
    });
    expect(c.oidc).toMatchObject({
      roleMap: { a: 'admin', b: 'viewer' },
      defaultRole: 'viewer',
      allowedDomains: null,
    });
    expect(loadServerConfig({ env: { HOME: '/tmp' } }).oidc).toBeUndefined();
    expect(() => loadServerConfig({ env: env({ BULWARK_SERVER_OIDC_CLIENT_SECRET: '' }) })).toThrow(
      'oidc-client-secret: required when oidc-issuer is set',
    );
    expect(() =>
      loadServerConfig({ env: env({ BULWARK_SERVER_OIDC_ISSUER: 'http://login.example.com' }) }),
    ).toThrow(/oidc-issuer: must be an https URL/);
    expect(() => loadServerConfig({ env: env({ BULWARK_SERVER_OIDC_DEFAULT_ROLE: 'root' }) })).toThrow(
      /unknown role "root"/,
    );
    expect(() => loadServerConfig({ env: env({ BULWARK_SERVER_OIDC_ROLE_MAP: 'a=admin' }) })).toThrow(
      /needs oidc-role-claim/,
    );
  });
});
