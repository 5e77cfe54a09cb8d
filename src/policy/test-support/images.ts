/**
 * Fixtures for the policy and catalogue tests: small real images (tar layers, digests, OCI layouts)
 * with one property each — a user, a shell, a package manager, a setuid file, an old package — and a
 * pusher speaking the OCI distribution API (blob uploads, manifests, tags) to a real registry, so
 * attestations can be attached the ways tools attach them (cosign tags, the referrers tag schema).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import {
  buildImage,
  tempDir,
  writeOciLayout,
  type ImageSpec,
  type TarSpec,
} from '../../source/test-support/build.js';

export type Built = ReturnType<typeof buildImage>;

export const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export const OS_RELEASE: TarSpec = {
  name: 'etc/os-release',
  content:
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
};

/** A dpkg status database listing `pkgs`. */
export function dpkgStatus(pkgs: { name: string; version: string; source?: string }[]): TarSpec {
  return {
    name: 'var/lib/dpkg/status',
    content: pkgs
      .map(
        (p) =>
          `Package: ${p.name}\nStatus: install ok installed\nArchitecture: amd64\n${p.source ? `Source: ${p.source}\n` : ''}Version: ${p.version}\nMaintainer: Test <t@example.org>\nDescription: test package\n`,
      )
      .join('\n'),
  };
}

/** An installed npm package (node_modules/<name>/package.json). */
export function npmPackage(name: string, version: string, license = 'MIT'): TarSpec {
  return {
    name: `app/node_modules/${name}/package.json`,
    content: JSON.stringify({ name, version, license }),
  };
}

/** A minimal "distroless"-style filesystem: an app binary, passwd for the app user, nothing else. */
export function distroless(extra: TarSpec[] = []): TarSpec[] {
  return [
    { name: 'etc', type: 'dir' },
    {
      name: 'etc/passwd',
      content: 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1000:1000::/home/app:/sbin/nologin\n',
    },
    { name: 'app', type: 'dir' },
    { name: 'app/server', content: Buffer.from('\x7fELF-not-really', 'latin1'), mode: 0o755 },
    ...extra,
  ];
}

/** Build an image with one layer of `entries` (plus optional config). */
export function image(entries: TarSpec[], spec: Omit<ImageSpec, 'layers'> = {}): Built {
  return buildImage({ ...spec, layers: [{ entries, createdBy: 'COPY . /' }] });
}

/** Write `img` as an OCI layout (tag `latest`) in a fresh temp dir; returns the folder. */
export function layout(img: Built, dir = tempDir('bulwark-policy-img-')): string {
  return writeOciLayout(dir, [{ image: img, tag: 'latest' }]);
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(
  url: string,
  method: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The OCI distribution API of one plain-HTTP registry (`127.0.0.1:PORT`). */
export class Pusher {
  constructor(readonly host: string) {}

  async blob(repo: string, data: Buffer): Promise<string> {
    const digest = sha256(data);
    const start = await request(`http://${this.host}/v2/${repo}/blobs/uploads/`, 'POST', Buffer.alloc(0));
    if (start.status !== 202) throw new Error(`upload start: HTTP ${start.status} ${start.body.toString()}`);
    const loc = new URL(String(start.headers.location), `http://${this.host}`);
    loc.searchParams.set('digest', digest);
    const put = await request(loc.toString(), 'PUT', data, { 'content-type': 'application/octet-stream' });
    if (put.status !== 201) throw new Error(`upload: HTTP ${put.status} ${put.body.toString()}`);
    return digest;
  }

  /** PUT a manifest under a tag (or its digest); returns its digest. */
  async manifest(
    repo: string,
    reference: string | undefined,
    doc: Buffer,
    mediaType: string,
  ): Promise<string> {
    const digest = sha256(doc);
    const res = await request(`http://${this.host}/v2/${repo}/manifests/${reference ?? digest}`, 'PUT', doc, {
      'content-type': mediaType,
    });
    if (res.status !== 201)
      throw new Error(`manifest ${reference ?? digest}: HTTP ${res.status} ${res.body.toString()}`);
    return digest;
  }

  /** Push a built image under `tag`; returns its manifest digest. */
  async image(repo: string, tag: string, img: Built): Promise<string> {
    for (const [, data] of img.blobs) if (data !== img.manifest) await this.blob(repo, data);
    return this.manifest(repo, tag, img.manifest, 'application/vnd.oci.image.manifest.v1+json');
  }

  /** An OCI artifact manifest (empty config, one layer) with `artifactType` and `subject`; returns its descriptor. */
  async artifact(
    repo: string,
    subject: { digest: string; size: number },
    artifactType: string,
    layer: { mediaType: string; data: Buffer; annotations?: Record<string, string> },
    tag?: string,
  ): Promise<{ mediaType: string; digest: string; size: number; artifactType: string }> {
    const empty = Buffer.from('{}');
    await this.blob(repo, empty);
    const layerDigest = await this.blob(repo, layer.data);
    const doc = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: empty.length },
        layers: [
          {
            mediaType: layer.mediaType,
            digest: layerDigest,
            size: layer.data.length,
            ...(layer.annotations ? { annotations: layer.annotations } : {}),
          },
        ],
        subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...subject },
      }),
    );
    const digest = await this.manifest(repo, tag, doc, 'application/vnd.oci.image.manifest.v1+json');
    return {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      size: doc.length,
      artifactType,
    };
  }

  /** The referrers tag schema: an index at tag `sha256-<hex>` listing the artifacts that refer to `subject`. */
  async referrersTag(
    repo: string,
    subject: string,
    artifacts: { mediaType: string; digest: string; size: number; artifactType: string }[],
  ): Promise<void> {
    const doc = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: artifacts,
      }),
    );
    await this.manifest(repo, `sha256-${subject.slice(7)}`, doc, 'application/vnd.oci.image.index.v1+json');
  }
}

export const SLSA_PROVENANCE = 'https://slsa.dev/provenance/v1';
export const SPDX_PREDICATE = 'https://spdx.dev/Document';

/** A DSSE envelope of an in-toto statement (unsigned: Bulwark reads what is attached, not signatures). */
export function dsse(predicateType: string, subjectDigest: string): Buffer {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'image', digest: { sha256: subjectDigest.slice(7) } }],
    predicateType,
    predicate: {},
  };
  return Buffer.from(
    JSON.stringify({
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      signatures: [],
    }),
  );
}

/**
 * Attach attestations to `img` (pushed as `repo@digest`) the ways tools do: provenance as a cosign
 * `sha256-<hex>.att` tag (DSSE layer annotated with its predicate type), an SBOM as an SPDX artifact
 * listed in the referrers tag schema index (`sha256-<hex>`).
 */
export async function attach(
  pusher: Pusher,
  repo: string,
  img: Built,
  what: { sbom?: boolean; provenance?: boolean },
): Promise<void> {
  const subject = { digest: img.manifestDigest, size: img.manifest.length };
  if (what.provenance) {
    await pusher.artifact(
      repo,
      subject,
      'application/vnd.dsse.envelope.v1+json',
      {
        mediaType: 'application/vnd.dsse.envelope.v1+json',
        data: dsse(SLSA_PROVENANCE, img.manifestDigest),
        annotations: { predicateType: SLSA_PROVENANCE },
      },
      `sha256-${img.manifestDigest.slice(7)}.att`,
    );
  }
  if (what.sbom) {
    const sbom = await pusher.artifact(repo, subject, 'application/spdx+json', {
      mediaType: 'application/spdx+json',
      data: Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'image', packages: [] })),
    });
    await pusher.referrersTag(repo, img.manifestDigest, [sbom]);
  }
}
