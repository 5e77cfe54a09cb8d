import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EntryHeader, ImageMetadata, LayerRef } from '../../source/types.js';
import { openSource } from '../../source/open.js';
import { IMAGES_DIR, haveImages, imagePath } from '../../test-support/images.js';
import { checkImage } from './check.js';
import { historyAssignments } from './config-checks.js';
import { createImageCheckVisitor } from './visitor.js';

function meta(
  overrides: Partial<ImageMetadata['config']> = {},
  history: ImageMetadata['history'] = [],
): ImageMetadata {
  return {
    format: 'oci-layout',
    repoTags: [],
    repoDigests: [],
    manifestDigest: 'sha256:00',
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    configDigest: 'sha256:01',
    platform: { os: 'linux', architecture: 'amd64' },
    config: { env: [], labels: {}, exposedPorts: [], volumes: [], ...overrides },
    history,
    layers: [],
  };
}

const file = (path: string, mode = 0o644, size = 10): EntryHeader => ({
  path,
  type: 'file',
  size,
  mode,
  uid: 0,
  gid: 0,
});
const dir = (path: string, mode = 0o755): EntryHeader => ({
  path,
  type: 'dir',
  size: 0,
  mode,
  uid: 0,
  gid: 0,
});
const layer = (index: number): LayerRef => ({
  index,
  digest: `sha256:${index}`,
  diffId: `sha256:${index}`,
  mediaType: 'x',
  size: 0,
});

// Built at run time so that no token-shaped literal sits in the source tree.
const TOKEN = ['ghp', '_', 'Zx8Qm2Lp5Rt7Vw9Yb1Nc3Hd6Jf4Kg0Ms2Ta5'].join('');

describe('image configuration checks', () => {
  it('reports root users, secrets in Env/Labels/history (redacted) and port 22', () => {
    const findings = checkImage(
      meta(
        {
          env: ['PATH=/usr/bin', `GITHUB_TOKEN=${TOKEN}`, 'PASSWORD_FILE=/run/secrets/pw'],
          labels: { 'deploy.password': 'hunter2hunter2', maintainer: 'me' },
          exposedPorts: ['22/tcp', '80/tcp'],
        },
        [
          { createdBy: `/bin/sh -c #(nop)  ENV GITHUB_TOKEN=${TOKEN}`, emptyLayer: true },
          {
            createdBy: 'RUN |2 NPM_TOKEN=npm_secretvalue123 VERSION=1 /bin/sh -c npm ci # buildkit',
            emptyLayer: false,
          },
          { createdBy: 'ARG DB_PASSWORD=s3cr3t-pass', emptyLayer: true },
        ],
      ),
      [],
    );
    expect(findings.map((f) => [f.ruleId, f.location])).toEqual([
      ['image-secret-env', { kind: 'config', field: 'Env', key: 'GITHUB_TOKEN' }],
      ['image-ssh-port', { kind: 'config', field: 'ExposedPorts', key: '22/tcp' }],
      ['image-secret-label', { kind: 'config', field: 'Labels', key: 'deploy.password' }],
      ['image-root-user', { kind: 'config', field: 'User' }],
      ['image-secret-history', { kind: 'history', index: 1 }],
      ['image-secret-history', { kind: 'history', index: 2 }],
    ]);
    const text = JSON.stringify(findings);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('npm_secretvalue123');
    expect(text).not.toContain('hunter2hunter2');
    expect(findings[0]!.message).toMatch(new RegExp(`ghp_…\\(${TOKEN.length} chars, fp [0-9a-f]{16}\\)`));
  });

  it.each([
    ['', true],
    ['root', true],
    ['0:0', true],
    ['root:staff', true],
    ['1000', false],
    ['app:app', false],
  ])('User %j is root: %s', (user, root) => {
    const ids = checkImage(meta(user ? { user } : {}), []).map((f) => f.ruleId);
    expect(ids.includes('image-root-user')).toBe(root);
  });

  it('parses assignments out of history entries', () => {
    expect(historyAssignments('/bin/sh -c #(nop)  ENV A=1 B="two words"')).toEqual([
      { key: 'A', value: '1', kind: 'ENV' },
      { key: 'B', value: 'two words', kind: 'ENV' },
    ]);
    expect(historyAssignments('/bin/sh -c #(nop)  ENV LEGACY some value')).toEqual([
      { key: 'LEGACY', value: 'some value', kind: 'ENV' },
    ]);
    expect(historyAssignments('|1 TOKEN=abc /bin/sh -c make')).toEqual([
      { key: 'TOKEN', value: 'abc', kind: 'RUN' },
    ]);
    expect(historyAssignments('RUN /bin/sh -c echo TOKEN=abc # buildkit')).toEqual([]);
  });

  it('honours severity overrides and off from the lint config', () => {
    const findings = checkImage(meta({ exposedPorts: ['22'] }), [], {
      config: { trustedRegistries: [], rules: { 'image-root-user': 'off', 'image-ssh-port': 'critical' } },
    });
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['image-ssh-port', 'critical']]);
  });
});

