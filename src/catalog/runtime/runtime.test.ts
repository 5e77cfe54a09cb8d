import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { memoryView, testLayer } from '../test-support/memory-view.js';
import type { Cataloger } from '../types.js';
import { nodeRuntimeCataloger } from './node.js';
import { pythonRuntimeCataloger } from './python.js';
import { javaRuntimeCataloger } from './java.js';
import { goRuntimeCataloger } from './go.js';

const ctx = { source: { kind: 'directory' as const, target: '.', path: '.' } };

async function run(c: Cataloger, files: Record<string, string | Buffer>) {
  return c.catalog(memoryView(files, c.match), ctx);
}

/** A fake executable: ELF magic, noise, and the strings a real build embeds. */
function fakeBinary(...strings: string[]): Buffer {
  return Buffer.concat([
    Buffer.from('\x7fELF\x02\x01\x01', 'latin1'),
    Buffer.alloc(1000, 0x41),
    ...strings.map((s) => Buffer.from(`\0${s}\0`, 'latin1')),
    Buffer.alloc(100),
  ]);
}

describe('runtime-node', () => {
  it('finds the version in the binary and in node_version.h, merged into one package', async () => {
    const res = await run(nodeRuntimeCataloger, {
      '/usr/local/bin/node': fakeBinary(
        'https://nodejs.org/download/release/v20.11.1/node-v20.11.1-headers.tar.gz',
        'node.js/v20.11.1',
      ),
      '/usr/local/include/node/node_version.h':
        '#define NODE_MAJOR_VERSION 20\n#define NODE_MINOR_VERSION 11\n#define NODE_PATCH_VERSION 1\n',
      '/usr/lib/x86_64-linux-gnu/libnode.so.108': fakeBinary('node.js/v18.19.0'),
      '/usr/bin/node': fakeBinary('no version here'),
    });
    expect(res.unknowns).toEqual([]);
    expect(res.packages.map((p) => [p.purl, p.cpes, p.type, p.locations.map((l) => l.path)])).toEqual([
      [
        'pkg:generic/node@18.19.0',
        ['cpe:2.3:a:nodejs:node.js:18.19.0:*:*:*:*:*:*:*'],
        'binary',
        ['/usr/lib/x86_64-linux-gnu/libnode.so.108'],
      ],
      [
        'pkg:generic/node@20.11.1',
        ['cpe:2.3:a:nodejs:node.js:20.11.1:*:*:*:*:*:*:*'],
        'binary',
        ['/usr/local/bin/node', '/usr/local/include/node/node_version.h'],
      ],
    ]);
  });

  it('finds the version of the real node binary running this test', async () => {
    const res = await run(nodeRuntimeCataloger, { '/usr/bin/node': readFileSync(process.execPath) });
    expect(res.packages.map((p) => p.version)).toEqual([process.version.slice(1)]);
  });
});

describe('runtime-python', () => {
  it('reads the NUL-delimited version in binaries/libraries and PY_VERSION in patchlevel.h', async () => {
    const layer = testLayer(4);
    const view = memoryView(
      {
        '/usr/bin/python3.11': fakeBinary('3.11', 'pymalloc_debug', '3.11.2'),
        '/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0': fakeBinary('3.11.2'),
        '/usr/local/bin/python3.13': { content: fakeBinary('3.13.0rc2'), layer },
        '/usr/local/include/python3.13/patchlevel.h': {
          content: '#define PY_MAJOR_VERSION 3\n#define PY_VERSION              "3.13.0rc2"\n',
          layer,
        },
        '/usr/bin/python3.9': fakeBinary('no version'),
      },
      pythonRuntimeCataloger.match,
    );
    const res = await pythonRuntimeCataloger.catalog(view, ctx);
    expect(res.unknowns).toEqual([]);
    expect(res.packages.map((p) => [p.purl, p.locations.length, p.layer?.index])).toEqual([
      ['pkg:generic/python@3.11.2', 2, undefined],
      ['pkg:generic/python@3.13.0rc2', 2, 4],
    ]);
  });

  it.each([
    ['/usr/bin/python3.11', true],
    ['/usr/local/bin/python3.12', true],
    ['/usr/bin/python3', false],
    ['/usr/local/lib/libpython3.12.so.1.0', true],
    ['/usr/lib/x86_64-linux-gnu/libpython3.11.so.1', true],
    ['/usr/include/python3.11/patchlevel.h', true],
  ])('match(%s) = %s', (p, e) => expect(pythonRuntimeCataloger.match(p)).toBe(e));
});

describe('runtime-java', () => {
  it('reads JDK release files and ignores release files without JAVA_VERSION', async () => {
    const res = await run(javaRuntimeCataloger, {
      '/opt/java/openjdk/release':
        'IMPLEMENTOR="Eclipse Adoptium"\nIMPLEMENTOR_VERSION="Temurin-17.0.2+8"\nJAVA_VERSION="17.0.2"\nJAVA_RUNTIME_VERSION="17.0.2+8"\nIMAGE_TYPE="JRE"\n',
      '/usr/lib/jvm/java-8-openjdk-amd64/jre/release': 'JAVA_VERSION="1.8.0_392"\n',
      '/opt/javatool/release': 'NOT_JAVA=1\n',
      '/usr/lib/jvm/broken/release': 'JAVA_VERSION="17 0 2; rm -rf"\n',
    });
    expect(res.packages.map((p) => [p.purl, p.cpes![0], p.metadata])).toEqual([
      ['pkg:generic/openjdk@1.8.0_392', 'cpe:2.3:a:oracle:openjdk:1.8.0_392:*:*:*:*:*:*:*', {}],
      [
        'pkg:generic/openjdk@17.0.2',
        'cpe:2.3:a:oracle:openjdk:17.0.2:*:*:*:*:*:*:*',
        { implementor: 'Eclipse Adoptium', runtimeVersion: '17.0.2+8', imageType: 'JRE' },
      ],
    ]);
    expect(res.unknowns!.map((u) => u.path)).toEqual(['/usr/lib/jvm/broken/release']);
  });

  it.each([
    ['/usr/lib/jvm/java-17-openjdk-amd64/release', true],
    ['/opt/java/openjdk/release', true],
    ['/usr/local/openjdk-11/release', true],
    ['/etc/release', false],
    ['/usr/lib/jvm/x/lib/release', false],
  ])('match(%s) = %s', (p, e) => expect(javaRuntimeCataloger.match(p)).toBe(e));
});

describe('runtime-go', () => {
  it('reads GOROOT/VERSION of the official and Debian layouts', async () => {
    const res = await run(goRuntimeCataloger, {
      '/usr/local/go/VERSION': 'go1.22.3\ntime 2024-05-01T19:48:03Z\n',
      '/usr/lib/go-1.19/VERSION': 'go1.19.8',
      '/usr/lib/go-1.21/VERSION': 'garbage',
    });
    expect(res.packages.map((p) => [p.purl, p.cpes![0]])).toEqual([
      ['pkg:generic/go@1.19.8', 'cpe:2.3:a:golang:go:1.19.8:*:*:*:*:*:*:*'],
      ['pkg:generic/go@1.22.3', 'cpe:2.3:a:golang:go:1.22.3:*:*:*:*:*:*:*'],
    ]);
    expect(res.unknowns!.map((u) => [u.path, u.reason])).toEqual([
      ['/usr/lib/go-1.21/VERSION', 'unexpected Go VERSION line "garbage"'],
    ]);
  });
});
