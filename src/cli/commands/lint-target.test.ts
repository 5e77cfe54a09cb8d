/** How `bulwark lint` tells a Dockerfile from an image: by prefix or by content, never by file name. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../util/errors.js';
import { classifyLintTarget } from './lint.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-lint-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A minimal tar header block: a name and the `ustar` magic at offset 257. */
function tarBlock(): Buffer {
  const b = Buffer.alloc(1024);
  b.write('manifest.json', 0, 'latin1');
  b.write('ustar\u000000', 257, 'latin1');
  return b;
}

writeFileSync(join(dir, 'image.tar'), 'FROM debian:12\n'); // text with an archive's name
writeFileSync(join(dir, 'real.bin'), tarBlock());
writeFileSync(join(dir, 'Dockerfile.gz'), gzipSync('anything'));
writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
mkdirSync(join(dir, 'layout'));
writeFileSync(join(dir, 'layout', 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
writeFileSync(join(dir, 'layout', 'index.json'), '{}');
mkdirSync(join(dir, 'service'));

describe('classifyLintTarget', () => {
  it.each([
    ['-', 'dockerfile'],
    ['Dockerfile', 'dockerfile'],
    ['image.tar', 'dockerfile'],
    ['real.bin', 'image'],
    ['real.bin:app:1.0', 'image'],
    ['Dockerfile.gz', 'image'],
    ['layout', 'image'],
    ['service', 'folder'],
    ['missing.Dockerfile', 'dockerfile'],
    ['archive://whatever.tar', 'image'],
    ['oci-dir://layout', 'image'],
    ['registry://ghcr.io/acme/app:1', 'image'],
    ['docker://app:latest', 'image'],
    ['fs://service', 'folder'],
  ])('%s → %s', (arg, kind) => {
    expect(classifyLintTarget(arg, dir).kind).toBe(kind);
  });

  it('refuses an SBOM and an unknown scheme', () => {
    expect(() => classifyLintTarget('sbom://bom.json', dir)).toThrow(UsageError);
    expect(() => classifyLintTarget('ftp://x', dir)).toThrow(UsageError);
  });
});
