/**
 * Attestation discovery over the wire protocols the Debian registry (distribution 2.8) does not speak:
 * the OCI 1.1 referrers API and BuildKit attestation manifests inside an image index, served by a small
 * HTTP registry on 127.0.0.1 answering with real, digest-addressed documents. (Cosign tags and the
 * referrers tag schema are covered against the real registry by the catalog and policy CLI tests.)
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { findAttestations } from './attestations.js';
import { connectRegistry } from './open-registry.js';
import { serve, type HttpServer } from './test-support/registry.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const doc = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

/** A registry holding `manifests` (by digest and by tag) and answering the referrers API when `referrers` is given. */
async function registry(
  manifests: Map<string, { body: Buffer; type: string }>,
  referrers?: Map<string, Buffer>,
): Promise<HttpServer> {
  return serve((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return void res.writeHead(200).end('{}');
    const m = /^\/v2\/app\/(manifests|referrers)\/(.+)$/.exec(url);
    const hit = m?.[1] === 'manifests' ? manifests.get(m[2]!) : undefined;
    if (hit) {
      res.writeHead(200, { 'content-type': hit.type, 'docker-content-digest': sha(hit.body) });
      return void res.end(req.method === 'HEAD' ? undefined : hit.body);
    }
    const r = m?.[1] === 'referrers' ? referrers?.get(m[2]!) : undefined;
    if (r) return void res.writeHead(200, { 'content-type': INDEX }).end(r);
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
  });
}

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const image = doc({
  schemaVersion: 2,
  mediaType: MANIFEST,
  config: {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: `sha256:${'1'.repeat(64)}`,
    size: 2,
  },
  layers: [],
});
const imageDigest = sha(image);

describe('findAttestations', () => {
  it('reads the OCI referrers API: artifact types, and in-toto artifacts by their predicate type', async () => {
    const provenance = doc({
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType: 'application/vnd.in-toto+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: `sha256:${'2'.repeat(64)}`, size: 2 },
      layers: [
        {
          mediaType: 'application/vnd.in-toto+json',
          digest: `sha256:${'3'.repeat(64)}`,
          size: 10,
          annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
        },
      ],
      subject: { mediaType: MANIFEST, digest: imageDigest, size: image.length },
    });
    const manifests = new Map([
      [imageDigest, { body: image, type: MANIFEST }],
      [sha(provenance), { body: provenance, type: MANIFEST }],
    ]);
    const index = doc({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [
        {
          mediaType: MANIFEST,
          digest: sha(provenance),
          size: provenance.length,
          artifactType: 'application/vnd.in-toto+json',
        },
        {
          mediaType: MANIFEST,
          digest: `sha256:${'4'.repeat(64)}`,
          size: 100,
          artifactType: 'application/vnd.cyclonedx+json',
        },
        {
          mediaType: MANIFEST,
          digest: `sha256:${'5'.repeat(64)}`,
          size: 100,
          artifactType: 'application/vnd.cncf.notary.signature',
        },
      ],
    });
    server = await registry(manifests, new Map([[imageDigest, index]]));
    const client = await connectRegistry(`127.0.0.1:${server.port}/app@${imageDigest}`, { env: {} });
    try {
      const facts = await findAttestations(client, [imageDigest]);
      expect(facts).toEqual({
        sbom: true,
        provenance: true,
        found: [
          'provenance: referrers https://slsa.dev/provenance/v0.2',
          'sbom: referrers application/vnd.cyclonedx+json',
        ],
      });
      // The tag schema is not asked when the API answers; cosign tags always are.
      const paths = server.requests.map((r) => r.path);
      expect(paths).toContain(`/v2/app/referrers/${imageDigest}`);
      expect(paths).not.toContain(`/v2/app/manifests/sha256-${imageDigest.slice(7)}`);
      expect(paths).toContain(`/v2/app/manifests/sha256-${imageDigest.slice(7)}.att`);
    } finally {
      await client.close();
    }
  });

  it('reads BuildKit attestation manifests in the image index; nothing attached is nothing found', async () => {
    const attestation = doc({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${'6'.repeat(64)}`,
        size: 2,
      },
      layers: [
        {
          mediaType: 'application/vnd.in-toto+json',
          digest: `sha256:${'7'.repeat(64)}`,
          size: 10,
          annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' },
        },
        {
          mediaType: 'application/vnd.in-toto+json',
          digest: `sha256:${'8'.repeat(64)}`,
          size: 10,
          annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
        },
      ],
    });
    const index = doc({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [
        {
          mediaType: MANIFEST,
          digest: imageDigest,
          size: image.length,
          platform: { os: 'linux', architecture: 'amd64' },
        },
        {
          mediaType: MANIFEST,
          digest: sha(attestation),
          size: attestation.length,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': imageDigest,
          },
        },
      ],
    });
    const manifests = new Map([
      [imageDigest, { body: image, type: MANIFEST }],
      [sha(attestation), { body: attestation, type: MANIFEST }],
      [sha(index), { body: index, type: INDEX }],
    ]);
    server = await registry(manifests);
    const client = await connectRegistry(`127.0.0.1:${server.port}/app@${sha(index)}`, { env: {} });
    try {
      expect(await findAttestations(client, [sha(index), imageDigest], sha(index))).toEqual({
        sbom: true,
        provenance: true,
        found: [
          'provenance: attestation-manifest https://slsa.dev/provenance/v0.2',
          'sbom: attestation-manifest https://spdx.dev/Document',
        ],
      });
      // The same image without the index: no attestation anywhere.
      expect(await findAttestations(client, [imageDigest])).toEqual({
        sbom: false,
        provenance: false,
        found: [],
      });
    } finally {
      await client.close();
    }
  });
});
