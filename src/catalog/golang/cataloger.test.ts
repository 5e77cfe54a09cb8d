import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryView, testLayer } from '../test-support/memory-view.js';
import { buildElf, buildMachO, buildPe, goBuildInfoBlob } from '../binary/test-support/build-exec.js';
import { parseExecutable } from '../binary/exec-format.js';
import { goBinaryCataloger, stdlibVersion } from './cataloger.js';
import { parseModInfo } from './modinfo.js';
import { prerequisite } from '../../test-support/require.js';

const MODINFO = [
  'path\texample.com/tool/cmd/tool',
  'mod\texample.com/tool\t(devel)\t',
  'dep\tgithub.com/pkg/errors\tv0.9.1\th1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=',
  'dep\tgolang.org/x/net\tv0.10.0\th1:aaa=',
  '=>\tgithub.com/fork/net\tv0.10.1\th1:bbb=',
  'dep\texample.com/local\tv1.0.0',
  '=>\t../local\t',
  'build\t-compiler=gc',
  'build\tCGO_ENABLED=0',
  'build\tvcs.revision=abc123',
  '',
].join('\n');

async function run(files: Record<string, Buffer | string>) {
  const view = memoryView(files, goBinaryCataloger.match);
  return goBinaryCataloger.catalog(view, { source: { kind: 'directory', target: '.', path: '.' } });
}

function summary(pkgs: { name: string; version: string; purl: string }[]) {
  return pkgs.map((p) => `${p.name} ${p.version} ${p.purl}`);
}

const EXPECTED = [
  'example.com/local v1.0.0 pkg:golang/example.com/local@v1.0.0',
  'example.com/tool (devel) pkg:golang/example.com/tool',
  'github.com/fork/net v0.10.1 pkg:golang/github.com/fork/net@v0.10.1',
  'github.com/pkg/errors v0.9.1 pkg:golang/github.com/pkg/errors@v0.9.1',
  'stdlib 1.22.3 pkg:golang/stdlib@1.22.3',
];

