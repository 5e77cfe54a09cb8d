/**
 * Realistic SBOM documents for the format tests: a two-layer Debian image with Node.js packages, and
 * a folder. Env values and an `ENV` history entry hold marker secrets that no output may contain.
 */
import type { Package } from '../../../model/package.js';
import type { LayerRef } from '../../../source/types.js';
import { SBOM_SCHEMA, type Sbom } from '../../../model/sbom.js';

/** Values planted in the image env and history: none may appear in any formatted output. */
export const SECRET_VALUES = [
  's3cr3t-token-value-9f8e7d',
  'hunter2-password-in-history',
  'db-pass-from-legacy-env',
];

const hex = (c: string): string => c.repeat(64);

export const LAYER0: LayerRef = {
  index: 0,
  digest: `sha256:${hex('a')}`,
  diffId: `sha256:${hex('b')}`,
  mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  size: 29_150_000,
  createdBy: '/bin/sh -c #(nop) ADD file:1c2d3e in / ',
  created: '2024-06-01T00:00:00Z',
};

export const LAYER1: LayerRef = {
  index: 1,
  digest: `sha256:${hex('c')}`,
  diffId: `sha256:${hex('d')}`,
  mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  size: 4_200_000,
  createdBy: 'RUN /bin/sh -c apt-get update && apt-get install -y libssl3 && npm ci # buildkit',
  created: '2024-06-02T00:00:00Z',
};

function deb(name: string, version: string, licenses: string[], extra: Partial<Package> = {}): Package {
  return {
    id: `deb-${name}-0123456789abcdef`,
    name,
    version,
    type: 'deb',
    purl: `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=amd64&distro=debian-12`,
    // CPE 2.3 formatted strings escape every character but letters, digits, `_`, `-` and `.`.
    cpes: [`cpe:2.3:a:${name}:${name}:${version.replace(/[^A-Za-z0-9_.-]/g, (c) => `\\${c}`)}:*:*:*:*:*:*:*`],
    licenses,
    arch: 'amd64',
    locations: [{ path: '/var/lib/dpkg/status', layer: LAYER0 }],
    layer: LAYER0,
    foundBy: 'dpkg-db',
    files: [`/usr/share/doc/${name}/copyright`],
    metadata: { maintainer: 'Debian Maintainers <debian@example.org>', installedSize: 1024 },
    ...extra,
  };
}

function npm(name: string, version: string, licenses: string[], extra: Partial<Package> = {}): Package {
  return {
    id: `npm-${name.replace(/[@/]/g, '_')}-fedcba9876543210`,
    name,
    version,
    type: 'npm',
    purl: `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${version}`,
    licenses,
    locations: [{ path: '/app/package-lock.json', layer: LAYER1 }],
    layer: LAYER1,
    foundBy: 'npm-lock',
    direct: true,
    scope: 'prod',
    ...extra,
  };
}

