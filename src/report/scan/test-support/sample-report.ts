/**
 * A realistic scan report for the renderer tests: a three-layer Debian 12 image with deb and npm
 * packages; findings with aliases, KEV, EPSS, fixed / not fixed / won't fix states; one finding
 * suppressed by an ignore rule and one by a VEX statement; an expired ignore entry; and a hostile
 * package whose name and advisory text carry HTML and `</script>`. Env values and `ENV` history hold
 * marker secrets that no output may contain.
 */
import type { Package } from '../../../model/package.js';
import type { Finding } from '../../../match/types.js';
import type { ScanReport } from '../../types.js';
import { SBOM_SCHEMA, type Sbom } from '../../../model/sbom.js';
import type { LayerRef } from '../../../source/types.js';

/** Values planted in the image env and history: none may appear in any rendered report. */
export const SECRET_VALUES = ['s3cr3t-npm-token-4b1d', 'hunter2-in-history-77aa', 'legacy-env-pass-0c0c'];

/** The hostile package name: must come out escaped (HTML) or inert (other formats). */
export const HOSTILE_NAME = '<script>alert(1)</script>';
export const HOSTILE_SUMMARY = 'Bad </script><script>alert(2)</script> & <img src=x onerror=alert(3)>';

const hex = (c: string): string => `sha256:${c.repeat(64)}`;

export const LAYERS: readonly LayerRef[] = [
  {
    index: 0,
    digest: hex('1'),
    diffId: hex('2'),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    size: 29_125_000,
    createdBy: '/bin/sh -c #(nop) ADD file:9b2e0d3c4f in / ',
    created: '2024-06-10T00:00:00Z',
  },
  {
    index: 1,
    digest: hex('3'),
    diffId: hex('4'),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    size: 48_300_000,
    createdBy:
      'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/* # buildkit',
    created: '2024-06-11T00:00:00Z',
  },
  {
    index: 2,
    digest: hex('5'),
    diffId: hex('6'),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    size: 1_250_000,
    createdBy: 'RUN /bin/sh -c npm ci --omit=dev # buildkit',
    created: '2024-06-11T00:05:00Z',
  },
];

const L = (i: number): LayerRef => LAYERS[i]!;

function deb(name: string, version: string, layer: number, source?: string): Package {
  return {
    id: `pkg-deb-${name}`,
    name,
    version,
    type: 'deb',
    purl: `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=amd64&distro=debian-12`,
    licenses: [],
    ...(source ? { sourceName: source, sourceVersion: version } : {}),
    arch: 'amd64',
    locations: [{ path: '/var/lib/dpkg/status', layer: L(layer) }],
    layer: L(layer),
    foundBy: 'dpkg-db',
  };
}

function npm(name: string, version: string): Package {
  return {
    id: `pkg-npm-${name.replace(/[^a-z0-9]/gi, '_')}`,
    name,
    version,
    type: 'npm',
    purl: `pkg:npm/${encodeURIComponent(name)}@${version}`,
    licenses: ['MIT'],
    locations: [{ path: `/app/node_modules/${name}/package.json`, layer: L(2) }],
    layer: L(2),
    foundBy: 'npm-package',
  };
}

export const PKG = {
  libssl3: deb('libssl3', '3.0.11-1~deb12u2', 1, 'openssl'),
  libc6: deb('libc6', '2.36-9+deb12u4', 0, 'glibc'),
  zlib1g: deb('zlib1g', '1:1.2.13.dfsg-1', 0, 'zlib'),
  tar: deb('tar', '1.34+dfsg-1.2+deb12u1', 0),
  utilLinux: deb('util-linux', '2.38.1-5+b1', 0),
  lodash: npm('lodash', '4.17.15'),
  minimist: npm('minimist', '1.2.0'),
  express: npm('express', '4.19.2'),
  hostile: npm(HOSTILE_NAME, '1.0.0'),
};

type FindingInput = Omit<Finding, 'id' | 'fixedVersions' | 'references' | 'matches' | 'risk'> &
  Partial<Pick<Finding, 'fixedVersions' | 'references' | 'matches' | 'risk'>>;

function finding(f: FindingInput): Finding {
  const p = f.package;
  return {
    id: `f-${f.vulnerabilityId}-${p.id}`.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
    fixedVersions: f.fixedVersion ? [f.fixedVersion] : [],
    references: [],
    matches: [
      {
        matcher: p.type === 'deb' ? 'dpkg-source' : 'npm',
        recordId: f.aliases.find((a) => !a.startsWith('CVE-')) ?? f.vulnerabilityId,
        searchedBy: {
          ecosystem: p.type === 'deb' ? 'Debian:12' : 'npm',
          name: p.sourceName ?? p.name,
          version: p.version,
        },
        reason: f.fixedVersion
          ? `introduced 0, fixed ${f.fixedVersion}: ${p.version} is in [0, ${f.fixedVersion})`
          : `introduced 0, no fix: ${p.version} is in [0, ∞)`,
      },
    ],
    risk: 0,
    ...f,
  };
}

