import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BulwarkError } from '../../util/errors.js';
import { openSource } from '../open.js';
import { buildImage, tempDir } from '../test-support/build.js';
import { resolveCredentials } from './auth.js';
import { serve } from './test-support/registry.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = (): string => {
  const d = tempDir('bulwark-auth-');
  dirs.push(d);
  return d;
};
const configDir = (config: unknown): string => {
  const d = tmp();
  writeFileSync(join(d, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return d;
};
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('resolveCredentials', () => {
  it('prefers --username, then the environment, then the docker config', async () => {
    const dockerConfigDir = configDir({ auths: { 'reg.example': { auth: b64('cfg:cfgpw') } } });
    const env = { BULWARK_REGISTRY_USERNAME: 'envuser', BULWARK_REGISTRY_PASSWORD: 'envpw' };
    const a = await resolveCredentials('reg.example', {
      username: 'flag',
      password: 'flagpw',
      env,
      dockerConfigDir,
    });
    expect([a?.username, a?.secret, a?.source]).toEqual(['flag', 'flagpw', '--username']);
    const b = await resolveCredentials('reg.example', { env, dockerConfigDir });
    expect([b?.username, b?.secret, b?.source]).toEqual(['envuser', 'envpw', 'environment']);
    const c = await resolveCredentials('reg.example', { env: {}, dockerConfigDir });
    expect([c?.username, c?.secret, c?.source]).toEqual(['cfg', 'cfgpw', 'docker config']);
    expect(await resolveCredentials('other.example', { env: {}, dockerConfigDir })).toBeUndefined();
  });

  it('finds Docker Hub under its legacy key and honours DOCKER_CONFIG', async () => {
    const dir = configDir({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:hubpw') } } });
    const hub = await resolveCredentials('docker.io', { env: { DOCKER_CONFIG: dir } });
    expect([hub?.username, hub?.secret]).toEqual(['hubuser', 'hubpw']);
    const token = await resolveCredentials('acr.example.io', {
      env: {},
      dockerConfigDir: configDir({
        auths: {
          'https://acr.example.io': {
            username: '00000000-0000-0000-0000-000000000000',
            identitytoken: 'refresh-abc',
          },
        },
      }),
    });
    expect([token?.kind, token?.secret]).toEqual(['identity-token', 'refresh-abc']);
  });

  it('maps a helper answering with the <token> user to an identity token', async () => {
    const bin = tmp();
    writeFileSync(
      join(bin, 'docker-credential-tok'),
      `#!/bin/sh\nread -r s\nprintf '{"ServerURL":"%s","Username":"<token>","Secret":"rt-1"}' "$s"\n`,
    );
    chmodSync(join(bin, 'docker-credential-tok'), 0o755);
    const c = await resolveCredentials('docker.io', {
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
      dockerConfigDir: configDir({ credsStore: 'tok' }),
    });
    expect([c?.kind, c?.secret]).toEqual(['identity-token', 'rt-1']);
  });

  it.each([
    ['not JSON', '{auths:', /not valid JSON/],
    [
      'a bad auth entry',
      { auths: { 'r.example': { auth: b64('no-colon') } } },
      /not base64 of user:password/,
    ],
    [
      'a hostile helper name',
      { credHelpers: { 'r.example': '../../bin/sh' } },
      /invalid credential helper name/,
    ],
    ['a wrong shape', { auths: [] }, /unexpected shape/],
  ])('refuses a docker config with %s', async (_n, config, why) => {
    const err = await resolveCredentials('r.example', { env: {}, dockerConfigDir: configDir(config) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as Error).message).toMatch(why);
  });

  it('needs both environment variables, and a password with --username', async () => {
    await expect(resolveCredentials('r', { env: { BULWARK_REGISTRY_USERNAME: 'x' } })).rejects.toThrow(
      /set both/,
    );
    await expect(resolveCredentials('r', { env: {}, username: 'x' })).rejects.toThrow(/--password-stdin/);
  });
});

describe('OAuth2 refresh tokens (identitytoken)', () => {
  it('exchanges an identity token at the token service with a POST, then pulls with the access token', async () => {
    const image = buildImage({ layers: [{ entries: [{ name: 'a.txt', content: 'a' }] }] });
    const forms: URLSearchParams[] = [];
    const tokens = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        forms.push(form);
        if (
          req.method === 'POST' &&
          form.get('grant_type') === 'refresh_token' &&
          form.get('refresh_token') === 'refresh-xyz'
        ) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"access-123"}');
        } else res.writeHead(401).end();
      });
    });
    const reg = await serve((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.headers.authorization !== 'Bearer access-123') {
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="http://127.0.0.1:${tokens.port}/oauth2/token",service="svc"`,
          })
          .end();
        return;
      }
      if (path === '/v2/app/manifests/v1')
        return void res
          .writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })
          .end(image.manifest);
      const blob = image.blobs.get(path.replace('/v2/app/blobs/', ''));
      if (blob) res.writeHead(200).end(blob);
      else res.writeHead(404).end();
    });
    try {
      const dockerConfigDir = configDir({
        auths: { [`127.0.0.1:${reg.port}`]: { identitytoken: 'refresh-xyz' } },
      });
      const src = await openSource(`registry://127.0.0.1:${reg.port}/app:v1`, {
        registry: { env: {}, dockerConfigDir },
      });
      await src.walk({ entry: () => undefined });
      await src.close();
      expect(forms).toHaveLength(1);
      expect(Object.fromEntries(forms[0]!)).toEqual({
        grant_type: 'refresh_token',
        refresh_token: 'refresh-xyz',
        client_id: 'bulwark',
        service: 'svc',
        scope: 'repository:app:pull',
      });
    } finally {
      await reg.close();
      await tokens.close();
    }
  });

  it('refuses to send credentials to a plain-HTTP token service on a non-loopback host', async () => {
    const reg = await serve(
      (_req, res) =>
        void res
          .writeHead(401, {
            'www-authenticate': 'Bearer realm="http://auth.example.com/token",service="svc"',
          })
          .end(),
    );
    try {
      const err = await openSource(`registry://127.0.0.1:${reg.port}/app:v1`, {
        registry: { env: {}, username: 'u', password: 'p' },
      }).catch((e: unknown) => e);
      expect((err as BulwarkError).code).toBe('E_AUTH_REALM');
      expect((err as Error).message).toMatch(/over plain HTTP; refusing/);
    } finally {
      await reg.close();
    }
  });
});
