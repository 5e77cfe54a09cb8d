import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage, dockerArchive, tempDir, writeOciLayout } from '../../source/test-support/build.js';
import { runCli } from '../test-support/capture.js';
import { haveImages, imagePath } from '../../test-support/images.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = (): string => {
  const d = tempDir();
  dirs.push(d);
  return d;
};

const status = `Package: libfoo1
Status: install ok installed
Architecture: amd64
Version: 1:2.3-4+deb12u1
Source: foo (2.3-4)
Maintainer: Foo <foo@example.org>
Description: foo library

Package: broken
Status: install ok installed
`;

function image() {
  return buildImage({
    env: ['PATH=/usr/bin', 'API_TOKEN=supersecretvalue123'],
    layers: [
      {
        createdBy: 'ADD rootfs /',
        entries: [
          {
            name: 'etc/os-release',
            content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
          },
          { name: 'var/lib/dpkg/status', content: status },
        ],
      },
      {
        createdBy: 'COPY app /app',
        entries: [
          {
            name: 'app/node_modules/left-pad/package.json',
            content: JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }),
          },
        ],
      },
    ],
  });
}

describe('bulwark sbom', () => {
  it('prints a table with packages, their layers and the unknowns', async () => {
    const dir = writeOciLayout(tmp(), [{ image: image(), tag: 'demo' }]);
    const r = await runCli(['sbom', `oci-dir://${dir}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/libfoo1\s+1:2\.3-4\+deb12u1\s+deb\s+foo \(2\.3-4\)\s+0/);
    expect(r.stdout).toMatch(/left-pad\s+1\.3\.0\s+npm\s+1/);
    expect(r.stdout).toMatch(/could not be cataloged/);
    expect(r.stdout).toContain('/var/lib/dpkg/status');
  });

  it('writes every format to a file, never leaking env values, and JSON is identical across archive kinds', async () => {
    const img = image();
    const d = tmp();
    writeFileSync(join(d, 'img.tar'), dockerArchive([{ image: img, tags: ['demo:1'] }]));
    writeFileSync(join(d, 'img.tar.gz'), gzipSync(dockerArchive([{ image: img, tags: ['demo:1'] }])));
    for (const format of ['json', 'cyclonedx-json', 'spdx-json', 'table']) {
      const out = join(d, `out.${format}`);
      const r = await runCli(['sbom', join(d, 'img.tar'), '-f', format, '-o', out], {
        env: { SOURCE_DATE_EPOCH: '1700000000', NO_COLOR: '1' },
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      const text = readFileSync(out, 'utf8');
      expect(text).not.toContain('supersecretvalue123');
      if (format !== 'table') JSON.parse(text);
    }
    const a = await runCli(['sbom', join(d, 'img.tar'), '-f', 'json']);
    const b = await runCli(['sbom', `archive://${join(d, 'img.tar.gz')}`, '-f', 'json']);
    const packages = (s: string) => (JSON.parse(s) as { packages: unknown[] }).packages;
    expect(packages(b.stdout)).toEqual(packages(a.stdout));
    expect((JSON.parse(a.stdout) as { packages: { name: string }[] }).packages.map((p) => p.name)).toEqual([
      'libfoo1',
      'left-pad',
    ]);
  });

  it('reads an image through the layer and image caches (unless --no-cache), with the same SBOM', async () => {
    const d = tmp();
    writeFileSync(join(d, 'img.tar'), dockerArchive([{ image: image(), tags: ['demo:1'] }]));
    const env = (cache: string) => ({ ...process.env, NO_COLOR: '1', BULWARK_CACHE_DIR: join(d, cache) });
    const cold = await runCli(['sbom', join(d, 'img.tar'), '-f', 'json'], { env: env('cache') });
    expect(cold.code).toBe(0);
    const files = readdirSync(join(d, 'cache', 'layers'));
    expect(files.filter((f) => f.endsWith('.bws'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.bwl'))).toHaveLength(2);
    const warm = await runCli(['sbom', join(d, 'img.tar'), '-f', 'json'], { env: env('cache') });
    expect(warm.code).toBe(0);
    expect(warm.stdout).toBe(cold.stdout);
    expect(JSON.parse(cold.stdout).packages).toHaveLength(2);
    const off = await runCli(['sbom', join(d, 'img.tar'), '-f', 'json', '--no-cache'], { env: env('none') });
    expect(off.stdout).toBe(cold.stdout);
    expect(() => readdirSync(join(d, 'none'))).toThrow();
  });

  it.each([
    [['sbom', '/no/such/image.tar'], 3, /^bulwark: .*no such file or directory/],
    [['sbom', 'ftp://host/x'], 2, /unknown target type "ftp:\/\/"/],
    [['sbom', 'x', '--format', 'xml'], 2, /invalid/i],
    [['sbom', 'x', '--platform', 'linux'], 2, /invalid platform "linux"/],
    [['sbom', 'x', '--max-file-size', 'lots'], 2, /--max-file-size: invalid size/],
    // Beyond what one Buffer of file content can hold: refused up front, not a crash mid-scan.
    [
      ['sbom', 'x', '--max-file-size', '3GiB'],
      2,
      /--max-file-size: "3GiB" \(3221225472 bytes\) is above the largest file that can be held in memory \(2147483648 bytes = 2GiB\)/,
    ],
    [['sbom', 'x', '--max-file-size', '9999999GB'], 2, /above the largest file/],
    [['sbom', 'x', '--max-file-size', '0'], 2, /--max-file-size: must be at least 1 byte/],
    [['scan', 'x', '--max-file-size', '4GiB'], 2, /--max-file-size: .*above the largest file/],
    [['secrets', '.', '--max-file-size', '4GiB'], 2, /--max-file-size: .*above the largest file/],
    // The limit itself is accepted (the missing target is what fails).
    [['sbom', '/no/such/image.tar', '--max-file-size', '2GiB'], 3, /no such file or directory/],
  ])('%j exits %i with one line', async (argv, code, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('reports a corrupt archive in one line naming the file, with exit code 3', async () => {
    const d = tmp();
    const archive = dockerArchive([{ image: image(), tags: ['demo:1'] }]);
    writeFileSync(join(d, 'cut.tar'), archive.subarray(0, Math.floor(archive.length * 0.4)));
    const r = await runCli(['sbom', join(d, 'cut.tar')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^bulwark: .*cut\.tar/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('shows help, version and the target list', async () => {
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = await runCli(['sbom', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('archive://FILE[:NAME:TAG]');
    const top = await runCli(['--help']);
    expect(top.stdout).toContain('Exit codes:');
  });
});

describe.skipIf(!haveImages())('bulwark sbom on a real image', () => {
  it('lists the debian12-node packages in CycloneDX', async () => {
    const r = await runCli(['sbom', imagePath('debian12-node', 'docker.tar'), '-f', 'cyclonedx-json']);
    expect(r.code).toBe(0);
    const bom = JSON.parse(r.stdout) as { components: { name: string; purl?: string }[] };
    expect(bom.components.find((c) => c.name === 'curl')?.purl).toMatch(/^pkg:deb\/debian\/curl@/);
    expect(bom.components.find((c) => c.name === 'lodash')?.purl).toBe('pkg:npm/lodash@4.17.15');
  });

  it('prints byte-identical packages for the docker-archive and the OCI layout', async () => {
    const a = await runCli(['sbom', imagePath('debian12-node', 'docker.tar'), '-f', 'json']);
    const b = await runCli(['sbom', `oci-dir://${imagePath('debian12-node', 'oci')}`, '-f', 'json']);
    const part = (s: string) =>
      JSON.stringify((JSON.parse(s) as { packages: unknown; relationships: unknown }).packages);
    expect(a.code).toBe(0);
    expect(part(b.stdout)).toBe(part(a.stdout));
  });
});
