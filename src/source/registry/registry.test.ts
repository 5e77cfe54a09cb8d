/**
 * Against a real distribution registry (Debian's docker-registry) on loopback, with the real test images
 * pushed by skopeo: results must equal those from the OCI layout of the same image.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';
import type { CliIO } from '../../cli/io.js';
import { haveImages, imagePath } from '../../test-support/images.js';
import { openSource, type OpenSourceOptions } from '../open.js';
import { tempDir } from '../test-support/build.js';
import { failure, packagesOf } from '../test-support/expect.js';
import {
  requireCommand,
  haveRegistryTools,
  htpasswdLine,
  push,
  selfSigned,
  startRegistry,
  tokenServer,
  type HttpServer,
  type RunningRegistry,
} from './test-support/registry.js';

const ready = haveImages() && haveRegistryTools();
const dirs: string[] = [];
const tmp = (): string => {
  const d = tempDir('bulwark-registry-');
  dirs.push(d);
  return d;
};
/** A clean environment: no credentials from this machine's Docker config leak into the tests. */
const emptyEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: tmp(),
  ...extra,
});

function cliIO(env: NodeJS.ProcessEnv, stdinText = ''): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void): Writable =>
    new Writable({
      write(c: Buffer, _e, cb) {
        f(c.toString());
        cb();
      },
    });
  const stdin = new PassThrough();
  stdin.end(stdinText);
  return {
    io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), stdin, env, cwd: tmp() },
    out: () => out,
    err: () => err,
  };
}

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.skipIf(!ready)('registry targets against a real registry', () => {
  let reg: RunningRegistry;
  const opts = (extra: OpenSourceOptions = {}): OpenSourceOptions => ({
    registry: { env: emptyEnv() },
    ...extra,
  });

  beforeAll(async () => {
    reg = await startRegistry({ dir: tmp() });
    await push(imagePath('debian12-node', 'oci'), `${reg.host}/debian12-node:latest`);
    await push(imagePath('debian12-minbase', 'oci'), `${reg.host}/team/minbase:v1`);
    await push(imagePath('multiarch', 'oci'), `${reg.host}/multiarch:latest`, { all: true });
  });
  afterAll(async () => reg?.stop());

  it('scans debian12-node with the same packages (and layer digests) as its OCI layout', async () => {
    const src = await openSource(`registry://${reg.host}/debian12-node:latest`, opts());
    expect(src.description.kind).toBe('image');
    const meta = src.description.kind === 'image' ? src.description.image : undefined;
    const layoutIndex = JSON.parse(
      readFileSync(join(imagePath('debian12-node', 'oci'), 'index.json'), 'utf8'),
    ) as { manifests: { digest: string }[] };
    expect(meta?.format).toBe('registry');
    expect(meta?.manifestDigest).toBe(layoutIndex.manifests[0]!.digest);
    expect(meta?.repoTags).toEqual([`${reg.host}/debian12-node:latest`]);
    expect(meta?.repoDigests).toEqual([`${reg.host}/debian12-node@${layoutIndex.manifests[0]!.digest}`]);
    const fromRegistry = await packagesOf(src);
    const fromLayout = await packagesOf(await openSource(`oci-dir://${imagePath('debian12-node', 'oci')}`));
    expect(JSON.parse(fromRegistry).length).toBeGreaterThan(50);
    expect(fromRegistry).toBe(fromLayout);
  });

  it('takes a bare reference without a tag (latest is not pushed: not found), with a tag, and by digest', async () => {
    const bare = await failure(openSource(`${reg.host}/team/minbase`, opts()));
    expect(bare.code).toBe('E_IMAGE_NOT_FOUND');
    expect(bare.message).toBe(`image not found: ${reg.host}/team/minbase:latest (unknown tag or digest)`);
    const tagged = await openSource(`${reg.host}/team/minbase:v1`, opts());
    const digest = tagged.description.kind === 'image' ? tagged.description.image.manifestDigest : '';
    const a = await packagesOf(tagged);
    const b = await packagesOf(await openSource(`registry://${reg.host}/team/minbase@${digest}`, opts()));
    expect(a).toBe(b);
    expect(a).toBe(await packagesOf(await openSource(`oci-dir://${imagePath('debian12-minbase', 'oci')}`)));
  });

  it('reports unknown repositories and digests as image not found', async () => {
    const repo = await failure(openSource(`registry://${reg.host}/nope/nothing:1`, opts()));
    expect(repo.code).toBe('E_IMAGE_NOT_FOUND');
    expect(repo.message).toMatch(/^image not found: 127\.0\.0\.1:\d+\/nope\/nothing:1/);
    const wrong = await failure(
      openSource(`registry://${reg.host}/debian12-node@sha256:${'0'.repeat(64)}`, opts()),
    );
    expect(wrong.code).toBe('E_IMAGE_NOT_FOUND');
    expect(wrong.exitCode).toBe(3);
  });

  it('picks platforms from a multi-platform index like the OCI layout does', async () => {
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const src = await openSource(`registry://${reg.host}/multiarch`, opts({ platform }));
      const meta = src.description.kind === 'image' ? src.description.image : undefined;
      expect(meta?.platform.architecture).toBe(platform.split('/')[1]);
      expect(meta?.indexPlatforms?.map((p) => `${p.os}/${p.architecture}`).sort()).toEqual([
        'linux/amd64',
        'linux/arm64',
      ]);
      const layout = await openSource(`oci-dir://${imagePath('multiarch', 'oci')}`, { platform });
      const layoutMeta = layout.description.kind === 'image' ? layout.description.image : undefined;
      expect(meta?.configDigest).toBe(layoutMeta?.configDigest);
      expect(await packagesOf(src)).toBe(await packagesOf(layout));
    }
    const none = await failure(
      openSource(`registry://${reg.host}/multiarch`, opts({ platform: 'linux/s390x' })),
    );
    expect(none.message).toMatch(/no image for platform linux\/s390x; available: linux\/amd64, linux\/arm64/);
  });

  it('runs bulwark sbom on a registry reference', async () => {
    const { io, out, err } = cliIO(emptyEnv());
    const code = await run(['sbom', `registry://${reg.host}/team/minbase:v1`, '-f', 'json', '-q'], io);
    expect(err()).toBe('');
    expect(code).toBe(0);
    const sbom = JSON.parse(out()) as { source: { image: { format: string } }; packages: unknown[] };
    expect(sbom.source.image.format).toBe('registry');
    expect(sbom.packages.length).toBeGreaterThan(50);
  });
});

