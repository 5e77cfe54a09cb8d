import { describe, expect, it } from 'vitest';
import { redactSecretView, summarizeScan } from './summary.js';

const layer = (index: number, createdBy: string) => ({
  index,
  digest: `sha256:${String(index).repeat(64)}`,
  diffId: `sha256:${String(index + 1).repeat(64)}`,
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  size: 1000 * (index + 1),
  createdBy,
});
const pkg = (id: string, li: number) => ({
  id,
  name: id,
  version: '1.0.0',
  type: 'npm',
  purl: `pkg:npm/${id}@1.0.0`,
  layer: { index: li },
});

describe('scan summary', () => {
  const doc = {
    sbom: {
      schema: 'bulwark-sbom/v1',
      distro: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
      source: {
        kind: 'image',
        image: {
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          created: '2026-01-01T00:00:00Z',
          layers: [
            layer(0, 'debootstrap'),
            layer(1, 'ENV API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 && npm ci'),
          ],
        },
      },
      packages: [pkg('a', 0), pkg('b', 1), pkg('c', 1)],
    },
    findings: [
      {
        vulnerabilityId: 'CVE-1',
        severity: 'critical',
        fixable: true,
        fixedVersion: '2',
        package: pkg('b', 1),
      },
      { vulnerabilityId: 'CVE-2', severity: 'low', fixable: false, package: pkg('a', 0) },
      {
        vulnerabilityId: 'CVE-3',
        severity: 'high',
        fixedVersion: '2',
        package: pkg('c', 1),
        kev: { dateAdded: 'x' },
      },
      { vulnerabilityId: 'CVE-4', severity: 'high', package: pkg('c', 1), suppressed: { kind: 'ignore' } },
    ],
    secrets: [
      {
        ruleId: 'r',
        path: '/x',
        layer: { index: 1 },
        secret: { preview: 'abcdefgh…', length: 40, fingerprint: 'ff00' },
      },
    ],
    baseImage: { name: 'docker.io/library/debian:12', layers: 1, detectedBy: 'layers', confidence: 'high' },
  };

  it('counts per image and per layer, skips suppressed findings, grades', () => {
    const { row, details } = summarizeScan(doc);
    expect(row).toMatchObject({
      critical: 1,
      high: 1,
      low: 1,
      fixable: 2,
      kev: 1,
      secrets: 1,
      packages: 3,
      os: 'Debian GNU/Linux 12 (bookworm)',
      platform: 'linux/arm64/v8',
      base_image: 'docker.io/library/debian:12',
      size: 3000,
      grade: 'F',
    });
    expect(
      details.layers.map((l) => [
        l.index,
        l.packages,
        l.findings.total,
        l.findings.fixable,
        l.secrets,
        l.fromBaseImage,
      ]),
    ).toEqual([
      [0, 1, 1, 0, 0, true],
      [1, 2, 2, 2, 1, false],
    ]);
  });

  it('redacts history commands and cuts secret previews to what the CLI shows', () => {
    const { details } = summarizeScan(doc);
    expect(details.layers[1]!.createdBy).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    expect(details.secrets[0]!.secret).toEqual({ preview: 'abcd…', length: 40, fingerprint: 'ff00' });
    expect(
      redactSecretView({ ruleId: 'r', path: '/p', secret: { preview: 'abcdef…', length: 8 } })!.secret
        .preview,
    ).toBe('ab…');
    expect(redactSecretView({ path: '/p' })).toBeUndefined();
  });

  it('takes the base image from the SBOM when the report names none (SBOM uploads)', () => {
    const { baseImage: _, ...noReportBase } = doc;
    const { row, details } = summarizeScan({
      ...noReportBase,
      sbom: {
        ...doc.sbom,
        baseImage: {
          name: 'docker.io/library/node:20',
          layers: 2,
          detectedBy: 'annotation',
          confidence: 'high',
        },
      },
    });
    expect(row.base_image).toBe('docker.io/library/node:20');
    expect(details.layers.map((l) => l.fromBaseImage)).toEqual([true, true]);
  });

  it('tolerates documents without image metadata (folders, hand-made SBOMs)', () => {
    const { row, details } = summarizeScan({ sbom: { packages: [] }, findings: [] });
    expect(row).toMatchObject({ grade: 'A', packages: 0, os: null, platform: null, size: null });
    expect(details.layers).toEqual([]);
  });
});
