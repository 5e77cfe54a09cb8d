import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EntryHeader, ImageMetadata, LayerRef } from '../source/types.js';
import { openSource } from '../source/open.js';
import { imagePath, IMAGES_DIR } from '../test-support/images.js';
import { SecretEngine } from './engine.js';
import { createSecretLayerVisitor, scanImageConfig } from './image.js';
import { expandTemplate } from './test-support/fake.js';
import { prerequisite } from '../test-support/require.js';

const engine = new SecretEngine();

const layer = (index: number, createdBy = `RUN step ${index}`): LayerRef => ({
  index,
  digest: `sha256:${String(index).repeat(64).slice(0, 64)}`,
  diffId: `sha256:${String(index + 1)
    .repeat(64)
    .slice(0, 64)}`,
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  size: 0,
  createdBy,
});

const header = (path: string, type: EntryHeader['type'], size = 0): EntryHeader => ({
  path,
  type,
  size,
  mode: 0o644,
  uid: 0,
  gid: 0,
});

/** Drive the visitor as a source would: entries in order, content in small chunks. */
function feed(
  visitor: ReturnType<typeof createSecretLayerVisitor>,
  l: LayerRef,
  path: string,
  content: string | Uint8Array,
): void {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const sink = visitor.entry(l, header(path, 'file', bytes.length));
  if (!sink) return;
  for (let i = 0; i < bytes.length; i += 5) sink.write(bytes.subarray(i, i + 5));
  sink.end();
}

describe('createSecretLayerVisitor', () => {
  const awsId = expandTemplate('AKIA{U:16}', 'img-id');
  const gh = expandTemplate('ghp_{gh}', 'img-gh');
  const stripe = expandTemplate('sk_live_{A:40}', 'img-stripe');

  it('reports deleted (whiteout), overwritten, opaque-hidden and present secrets with their layers', () => {
    const v = createSecretLayerVisitor({ engine });
    const [l0, l1, l2, l3] = [layer(0), layer(1), layer(2), layer(3)];
    v.layerStart?.(l0);
    v.entry(l0, header('/app', 'dir'));
    feed(v, l0, '/app/.env', `AWS_ACCESS_KEY_ID=${awsId}\n`);
    feed(v, l0, '/app/deploy.sh', `#!/bin/sh\nexport GITHUB_TOKEN=${gh}\n`);
    feed(v, l0, '/etc/app/stripe.conf', `key=${stripe}\n`);
    feed(v, l0, '/srv/keep.env', `TOKEN=${gh}\n`);
    v.layerEnd?.(l0);
    // layer 1: delete .env
    v.entry(l1, header('/app/.env', 'whiteout'));
    // layer 2: overwrite deploy.sh without the token; rewrite keep.env with the same token
    feed(v, l2, '/app/deploy.sh', '#!/bin/sh\necho deploy\n');
    feed(v, l2, '/srv/keep.env', `# same\nTOKEN=${gh}\n`);
    // layer 3: opaque /etc/app hides stripe.conf
    v.entry(l3, header('/etc/app', 'opaque'));
    const { findings } = v.result();
    const view = findings
      .map((f) => [f.path, f.ruleId, f.line, f.layer?.index, f.status, f.removedIn?.index])
      .sort((a, b) => String(a).localeCompare(String(b)));
    expect(view).toEqual([
      ['/app/.env', 'aws-access-key-id', 1, 0, 'deleted', 1],
      ['/app/deploy.sh', 'github-pat-token', 2, 0, 'overwritten', 2],
      ['/etc/app/stripe.conf', 'stripe-live-secret-key', 1, 0, 'deleted', 3],
      ['/srv/keep.env', 'github-pat-token', 2, 2, 'present', undefined],
    ]);
    expect(findings.find((f) => f.path === '/app/.env')?.removedIn?.createdBy).toBe('RUN step 1');
  });

  it('a whiteout of a directory deletes everything below it; later re-creation is present', () => {
    const v = createSecretLayerVisitor({ engine });
    feed(v, layer(0), '/opt/secrets/a.env', `AWS_ACCESS_KEY_ID=${awsId}\n`);
    v.entry(layer(1), header('/opt/secrets', 'whiteout'));
    feed(v, layer(2), '/opt/secrets/a.env', `AWS_ACCESS_KEY_ID=${awsId}\n`);
    const view = v.result().findings.map((f) => [f.layer?.index, f.status, f.removedIn?.index]);
    expect(view).toEqual([
      [0, 'deleted', 1],
      [2, 'present', undefined],
    ]);
  });

  it('skips binaries, records aborted files as problems, and flags PKCS#12 stores by name and magic', () => {
    const v = createSecretLayerVisitor({ engine });
    feed(
      v,
      layer(0),
      '/bin/tool',
      Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.from(`AWS_ACCESS_KEY_ID=${awsId}`)]),
    );
    feed(
      v,
      layer(0),
      '/certs/client.p12',
      Buffer.from([0x30, 0x82, 0x0a, 0x1f, 0x02, 0x01, 0x03, 0x30, 0x82, 0x09, 0x00, 0x06]),
    );
    feed(v, layer(0), '/certs/readme.p12', 'not really a key store');
    const sink = v.entry(layer(0), header('/big.log', 'file', 100));
    sink?.write(Buffer.from(`AWS_ACCESS_KEY_ID=${awsId}`));
    sink?.abort?.(new Error('unexpected end of gzip stream'));
    const result = v.result();
    expect(result.findings.map((f) => [f.path, f.ruleId])).toEqual([['/certs/client.p12', 'pkcs12-file']]);
    expect(result.stats.skippedBinary).toBe(2);
    expect(result.problems).toEqual([{ path: '/big.log', reason: 'layer 0: unexpected end of gzip stream' }]);
  });

  it('scans Env, Labels and history of the image config', () => {
    const meta = {
      config: {
        env: ['PATH=/usr/bin', `GITHUB_TOKEN=${gh}`],
        labels: { 'org.opencontainers.image.title': 'app', 'ci.token': `token=${stripe}` },
        exposedPorts: [],
        volumes: [],
      },
      history: [{ createdBy: `/bin/sh -c echo ${awsId} > /dev/null`, emptyLayer: false }],
    } as unknown as ImageMetadata;
    const found = scanImageConfig(meta, engine).map((f) => [f.path, f.ruleId]);
    expect(found).toEqual([
      ['config:Env/GITHUB_TOKEN', 'github-pat-token'],
      ['config:Labels/ci.token', 'stripe-live-secret-key'],
      ['config:history/0', 'aws-access-key-id'],
    ]);
  });
});