describe.skipIf(
  !ready ||
    !requireCommand(
      'htpasswd',
      ['-nbB', 'probe', 'probe'],
      'registry Basic auth tests (apt-get install apache2-utils)',
    ),
)('registry with htpasswd basic auth', () => {
  const user = 'scanner';
  const password = 'S3cret-pass-for-bulwark-tests';
  let reg: RunningRegistry;
  let ref: string;

  beforeAll(async () => {
    const dir = tmp();
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, `${await htpasswdLine(user, password)}\n`);
    reg = await startRegistry({ dir, htpasswd });
    await push(imagePath('debian12-minbase', 'oci'), `${reg.host}/private/minbase:v1`, {
      creds: `${user}:${password}`,
    });
    ref = `registry://${reg.host}/private/minbase:v1`;
  });
  afterAll(async () => reg?.stop());

  const expectImage = async (options: OpenSourceOptions): Promise<void> => {
    const src = await openSource(ref, options);
    expect(src.description.kind).toBe('image');
    await src.walk({ entry: () => undefined });
    await src.close();
  };

  it('asks for credentials when none are given', async () => {
    const err = await failure(openSource(ref, { registry: { env: emptyEnv() } }));
    expect(err.code).toBe('E_AUTH_REQUIRED');
    expect(err.message).toBe(
      `authentication required for registry ${reg.host} — run docker login or pass --username`,
    );
    expect(err.exitCode).toBe(5);
  });

  it('uses --username/--password, environment variables, docker config auths and credential helpers', async () => {
    await expectImage({ registry: { env: emptyEnv(), username: user, password: async () => password } });
    await expectImage({
      registry: { env: emptyEnv({ BULWARK_REGISTRY_USERNAME: user, BULWARK_REGISTRY_PASSWORD: password }) },
    });

    const cfgDir = tmp();
    writeFileSync(
      join(cfgDir, 'config.json'),
      JSON.stringify({
        auths: { [`http://${reg.host}`]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } },
      }),
    );
    await expectImage({ registry: { env: emptyEnv({ DOCKER_CONFIG: cfgDir }) } });

    const plainDir = tmp();
    writeFileSync(
      join(plainDir, 'config.json'),
      JSON.stringify({ auths: { [reg.host]: { username: user, password } } }),
    );
    await expectImage({ registry: { env: emptyEnv(), dockerConfigDir: plainDir } });

    // A credential helper on PATH: it must get the registry host on stdin.
    const bin = tmp();
    const seen = join(bin, 'seen.txt');
    writeFileSync(
      join(bin, 'docker-credential-bulwarktest'),
      `#!/bin/sh\n[ "$1" = get ] || exit 1\nread -r server\necho "$server" > '${seen}'\n` +
        `if [ "$server" = '${reg.host}' ]; then printf '{"ServerURL":"%s","Username":"${user}","Secret":"${password}"}' "$server"; ` +
        `else echo 'credentials not found in native keychain'; exit 1; fi\n`,
    );
    chmodSync(join(bin, 'docker-credential-bulwarktest'), 0o755);
    const helperEnv = (config: unknown): NodeJS.ProcessEnv => {
      const d = tmp();
      writeFileSync(join(d, 'config.json'), JSON.stringify(config));
      return emptyEnv({ DOCKER_CONFIG: d, PATH: `${bin}:${process.env.PATH ?? ''}` });
    };
    await expectImage({ registry: { env: helperEnv({ credHelpers: { [reg.host]: 'bulwarktest' } }) } });
    expect(readFileSync(seen, 'utf8').trim()).toBe(reg.host);
    await expectImage({
      registry: { env: helperEnv({ credsStore: 'bulwarktest', auths: { [reg.host]: {} } }) },
    });
    const missingHelper = await failure(
      openSource(ref, { registry: { env: helperEnv({ credHelpers: { [reg.host]: 'absent' } }) } }),
    );
    expect(missingHelper.message).toMatch(/docker-credential-absent .*is not installed/);
  });

  it('refuses wrong passwords without ever printing a password', async () => {
    const wrong = 'Wrong-pass-never-printed';
    const err = await failure(
      openSource(ref, { registry: { env: emptyEnv(), username: user, password: async () => wrong } }),
    );
    expect(err.code).toBe('E_AUTH_FAILED');
    expect(err.message).toMatch(
      /authentication failed for registry 127\.0\.0\.1:\d+ with credentials for "scanner" from --username/,
    );
    expect(err.message).not.toContain(wrong);

    // Through the CLI: a good password and a bad one, stdout and stderr checked for either secret.
    const ok = cliIO(emptyEnv(), `${password}\n`);
    expect(await run(['sbom', ref, '--username', user, '--password-stdin', '-f', 'json', '-q'], ok.io)).toBe(
      0,
    );
    expect(ok.out()).toContain('"format": "registry"');
    const bad = cliIO(emptyEnv(), `${wrong}\n`);
    expect(await run(['sbom', ref, '--username', user, '--password-stdin', '-q', '--debug'], bad.io)).toBe(5);
    expect(bad.err()).toMatch(/^bulwark: authentication failed for registry/);
    const envRun = cliIO(emptyEnv({ BULWARK_REGISTRY_USERNAME: user, BULWARK_REGISTRY_PASSWORD: password }));
    expect(await run(['sbom', ref, '-f', 'cyclonedx-json', '-q'], envRun.io)).toBe(0);
    for (const text of [ok.out(), ok.err(), bad.out(), bad.err(), envRun.out(), envRun.err()]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(Buffer.from(`${user}:${password}`).toString('base64'));
    }
  });
});

