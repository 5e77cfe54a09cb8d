import { describe, expect, it } from 'vitest';
import type { Sbom } from '../../model/sbom.js';
import { formatTable, printable } from './table.js';
import { LAYER0, SECRET_VALUES, sampleDirectorySbom, sampleImageSbom } from './test-support/sample-sbom.js';

const ESC = /\u001b\[/;

describe('formatTable', () => {
  const text = formatTable(sampleImageSbom());
  const lines = text.split('\n');

  it('starts with a header naming the target, digest, OS and package count', () => {
    expect(lines[0]).toBe(
      `Target: example.org/team/debian12-node:latest (sha256:${'e'.repeat(64)})   OS: Debian GNU/Linux 12 (bookworm)   Packages: 7`,
    );
  });

  it('lists packages sorted by name with columns aligned to their content', () => {
    const table = lines.slice(2, 10);
    expect(table).toEqual([
      'NAME         VERSION           TYPE  SOURCE   OWNER   LAYER',
      '@types/node  20.11.5           npm            tzdata  1',
      'debug        2.6.9             npm                    1',
      'express      4.19.2            npm                    1',
      'libc6        2.36-9+deb12u7    deb   glibc            0',
      'libssl3      3.0.13-1~deb12u1  deb   openssl          1',
      'tzdata       2024a-0+deb12u1   deb                    0',
      'weird-pkg    0.0.1-beta.1      npm                    1',
    ]);
    // Every column starts at the same offset on every row.
    const col = lines[2]!.indexOf('VERSION');
    for (const row of table.slice(1)) expect(row[col - 1]).toBe(' ');
  });

  it('lists the files that could not be cataloged after the table', () => {
    expect(lines.slice(11)).toEqual([
      '1 file could not be cataloged:',
      '  /app/node_modules/broken/package.json (layer 1): invalid JSON at line 3 [npm-package]',
      '',
    ]);
    const two: Sbom = {
      ...sampleImageSbom(),
      unknowns: [
        { path: '/b', reason: 'too large' },
        { path: '/a', reason: 'truncated', layer: LAYER0 },
      ],
    };
    expect(formatTable(two)).toContain(
      '2 files could not be cataloged:\n  /a (layer 0): truncated\n  /b: too large\n',
    );
  });

  it('shows OWNER only when an OS package owns a language package, never for OS-to-OS or language links', () => {
    const base = sampleImageSbom();
    const noOwner = formatTable({ ...base, relationships: [] });
    expect(noOwner).not.toContain('OWNER');
    const express = base.packages.find((p) => p.name === 'express')!;
    const debug = base.packages.find((p) => p.name === 'debug')!;
    const libc = base.packages.find((p) => p.name === 'libc6')!;
    const tz = base.packages.find((p) => p.name === 'tzdata')!;
    const languageOnly = formatTable({
      ...base,
      relationships: [
        { from: express.id, to: debug.id, type: 'ownership-by-file-overlap' },
        { from: tz.id, to: libc.id, type: 'ownership-by-file-overlap' },
      ],
    });
    expect(languageOnly).not.toContain('OWNER');
  });

  it('drops SOURCE when every source is the package itself and LAYER for folders', () => {
    const out = formatTable(sampleDirectorySbom());
    expect(out).toBe(
      'Target: ./my-app   OS: unknown   Packages: 1\n\nNAME      VERSION  TYPE\nleft-pad  1.3.0    npm\n',
    );
  });

  it('shows the source version when it differs from the package version', () => {
    const sbom = sampleImageSbom();
    const out = formatTable({
      ...sbom,
      packages: sbom.packages.map((p) =>
        p.name === 'libssl3' ? { ...p, sourceVersion: '3.0.13-1~deb12u0' } : p,
      ),
    });
    expect(out).toMatch(/^libssl3 +3\.0\.13-1~deb12u1 +deb +openssl \(3\.0\.13-1~deb12u0\) +1$/m);
  });

  it('leaves out an unknown manifest digest', () => {
    const sbom = sampleImageSbom();
    if (sbom.source.kind !== 'image') throw new Error('image expected');
    const out = formatTable({
      ...sbom,
      source: { ...sbom.source, image: { ...sbom.source.image, manifestDigest: '' } },
    });
    expect(out.split('\n')[0]).toBe(
      'Target: example.org/team/debian12-node:latest   OS: Debian GNU/Linux 12 (bookworm)   Packages: 7',
    );
  });

  it('says so when there are no packages', () => {
    const out = formatTable({ ...sampleDirectorySbom(), packages: [] });
    expect(out).toBe('Target: ./my-app   OS: unknown   Packages: 0\n\nNo packages found.\n');
  });

  it('has no colour unless asked, and the same layout with colour once codes are stripped', () => {
    expect(text).not.toMatch(ESC);
    const colored = formatTable(sampleImageSbom(), { color: true });
    expect(colored).toMatch(ESC);
    expect(colored.replace(/\u001b\[[0-9;]*m/g, '')).toBe(text);
  });

  it('neutralises control characters in hostile package data', () => {
    const sbom = sampleDirectorySbom();
    const out = formatTable({
      ...sbom,
      packages: [{ ...sbom.packages[0]!, name: 'evil\u001b[2J\nname', version: '1\r2' }],
    });
    expect(out).not.toMatch(ESC);
    expect(out).toContain('evil\\x1b[2J\\x0aname  1\\x0d2');
    expect(printable('tab\there\u009b')).toBe('tab\\x09here\\x9b');
  });

  it('is deterministic and shows no env values', () => {
    expect(formatTable(sampleImageSbom())).toBe(text);
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
  });
});
