import { describe, expect, it } from 'vitest';
import { parseStatus } from '../dpkg/status.js';
import { memoryView, testLayer } from '../test-support/memory-view.js';
import type { CatalogFile } from '../types.js';
import { MAX_PROBLEMS, attributeTextDatabase, osPackage, presentFields, problemUnknowns } from './common.js';

const paragraph = (name: string, version: string): string =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n`;
const broken = (name: string): string => `Package: ${name}\nStatus: install ok installed\n`;

function statusFile(spec: Parameters<typeof memoryView>[0][string]): CatalogFile {
  return memoryView({ '/var/lib/dpkg/status': spec }).files()[0]!;
}

describe('problemUnknowns', () => {
  it.each([0, 1, MAX_PROBLEMS])('reports %i problems one by one', (n) => {
    const file = statusFile({ content: '', layer: testLayer(2) });
    const problems = Array.from({ length: n }, (_, i) => `problem ${i}`);
    const out = problemUnknowns('dpkg-db', file, problems, 'malformed paragraphs');
    expect(out.map((u) => u.reason)).toEqual(problems);
    for (const u of out)
      expect(u).toMatchObject({ path: '/var/lib/dpkg/status', layer: testLayer(2), cataloger: 'dpkg-db' });
  });

  it('summarises the problems beyond the cap in one line', () => {
    const file = statusFile('');
    const problems = Array.from({ length: MAX_PROBLEMS + 3 }, (_, i) => `problem ${i}`);
    const out = problemUnknowns('rpm-db', file, problems, 'unreadable entries');
    expect(out).toHaveLength(MAX_PROBLEMS + 1);
    expect(out[MAX_PROBLEMS - 1]!.reason).toBe(`problem ${MAX_PROBLEMS - 1}`);
    expect(out[MAX_PROBLEMS]).toEqual({
      path: '/var/lib/dpkg/status',
      reason: '3 more unreadable entries',
      cataloger: 'rpm-db',
    });
  });
});

describe('attributeTextDatabase', () => {
  it('credits each entry to the layer that installed it and reports only the final problems', async () => {
    const file = statusFile({
      layer: testLayer(3),
      history: [
        { layer: testLayer(1), content: Buffer.from([paragraph('a', '1'), broken('old')].join('\n')) },
        { layer: testLayer(2), content: Buffer.from([paragraph('a', '1'), paragraph('b', '1')].join('\n')) },
      ],
      content: [paragraph('a', '1'), paragraph('b', '2'), broken('new')].join('\n'),
    });
    const { attributed, unknowns } = await attributeTextDatabase(
      'dpkg-db',
      file,
      parseStatus,
      'malformed paragraphs',
    );
    // `b` was upgraded in the final layer, so the chain restarts there.
    expect(attributed.map(({ item, since }) => [item.name, item.version, since.layer?.index])).toEqual([
      ['a', '1', 1],
      ['b', '2', 3],
    ]);
    // The older version's broken paragraph (at line 6) is not reported again.
    expect(unknowns.map((u) => u.reason)).toEqual(['paragraph at line 11: missing Version field']);
  });

  it('turns an unreadable file into one unknown', async () => {
    const file: CatalogFile = {
      ...statusFile({ content: '', layer: testLayer(1) }),
      history: () => Promise.reject(new Error('layer blob vanished')),
    };
    const { attributed, unknowns } = await attributeTextDatabase(
      'apk-db',
      file,
      parseStatus,
      'malformed packages',
    );
    expect(attributed).toEqual([]);
    expect(unknowns).toEqual([
      {
        path: '/var/lib/dpkg/status',
        layer: testLayer(1),
        reason: 'cannot read: layer blob vanished',
        cataloger: 'apk-db',
      },
    ]);
  });
});

describe('osPackage', () => {
  it('places the package at its location and layer, with arch only when known', () => {
    const fields = {
      name: 'zlib',
      version: '1.3-r0',
      type: 'apk' as const,
      purl: 'pkg:apk/alpine/zlib@1.3-r0',
      licenses: ['Zlib'],
      sourceName: 'zlib',
      sourceVersion: '1.3-r0',
      files: ['/lib/libz.so.1'],
      metadata: {},
    };
    const inLayer = osPackage('apk-db', { path: '/lib/apk/db/installed', layer: testLayer(4) }, fields);
    expect(inLayer).toEqual({
      id: '',
      ...fields,
      locations: [{ path: '/lib/apk/db/installed', layer: testLayer(4) }],
      layer: testLayer(4),
      foundBy: 'apk-db',
    });
    expect('arch' in inLayer).toBe(false);
    const folder = osPackage('apk-db', { path: '/lib/apk/db/installed' }, { ...fields, arch: 'x86_64' });
    expect(folder.arch).toBe('x86_64');
    expect('layer' in folder).toBe(false);
  });
});

describe('presentFields', () => {
  it('drops undefined fields and empty lists, keeping every other value in order', () => {
    const out = presentFields({ a: undefined, b: [], c: '', d: 0, e: ['x'], f: false, g: null });
    expect(out).toEqual({ c: '', d: 0, e: ['x'], f: false, g: null });
    expect(Object.keys(out)).toEqual(['c', 'd', 'e', 'f', 'g']);
  });
});