function findings(): Finding[] {
  const list: Finding[] = [
    finding({
      vulnerabilityId: 'CVE-2021-23337',
      aliases: ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm'],
      package: PKG.lodash,
      severity: 'high',
      severitySource: 'ghsa',
      cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', score: 7.2 },
      fixState: 'fixed',
      fixedVersion: '4.17.21',
      epss: { score: 0.9123, percentile: 0.998, date: '2024-06-30' },
      kev: { dateAdded: '2024-02-01', ransomware: false, dueDate: '2024-02-22' },
      published: '2021-02-15T13:15:00Z',
      modified: '2024-03-01T00:00:00Z',
      summary: 'Command Injection in lodash',
      references: [
        'https://github.com/lodash/lodash/commit/3469357cff396a26c363f8c1b5a91dde28ba4b1c',
        'https://nvd.nist.gov/vuln/detail/CVE-2021-23337',
      ],
      risk: 194.36,
    }),
    finding({
      vulnerabilityId: 'CVE-2024-5535',
      aliases: ['CVE-2024-5535', 'DEBIAN-CVE-2024-5535', 'DSA-5720-1'],
      package: PKG.libssl3,
      severity: 'critical',
      severitySource: 'cvss',
      cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H', score: 9.1 },
      fixState: 'fixed',
      fixedVersion: '3.0.14-1~deb12u1',
      fixedVersions: ['3.0.13-1~deb12u1', '3.0.14-1~deb12u1'],
      epss: { score: 0.0042, percentile: 0.71, date: '2024-06-30' },
      published: '2024-06-27T11:15:00Z',
      summary: 'SSL_select_next_proto buffer overread',
      references: ['https://security-tracker.debian.org/tracker/CVE-2024-5535'],
      risk: 46.61,
    }),
    finding({
      vulnerabilityId: 'CVE-2020-8203',
      aliases: ['CVE-2020-8203', 'GHSA-p6mc-m468-83gw'],
      package: PKG.lodash,
      severity: 'high',
      severitySource: 'ghsa',
      cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', score: 7.4 },
      fixState: 'fixed',
      fixedVersion: '4.17.19',
      epss: { score: 0.0231, percentile: 0.88, date: '2024-06-30' },
      published: '2020-07-15T17:15:00Z',
      summary: 'Prototype Pollution in lodash',
      references: ['https://github.com/advisories/GHSA-p6mc-m468-83gw'],
      risk: 40.76,
    }),
    finding({
      vulnerabilityId: 'CVE-2024-2961',
      aliases: ['CVE-2024-2961', 'DEBIAN-CVE-2024-2961', 'DSA-5673-1'],
      package: PKG.libc6,
      severity: 'high',
      severitySource: 'cvss',
      cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 8.1 },
      fixState: 'fixed',
      fixedVersion: '2.36-9+deb12u7',
      published: '2024-04-17T18:15:00Z',
      summary: 'iconv ISO-2022-CN-EXT out-of-bounds write',
      references: ['https://security-tracker.debian.org/tracker/CVE-2024-2961'],
      risk: 42.4,
    }),
    finding({
      vulnerabilityId: 'CVE-2023-45853',
      aliases: ['CVE-2023-45853', 'DEBIAN-CVE-2023-45853'],
      package: PKG.zlib1g,
      severity: 'critical',
      severitySource: 'cvss',
      cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
      fixState: 'wont-fix',
      published: '2023-10-14T02:15:00Z',
      summary: 'MiniZip integer overflow in zipOpenNewFileInZip4_64',
      risk: 39.2,
    }),
    finding({
      vulnerabilityId: 'GHSA-9xx9-hostile',
      aliases: ['GHSA-9xx9-hostile'],
      package: PKG.hostile,
      severity: 'medium',
      severitySource: 'ghsa',
      fixState: 'fixed',
      fixedVersion: '1.0.1"><b>x</b>',
      summary: HOSTILE_SUMMARY,
      references: ['javascript:alert(4)', 'https://example.org/advisory?a=1&b=<2>'],
      risk: 32,
    }),
    finding({
      vulnerabilityId: 'CVE-2022-0563',
      aliases: ['CVE-2022-0563', 'DEBIAN-CVE-2022-0563'],
      package: PKG.utilLinux,
      severity: 'negligible',
      severitySource: 'distro',
      fixState: 'not-fixed',
      summary: 'chfn and chsh: readline INPUTRC information disclosure',
      risk: 2,
    }),
    // Suppressed by a VEX statement (not_affected, with a justification).
    finding({
      vulnerabilityId: 'CVE-2021-44906',
      aliases: ['CVE-2021-44906', 'GHSA-xvch-5gv4-984h'],
      package: PKG.minimist,
      severity: 'critical',
      severitySource: 'ghsa',
      cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
      fixState: 'fixed',
      fixedVersion: '1.2.6',
      epss: { score: 0.0102, percentile: 0.83, date: '2024-06-30' },
      summary: 'Prototype Pollution in minimist',
      risk: 49.7,
      suppressed: {
        kind: 'vex',
        source: 'vex/app.openvex.json#0',
        reason: 'minimist is only used by the build scripts, never at runtime',
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      },
    }),
    // Suppressed by an ignore rule in .bulwark.yaml (with an expiry in the future).
    finding({
      vulnerabilityId: 'CVE-2005-2541',
      aliases: ['CVE-2005-2541', 'DEBIAN-CVE-2005-2541'],
      package: PKG.tar,
      severity: 'low',
      severitySource: 'distro',
      fixState: 'not-fixed',
      summary: 'tar does not warn about setuid files when extracting as root',
      risk: 10,
      suppressed: {
        kind: 'config',
        source: '.bulwark.yaml#ignore[0]',
        reason: 'tar is never run on untrusted archives in this image',
        status: 'ignored',
        expires: '2099-12-31',
      },
    }),
  ];
  return list.sort(
    (a, b) =>
      b.risk - a.risk ||
      (a.vulnerabilityId < b.vulnerabilityId ? -1 : a.vulnerabilityId > b.vulnerabilityId ? 1 : 0),
  );
}