describe.skipIf(!ready || !requireCommand('openssl', ['version'], 'registry token tests'))(
  'registry with Bearer token auth',
  () => {
    const user = 'ci';
    const password = 'token-service-password';
    let reg: RunningRegistry;
    let tokens: HttpServer;

    beforeAll(async () => {
      const dir = tmp();
      const { cert, key } = await selfSigned(dir, 'token', 'bulwark-test-token-issuer');
      const service = 'bulwark-test-registry';
      const issuer = 'bulwark-test-issuer';
      tokens = await tokenServer({ cert, key, service, issuer, user, password });
      reg = await startRegistry({
        dir,
        token: { realm: `http://127.0.0.1:${tokens.port}/token`, service, issuer, rootCertBundle: cert },
      });
      await push(imagePath('debian12-minbase', 'oci'), `${reg.host}/public/minbase:v1`, {
        creds: `${user}:${password}`,
      });
      await push(imagePath('debian12-minbase', 'oci'), `${reg.host}/private/minbase:v1`, {
        creds: `${user}:${password}`,
      });
    });
    afterAll(async () => {
      await reg?.stop();
      await tokens?.close();
    });

    it('pulls a public repository with an anonymous token and a private one with credentials', async () => {
      const before = tokens.requests.length;
      const pub = await openSource(`registry://${reg.host}/public/minbase:v1`, {
        registry: { env: emptyEnv() },
      });
      const layout = await packagesOf(await openSource(`oci-dir://${imagePath('debian12-minbase', 'oci')}`));
      expect(await packagesOf(pub)).toBe(layout);
      const asked = tokens.requests.slice(before);
      expect(asked).toHaveLength(1);
      expect(asked[0]!.authorization).toBeUndefined();
      expect(asked[0]!.path).toContain('scope=repository%3Apublic%2Fminbase%3Apull');

      const anon = await failure(
        openSource(`registry://${reg.host}/private/minbase:v1`, { registry: { env: emptyEnv() } }),
      );
      expect(anon.code).toBe('E_AUTH_REQUIRED');
      const priv = await openSource(`registry://${reg.host}/private/minbase:v1`, {
        registry: { env: emptyEnv(), username: user, password },
      });
      expect(await packagesOf(priv)).toBe(layout);
      const bad = await failure(
        openSource(`registry://${reg.host}/private/minbase:v1`, {
          registry: { env: emptyEnv(), username: user, password: 'nope-nope' },
        }),
      );
      expect(bad.code).toBe('E_AUTH_FAILED');
      expect(bad.message).toMatch(/token service at 127\.0\.0\.1:\d+ refused them/);
      expect(bad.message).not.toContain('nope-nope');
    });
  },
);