describe('go-binary cataloger', () => {
  it('reads inline build info from the .go.buildinfo section of an ELF binary', async () => {
    const bin = buildElf([
      { name: '.text', data: Buffer.alloc(64, 0x90) },
      { name: '.go.buildinfo', data: goBuildInfoBlob('go1.22.3', MODINFO) },
    ]);
    const layer = testLayer(2);
    const res = await run({ '/usr/local/bin/tool': { content: bin, layer } as never });
    expect(res.unknowns).toEqual([]);
    expect(summary(res.packages)).toEqual(EXPECTED);
    const main = res.packages.find((p) => p.name === 'example.com/tool')!;
    expect(main.metadata).toMatchObject({ main: true, mainPackage: 'example.com/tool/cmd/tool' });
    expect(main.locations).toEqual([{ path: '/usr/local/bin/tool', layer }]);
    const std = res.packages.find((p) => p.name === 'stdlib')!;
    expect(std.metadata).toMatchObject({
      goVersion: 'go1.22.3',
      buildSettings: { CGO_ENABLED: '0', 'vcs.revision': 'abc123' },
    });
    const fork = res.packages.find((p) => p.name === 'github.com/fork/net')!;
    expect(fork.metadata?.['replace']).toEqual({
      from: 'golang.org/x/net@v0.10.0',
      to: 'github.com/fork/net@v0.10.1',
    });
    // main depends on stdlib and on its three deps
    expect(res.relationships!.filter((r) => r.from === main.id)).toHaveLength(4);
  });

  it.each([
    [
      'ELF without section table (magic scan)',
      () =>
        buildElf([{ name: '.data', data: goBuildInfoBlob('go1.22.3', MODINFO) }], { noSectionTable: true }),
    ],
    [
      '32-bit big-endian ELF',
      () =>
        buildElf([{ name: '.go.buildinfo', data: goBuildInfoBlob('go1.22.3', MODINFO) }], {
          bits: 32,
          littleEndian: false,
        }),
    ],
    [
      'PE (.data section)',
      () =>
        buildPe([
          { name: '.text', data: Buffer.alloc(32) },
          { name: '.data', data: goBuildInfoBlob('go1.22.3', MODINFO) },
        ]),
    ],
    [
      'Mach-O (__go_buildinfo)',
      () => buildMachO([{ name: '__go_buildinfo', data: goBuildInfoBlob('go1.22.3', MODINFO) }]),
    ],
  ])('%s', async (_name, build) => {
    const res = await run({ '/app/server': build() });
    expect(res.unknowns).toEqual([]);
    expect(summary(res.packages)).toEqual(EXPECTED);
  });

  it('decodes the pre-1.18 pointer format through the address map', async () => {
    const version = Buffer.from('go1.16.15');
    const mod = Buffer.concat([Buffer.alloc(16, 0x30), Buffer.from(MODINFO), Buffer.alloc(16, 0x31)]);
    const sections = () => [
      { name: '.go.buildinfo', data: Buffer.alloc(32) },
      { name: '.data', data: Buffer.alloc(32) },
      { name: '.rodata', data: Buffer.concat([version, mod]) },
    ];
    // Lay out once to learn the addresses, then fill in the pointers.
    const probe = parseExecutable(buildElf(sections()))!;
    const addr = (n: string) => probe.sections.find((s) => s.name === n)!.addr;
    const s = sections();
    const header = s[0]!.data;
    header.write('\xff Go buildinf:', 0, 'latin1');
    header[14] = 8;
    header[15] = 0;
    header.writeBigUInt64LE(BigInt(addr('.data')), 16);
    header.writeBigUInt64LE(BigInt(addr('.data') + 16), 24);
    const hdrs = s[1]!.data;
    hdrs.writeBigUInt64LE(BigInt(addr('.rodata')), 0);
    hdrs.writeBigUInt64LE(BigInt(version.length), 8);
    hdrs.writeBigUInt64LE(BigInt(addr('.rodata') + version.length), 16);
    hdrs.writeBigUInt64LE(BigInt(mod.length), 24);
    const res = await run({ '/go/bin/old': buildElf(s) });
    expect(res.unknowns).toEqual([]);
    expect(res.packages.find((p) => p.name === 'stdlib')?.version).toBe('1.16.15');
    expect(res.packages).toHaveLength(5);
  });

  it('reports truncated binaries and garbage build info as unknowns and goes on', async () => {
    const good = buildElf([{ name: '.go.buildinfo', data: goBuildInfoBlob('go1.22.3', MODINFO) }]);
    const garbage = Buffer.concat([
      goBuildInfoBlob('go1.22.3', '').subarray(0, 32),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
    ]);
    const res = await run({
      '/usr/bin/truncated': good.subarray(0, 100),
      '/usr/bin/garbage': buildElf([{ name: '.go.buildinfo', data: garbage }]),
      '/usr/bin/badversion': buildElf([
        { name: '.go.buildinfo', data: goBuildInfoBlob('not-a-version', MODINFO) },
      ]),
      '/usr/bin/good': good,
    });
    expect(res.unknowns!.map((u) => u.path)).toEqual([
      '/usr/bin/badversion',
      '/usr/bin/garbage',
      '/usr/bin/truncated',
    ]);
    for (const u of res.unknowns!) expect(u.reason).not.toMatch(/\n/);
    expect(res.packages.every((p) => p.locations[0]!.path === '/usr/bin/good')).toBe(true);
    expect(res.packages).toHaveLength(5);
  });

  it('ignores executables that are not Go and files that are not executables', async () => {
    const res = await run({
      '/usr/bin/cat': buildElf([{ name: '.text', data: Buffer.alloc(100) }]),
      '/usr/bin/script': '#!/bin/sh\necho hi\n',
    });
    expect(res).toEqual({ packages: [], relationships: [], unknowns: [] });
  });

  it.each([
    ['/usr/local/bin/tool', true],
    ['/usr/bin/kubectl', true],
    ['/bin/app', true],
    ['/go/bin/dlv', true],
    ['/root/go/bin/gopls', true],
    ['/home/dev/go/bin/x', true],
    ['/app/server', true],
    ['/ko-app/hello', true],
    ['/opt/tool/bin/tool', true],
    ['/opt/java/openjdk/lib/modules', false],
    ['/usr/bin/script.sh', false],
    ['/app/node_modules/x/bin/cli', false],
    ['/etc/passwd', false],
    ['/usr/share/doc/x/copyright', false],
  ])('match(%s) = %s', (path, expected) => {
    expect(goBinaryCataloger.match(path)).toBe(expected);
  });

  it('parses build settings with quoted keys and values', () => {
    const info = parseModInfo('build\t-ldflags="-s -w"\nbuild\t"key with space"=v\n');
    expect(info.settings).toEqual({ '-ldflags': '-s -w', 'key with space': 'v' });
    expect(stdlibVersion('go1.21.0 X:boringcrypto')).toBe('1.21.0');
  });
});

const hasGo = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
describe.skipIf(
  !prerequisite(
    hasGo,
    'the real Go binary test: the go toolchain is not installed (apt-get install golang-go)',
  ),
)('go-binary cataloger on a real Go binary', () => {
  it('finds stdlib and the main module of a freshly built binary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-go-'));
    try {
      writeFileSync(join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.21\n');
      writeFileSync(
        join(dir, 'main.go'),
        'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n',
      );
      const env = {
        ...process.env,
        GOFLAGS: '-mod=mod',
        CGO_ENABLED: '0',
        GOTOOLCHAIN: 'local',
        GOCACHE: join(dir, 'cache'),
        GOPATH: join(dir, 'gopath'),
      };
      execFileSync('go', ['build', '-o', 'hello', '.'], { cwd: dir, env, stdio: 'pipe' });
      const goVersion = execFileSync('go', ['env', 'GOVERSION'], { env, encoding: 'utf8' }).trim();
      const res = await run({ '/usr/local/bin/hello': readFileSync(join(dir, 'hello')) });
      expect(res.unknowns).toEqual([]);
      const std = res.packages.find((p) => p.name === 'stdlib');
      expect(std?.version).toBe(stdlibVersion(goVersion));
      expect(std?.purl).toBe(`pkg:golang/stdlib@${stdlibVersion(goVersion)}`);
      const main = res.packages.find((p) => p.name === 'example.com/hello');
      expect(main?.metadata?.['main']).toBe(true);
      expect(main?.version).toMatch(/^\(devel\)$|^v0\.0\.0-/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