describe('final filesystem checks', () => {
  const config = { user: '1000' };
  it('reports sensitive files, git folders, shell history, setuid, world-writable and caches', () => {
    const findings = checkImage(meta(config), [
      dir('/app'),
      file('/app/.env'),
      file('/app/id_rsa', 0o600),
      file('/app/id_rsa.pub'),
      dir('/app/.git'),
      file('/app/.git/config'),
      file('/root/.bash_history', 0o600, 120),
      file('/root/.aws/credentials', 0o600),
      file('/usr/bin/passwd', 0o4755),
      file('/usr/bin/wall', 0o2755),
      file('/srv/data.txt', 0o666),
      dir('/tmp', 0o1777),
      file('/tmp/scratch', 0o666),
      dir('/var/shared', 0o1777),
      file('/etc/ssl/certs/ca-certificates.crt'),
      file('/etc/ssl/certs/ISRG_Root_X1.pem'),
      file('/usr/lib/python3/dist-packages/certifi/cacert.pem'),
      file('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease', 0o644, 1000),
      file(
        '/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4',
        0o644,
        5000,
      ),
      file('/var/lib/apt/lists/lock', 0o640, 0),
      file('/root/.cache/pip/http/a/b', 0o644, 300),
    ]);
    expect(findings.map((f) => [f.ruleId, f.location.kind === 'file' ? f.location.path : ''])).toEqual([
      ['image-sensitive-file', '/app/.env'],
      ['image-sensitive-file', '/app/.git'],
      ['image-sensitive-file', '/app/id_rsa'],
      ['image-sensitive-file', '/root/.aws/credentials'],
      ['image-sensitive-file', '/root/.bash_history'],
      ['image-package-cache', '/root/.cache/pip/http/a/b'],
      ['image-world-writable', '/srv/data.txt'],
      ['image-setuid-file', '/usr/bin/passwd'],
      ['image-setuid-file', '/usr/bin/wall'],
      ['image-package-cache', '/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease'],
    ]);
    const apt = findings.find((f) => f.message.startsWith('/var/lib/apt/lists'))!;
    expect(apt.message).toContain('2 cached files, 6000 bytes');
  });

  it('caps findings per rule and summarises the rest', () => {
    const many = Array.from({ length: 80 }, (_, i) => file(`/data/f${String(i).padStart(3, '0')}`, 0o666));
    const findings = checkImage(meta(config), many, { maxPerRule: 10 });
    expect(findings.filter((f) => f.ruleId === 'image-world-writable')).toHaveLength(11);
    expect(findings.some((f) => f.message.startsWith('… and 70 more'))).toBe(true);
  });

  it('the layer visitor applies whiteouts and opaque directories before checking', () => {
    const v = createImageCheckVisitor(meta(config));
    v.entry(layer(0), dir('/app'));
    v.entry(layer(0), file('/app/.env'));
    v.entry(layer(0), file('/app/id_rsa'));
    v.entry(layer(0), dir('/keys'));
    v.entry(layer(0), file('/keys/server.key'));
    v.entry(layer(0), dir('/opq'));
    v.entry(layer(0), file('/opq/old.key'));
    v.entry(layer(1), { ...file('/app/.env'), type: 'whiteout' });
    v.entry(layer(1), { ...dir('/keys'), type: 'whiteout' });
    v.entry(layer(1), file('/opq/new.key'));
    v.entry(layer(1), { ...dir('/opq'), type: 'opaque' });
    const paths = v.finish().map((f) => (f.location.kind === 'file' ? f.location.path : ''));
    expect(paths).toEqual(['/app/id_rsa', '/opq/new.key']);
  });
});

describe.skipIf(!haveImages() || !existsSync(imagePath('secrets-in-history', 'oci')))(
  'secrets-in-history image',
  () => {
    it('reports the Env token (redacted) and the root user, and nothing for keys deleted from the final filesystem', async () => {
      const source = await openSource(imagePath('secrets-in-history', 'oci'));
      try {
        expect(source.description.kind).toBe('image');
        if (source.description.kind !== 'image') return;
        const visitor = createImageCheckVisitor(source.description.image);
        await source.walk(visitor);
        const findings = visitor.finish();
        const expected = (await import('node:fs')).readFileSync(
          `${IMAGES_DIR}/secrets-in-history.expected`,
          'utf8',
        );
        const token = /GITHUB_TOKEN=(\S+)/.exec(expected)![1]!;
        const env = findings.filter((f) => f.ruleId === 'image-secret-env');
        expect(env).toHaveLength(1);
        expect(env[0]!.message).toContain(`GITHUB_TOKEN=${token.slice(0, 4)}…(${token.length} chars, fp `);
        expect(JSON.stringify(findings)).not.toContain(token);
        expect(findings.some((f) => f.ruleId === 'image-root-user')).toBe(true);
        const files = findings
          .filter((f) => f.location.kind === 'file')
          .map((f) => (f.location.kind === 'file' ? f.location.path : ''));
        expect(files).not.toContain('/app/.env');
        expect(files).not.toContain('/app/id_rsa');
      } finally {
        await source.close();
      }
    });
  },
);
