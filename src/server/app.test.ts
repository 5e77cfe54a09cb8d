/** Cross-cutting behaviour of the HTTP layer: limits, hidden internal errors, sessions ending, identity. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findingIdentity, versionlessPurl } from './identity.js';
import { route } from './route.js';
import { ADMIN_PASSWORD, PASSWORD, startHarness, type Harness } from './test-support/harness.js';

describe('HTTP layer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      engine: 'sqlite',
      env: { BULWARK_SERVER_MAX_BODY: '2KiB', BULWARK_SERVER_SESSION_TTL: '1h' },
    });
  });
  afterAll(async () => h?.stop());

  it('bodies over max-body get 413 with the limit named', async () => {
    await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'p' } });
    const r = await h.call('POST', '/projects/p/scans', {
      token: h.adminToken,
      raw: JSON.stringify({ pad: 'x'.repeat(4096) }),
      query: { repository: 'r' },
    });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({
      error: {
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
        message: 'request body larger than 2048 bytes (max-body)',
      },
    });
  });

  it('a non-JSON body or content type is a 4xx, not a crash', async () => {
    const r = await h.call('POST', '/projects', {
      token: h.adminToken,
      raw: 'name=p',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(415);
    expect(Object.keys(r.body)).toEqual(['error']);
  });

  it('ends sessions on logout, on expiry, and when the user is disabled', async () => {
    const s = await h.login('admin', ADMIN_PASSWORD);
    expect((await h.call('GET', '/me', { cookie: s.cookie })).body.csrfToken).toBe(s.csrf);
    expect((await h.call('POST', '/auth/logout', s)).status).toBe(200);
    expect((await h.call('GET', '/me', { cookie: s.cookie })).status).toBe(401);
    const s2 = await h.login('admin', ADMIN_PASSWORD);
    h.advance(2 * 3_600_000);
    expect((await h.call('GET', '/me', { cookie: s2.cookie })).status).toBe(401);
    const tok = await h.user('temp', 'developer');
    const s3 = await h.login('temp', PASSWORD);
    expect(
      (await h.call('PATCH', '/users/temp', { token: h.adminToken, body: { disabled: true } })).body.disabled,
    ).toBe(true);
    expect((await h.call('GET', '/me', { cookie: s3.cookie })).status).toBe(401);
    expect((await h.call('GET', '/me', { token: tok })).status).toBe(401);
    expect(
      (await h.call('POST', '/auth/login', { body: { username: 'temp', password: PASSWORD } })).status,
    ).toBe(401);
  });

  it('a malformed Authorization header is refused, not ignored', async () => {
    const r = await h.call('GET', '/me', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/Bearer bwk_/);
  });
});

describe('internal errors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ engine: 'sqlite' });
  });
  afterAll(async () => h?.stop());

  it('answer 500 E_INTERNAL without details', async () => {
    // A route that fails like a bug would, added through the test-only extension point.
    const { buildServer } = await import('./app.js');
    const srv = await buildServer({
      config: { ...h.config, databaseUrl: h.config.databaseUrl },
      logger: false,
      noTimers: true,
      routes: [
        route({
          id: 'boom',
          method: 'GET',
          path: '/boom',
          tag: 'test',
          summary: 'fails',
          access: { kind: 'public' },
          query: z.object({}),
          handler: async () => {
            throw new Error('secret detail at /srv/app.ts:12');
          },
        }),
      ],
    });
    try {
      const r = await srv.app.inject({ method: 'GET', url: '/api/v1/boom' });
      expect(r.statusCode).toBe(500);
      expect(JSON.parse(r.body)).toEqual({
        error: { code: 'E_INTERNAL', message: 'internal error (see the server log)' },
      });
    } finally {
      await srv.close();
    }
  });
});

describe('finding identity', () => {
  it('drops version, qualifiers and subpath but keeps namespaces (npm scopes included)', () => {
    expect(versionlessPurl('pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12')).toBe(
      'pkg:deb/debian/openssl',
    );
    expect(versionlessPurl('pkg:npm/%40babel/core@7.1.0')).toBe('pkg:npm/%40babel/core');
    expect(versionlessPurl('pkg:npm/@babel/core@7.1.0#lib')).toBe('pkg:npm/@babel/core');
    expect(versionlessPurl('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1')).toBe(
      'pkg:maven/org.apache.logging.log4j/log4j-core',
    );
    expect(versionlessPurl('pkg:golang/github.com/x/y')).toBe('pkg:golang/github.com/x/y');
  });
  it('differs by each part', () => {
    const base = {
      projectId: 'p',
      repository: 'r',
      vulnerabilityId: 'CVE-1',
      packagePurl: 'pkg:npm/a',
      location: '/a',
    };
    const ids = new Set([
      findingIdentity(base),
      findingIdentity({ ...base, projectId: 'q' }),
      findingIdentity({ ...base, repository: 's' }),
      findingIdentity({ ...base, vulnerabilityId: 'CVE-2' }),
      findingIdentity({ ...base, packagePurl: 'pkg:npm/b' }),
      findingIdentity({ ...base, location: '/b' }),
    ]);
    expect(ids.size).toBe(6);
  });
});

describe('client addresses behind a proxy', () => {
  it('X-Forwarded-For is ignored unless trust-proxy is set (no escaping the sign-in limit)', async () => {
    for (const trust of [false, true]) {
      const h = await startHarness({
        engine: 'sqlite',
        env: { BULWARK_SERVER_LOGIN_ATTEMPTS: '2', BULWARK_SERVER_TRUST_PROXY: String(trust) },
      });
      try {
        const bad = (ip: string, user: string) =>
          h.call('POST', '/auth/login', {
            body: { username: user, password: 'wrong-password-x' },
            headers: { 'x-forwarded-for': ip },
          });
        // Two different user names from "different" addresses: only a trusted header makes them different.
        await bad('10.0.0.1', 'a');
        await bad('10.0.0.2', 'b');
        expect((await bad('10.0.0.3', 'c')).status).toBe(trust ? 401 : 429);
      } finally {
        await h.stop();
      }
    }
  });
});