/** The scanned image: three layers, env values and `ENV` history entries that must never leak. */
export function sampleSbom(): Sbom {
  return {
    schema: SBOM_SCHEMA,
    tool: { name: 'bulwark', version: '0.1.0' },
    source: {
      kind: 'image',
      target: 'debian12-node.oci.tar',
      image: {
        format: 'oci-archive',
        repoTags: ['registry.example.org/shop/web:1.4.2'],
        repoDigests: [`registry.example.org/shop/web@${hex('e')}`],
        manifestDigest: hex('e'),
        manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
        configDigest: hex('f'),
        platform: { os: 'linux', architecture: 'amd64' },
        created: '2024-06-11T00:05:00Z',
        config: {
          user: 'node',
          env: [
            'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
            `NPM_TOKEN=${SECRET_VALUES[0]}`,
          ],
          cmd: ['node', 'server.js'],
          workingDir: '/app',
          labels: { 'org.opencontainers.image.source': 'https://example.org/shop/web' },
          exposedPorts: ['8080/tcp'],
          volumes: [],
        },
        history: [
          { createdBy: L(0).createdBy, created: L(0).created, emptyLayer: false },
          { createdBy: `ENV APP_SECRET="${SECRET_VALUES[1]}"`, emptyLayer: true },
          { createdBy: `/bin/sh -c #(nop)  ENV DB_PASSWORD ${SECRET_VALUES[2]}`, emptyLayer: true },
          { createdBy: L(1).createdBy, created: L(1).created, emptyLayer: false },
          { createdBy: L(2).createdBy, created: L(2).created, emptyLayer: false },
        ],
        layers: [...LAYERS],
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
    packages: Object.values(PKG),
    relationships: [],
    unknowns: [],
    catalogers: [
      { id: 'dpkg-db', version: 2 },
      { id: 'npm-package', version: 1 },
    ],
  };
}

/** The full report: every case the renderers must handle. */
export function sampleReport(): ScanReport {
  return {
    schema: 'bulwark-scan/v1',
    tool: { name: 'bulwark', version: '0.1.0' },
    sbom: sampleSbom(),
    findings: findings(),
    database: { path: 'db/bulwark.sqlite', builtAt: '2024-07-01T00:00:00Z', schemaVersion: 1 },
    expiredSuppressions: [
      {
        source: '.bulwark.yaml#ignore[1]',
        id: 'CVE-2019-1010022',
        expires: '2024-01-01',
        reason: 'disputed by the glibc maintainers',
      },
    ],
    filters: { severity: 'negligible', onlyFixed: false },
  };
}

/** A folder scan (lock file at the root) with a single finding, and no layers or distro. */
export function sampleFolderReport(): ScanReport {
  const pkg: Package = {
    id: 'pkg-npm-left-pad',
    name: 'minimist',
    version: '1.2.5',
    type: 'npm',
    purl: 'pkg:npm/minimist@1.2.5',
    licenses: ['MIT'],
    locations: [{ path: '/services/api/package-lock.json' }],
    foundBy: 'npm-lock',
    direct: true,
  };
  return {
    schema: 'bulwark-scan/v1',
    tool: { name: 'bulwark', version: '0.1.0' },
    sbom: {
      schema: SBOM_SCHEMA,
      tool: { name: 'bulwark', version: '0.1.0' },
      source: { kind: 'directory', target: './my-app', path: '/srv/my-app' },
      packages: [pkg],
      relationships: [],
      unknowns: [],
      catalogers: [{ id: 'npm-lock', version: 1 }],
    },
    findings: [
      finding({
        vulnerabilityId: 'CVE-2021-44906',
        aliases: ['CVE-2021-44906', 'GHSA-xvch-5gv4-984h'],
        package: pkg,
        severity: 'critical',
        severitySource: 'ghsa',
        cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
        fixState: 'fixed',
        fixedVersion: '1.2.6',
        summary: 'Prototype Pollution in minimist',
        risk: 49.2,
      }),
    ],
    expiredSuppressions: [],
    filters: {},
  };
}

/** A clean scan: packages, no findings. */
export function emptyReport(): ScanReport {
  return { ...sampleReport(), findings: [], expiredSuppressions: [] };
}