/** A name of this machine that is not a loopback literal but resolves to loopback (for verified TLS). */
async function loopbackName(): Promise<string | undefined> {
  const name = hostname();
  try {
    const { address } = await lookup(name, { family: 4 });
    return address.startsWith('127.') && !/^(localhost|[\d.]+)$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

describe.skipIf(!ready || !requireCommand('openssl', ['version'], 'registry TLS tests'))(
  'registry over TLS',
  () => {
    let reg: RunningRegistry;
    let caFile: string;
    let named: string | undefined;

    beforeAll(async () => {
      const dir = tmp();
      named = await loopbackName();
      if (!named)
        console.warn(
          '\n*** SKIPPING verified-TLS registry test: this machine has no host name resolving to 127.x ***\n',
        );
      const { cert, key } = await selfSigned(
        dir,
        'registry',
        named ?? 'localhost',
        `IP:127.0.0.1${named ? `,DNS:${named}` : ''}`,
      );
      caFile = cert;
      reg = await startRegistry({ dir, tls: { cert, key } });
      await push(imagePath('debian12-minbase', 'oci'), `${reg.host}/tls/minbase:v1`);
    });
    afterAll(async () => reg?.stop());

    it('talks TLS to a loopback registry that offers it (TLS first, as Docker does)', async () => {
      const src = await openSource(`registry://${reg.host}/tls/minbase:v1`, {
        registry: { env: emptyEnv() },
      });
      expect(await packagesOf(src)).toBe(
        await packagesOf(await openSource(`oci-dir://${imagePath('debian12-minbase', 'oci')}`)),
      );
    });

    it('verifies certificates of other hosts: refused without --ca-cert, accepted with it', async () => {
      if (!named) return;
      const ref = `registry://${named}:${reg.host.split(':')[1]}/tls/minbase:v1`;
      const err = await failure(
        openSource(ref, { registry: { env: emptyEnv({ SSL_CERT_FILE: join(tmp(), 'none.pem') }) } }),
      );
      expect(err.code).toBe('E_TLS');
      expect(err.message).toMatch(/TLS certificate of registry .* is not trusted .*--ca-cert/);
      const src = await openSource(ref, { registry: { env: emptyEnv(), caCertFiles: [caFile] } });
      expect((await packagesOf(src)).length).toBeGreaterThan(100);
      const insecure = await openSource(ref, { registry: { env: emptyEnv(), insecureRegistries: [named] } });
      expect((await packagesOf(insecure)).length).toBeGreaterThan(100);
    });
  },
);