/** A Debian 12 image with two layers, deb + npm packages, relationships and one unknown. */
export function sampleImageSbom(): Sbom {
  const packages: Package[] = [
    deb('libc6', '2.36-9+deb12u7', ['GPL-2.0-or-later', 'LGPL-2.1-or-later'], {
      sourceName: 'glibc',
      sourceVersion: '2.36-9+deb12u7',
    }),
    deb('libssl3', '3.0.13-1~deb12u1', ['Apache-2.0'], {
      sourceName: 'openssl',
      layer: LAYER1,
      locations: [{ path: '/var/lib/dpkg/status', layer: LAYER1 }],
    }),
    deb('tzdata', '2024a-0+deb12u1', ['LicenseRef-public-domain', 'Some Custom Licence Text v1']),
    npm('@types/node', '20.11.5', ['MIT']),
    npm('express', '4.19.2', ['MIT']),
    npm('debug', '2.6.9', ['(MIT OR Apache-2.0)'], { direct: false }),
    npm('weird-pkg', '0.0.1-beta.1', ['GPL-2.0-only WITH Classpath-exception-2.0', 'see LICENSE.txt'], {
      scope: 'dev',
      direct: false,
      // Not CPE grammar (unescaped space): must not land in fields that require the grammar.
      cpes: [
        'cpe:2.3:a:weird:weird pkg:0.0.1:*:*:*:*:*:*:*',
        'cpe:2.3:a:weird:weird-pkg:0.0.1:*:*:*:*:*:*:*',
      ],
    }),
  ];
  return {
    schema: SBOM_SCHEMA,
    tool: { name: 'bulwark', version: '0.1.0' },
    source: {
      kind: 'image',
      target: 'debian12-node.docker.tar',
      image: {
        format: 'docker-archive',
        repoTags: ['example.org/team/debian12-node:latest', 'debian12-node:1.0'],
        repoDigests: [],
        manifestDigest: `sha256:${hex('e')}`,
        manifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        configDigest: `sha256:${hex('f')}`,
        platform: { os: 'linux', architecture: 'amd64' },
        created: '2024-06-02T00:00:00Z',
        config: {
          user: 'node',
          env: [
            'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
            `API_TOKEN=${SECRET_VALUES[0]}`,
            'EMPTY=',
          ],
          entrypoint: ['docker-entrypoint.sh'],
          cmd: ['node', 'server.js'],
          workingDir: '/app',
          labels: { 'org.opencontainers.image.version': '1.0', 'org.opencontainers.image.authors': 'team' },
          exposedPorts: ['3000/tcp'],
          volumes: [],
        },
        history: [
          { createdBy: LAYER0.createdBy, created: LAYER0.created, emptyLayer: false },
          { createdBy: `/bin/sh -c #(nop)  ENV DB_PASSWORD ${SECRET_VALUES[2]}`, emptyLayer: true },
          { createdBy: `ENV NODE_ENV=production SESSION_KEY="${SECRET_VALUES[1]} more"`, emptyLayer: true },
          { createdBy: LAYER1.createdBy, created: LAYER1.created, emptyLayer: false },
        ],
        layers: [LAYER0, LAYER1],
      },
    },
    distro: {
      id: 'debian',
      versionId: '12',
      versionCodename: 'bookworm',
      name: 'Debian GNU/Linux',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      idLike: [],
      foundIn: '/etc/os-release',
    },
    packages,
    relationships: [
      { from: 'npm-express-fedcba9876543210', to: 'npm-debug-fedcba9876543210', type: 'depends-on' },
      { from: 'deb-libssl3-0123456789abcdef', to: 'deb-libc6-0123456789abcdef', type: 'depends-on' },
      { from: 'npm-express-fedcba9876543210', to: 'npm-weird-pkg-fedcba9876543210', type: 'depends-on' },
      {
        from: 'deb-tzdata-0123456789abcdef',
        to: 'npm-_types_node-fedcba9876543210',
        type: 'ownership-by-file-overlap',
      },
    ],
    unknowns: [
      {
        path: '/app/node_modules/broken/package.json',
        layer: LAYER1,
        reason: 'invalid JSON at line 3',
        cataloger: 'npm-package',
      },
    ],
    catalogers: [
      { id: 'npm-lock', version: 1 },
      { id: 'dpkg-db', version: 2 },
    ],
  };
}

/** A folder scan: no layers, no distro, one package, no unknowns. */
export function sampleDirectorySbom(): Sbom {
  return {
    schema: SBOM_SCHEMA,
    tool: { name: 'bulwark', version: '0.1.0' },
    source: { kind: 'directory', target: './my-app', path: '/srv/my-app' },
    packages: [
      {
        id: 'npm-left-pad-1',
        name: 'left-pad',
        version: '1.3.0',
        type: 'npm',
        purl: 'pkg:npm/left-pad@1.3.0',
        licenses: ['WTFPL'],
        locations: [{ path: '/package-lock.json' }],
        foundBy: 'npm-lock',
        direct: true,
      },
    ],
    relationships: [],
    unknowns: [],
    catalogers: [{ id: 'npm-lock', version: 1 }],
  };
}