const expectedFile = imagePath('secrets-in-history', 'docker.tar').replace(/\.docker\.tar$/, '.expected');
const haveImage = prerequisite(
  existsSync(imagePath('secrets-in-history', 'docker.tar')) && existsSync(expectedFile),
  `secrets-in-history image test: not built in ${IMAGES_DIR} (see ../shared/images/build-images.sh).`,
);
describe.skipIf(!haveImage)('secrets-in-history image (real)', () => {
  it.each(['docker.tar', 'oci', 'oci.tar'] as const)(
    'reports the layer-2 secrets as deleted in layer 3 and the Env token (%s)',
    async (form) => {
      const expected = readFileSync(expectedFile, 'utf8');
      const akid = /AWS_ACCESS_KEY_ID=(\S+)/.exec(expected)?.[1] as string;
      const asec = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(expected)?.[1] as string;
      const ghtok = /GITHUB_TOKEN=(\S+)/.exec(expected)?.[1] as string;
      const pemHeader = /layer2:\/app\/id_rsa (-----BEGIN [A-Z ]+-----)/.exec(expected)?.[1] as string;
      const prefix = form === 'oci' ? 'oci-dir://' : 'archive://';
      const source = await openSource(`${prefix}${imagePath('secrets-in-history', form)}`);
      try {
        const visitor = createSecretLayerVisitor({ engine });
        await source.walk(visitor);
        const layers = visitor.result();
        const image = source.description.kind === 'image' ? source.description.image : undefined;
        const config = image ? scanImageConfig(image, engine) : [];
        const byPath = (p: string) => layers.findings.filter((f) => f.path === p);

        const env = byPath('/app/.env');
        expect(env.map((f) => f.ruleId).sort()).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
        const key = byPath('/app/id_rsa');
        expect(key.map((f) => f.ruleId)).toEqual([
          pemHeader.includes('RSA') ? 'private-key-rsa' : 'private-key-pkcs8',
        ]);
        for (const f of [...env, ...key]) {
          // Layer numbers in the expected file count from 1; LayerRef.index from 0.
          expect(f.layer?.index).toBe(1);
          expect(f.status).toBe('deleted');
          expect(f.removedIn?.index).toBe(2);
        }
        expect(env.find((f) => f.ruleId === 'aws-access-key-id')?.secret.preview).toBe(
          `${akid.slice(0, 4)}…`,
        );
        expect(env.find((f) => f.ruleId === 'aws-secret-access-key')?.secret.length).toBe(asec.length);

        const token = config.filter((f) => f.path === 'config:Env/GITHUB_TOKEN');
        expect(token).toHaveLength(1);
        expect(token[0]?.secret.length).toBe(ghtok.length);
        const everything = JSON.stringify([layers, config]);
        for (const raw of [akid, asec, ghtok]) expect(everything).not.toContain(raw);
      } finally {
        await source.close();
      }
    },
  );
});
