import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../io.js';
import { run } from '../main.js';

let dir: string;

function io(stdin = ''): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    stdout,
    stderr,
    stdin: Readable.from([Buffer.from(stdin)]),
    env: {},
    cwd: dir,
    out: () => out,
    err: () => err,
  };
}

const write = (name: string, text: string | Buffer): void => writeFileSync(join(dir, name), text);
const lint = async (args: string[], stdin?: string) => {
  const t = io(stdin);
  const code = await run(['lint', ...args], t);
  return { code, out: t.out(), err: t.err() };
};

const CLEAN = 'FROM alpine:3.20@sha256:0123\nUSER 10001\nHEALTHCHECK NONE\n';
const ROOT = 'FROM alpine:3.20@sha256:0123\nHEALTHCHECK NONE\nRUN id\n';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulwark-lint-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('bulwark lint', () => {
  it('discovers Dockerfile, Containerfile, *.Dockerfile and Dockerfile.* in the current folder', async () => {
    write('Dockerfile', ROOT);
    write('Containerfile', CLEAN);
    write('api.Dockerfile', CLEAN);
    write('Dockerfile.dev', CLEAN);
    write('Dockerfile.dockerignore', '.git\n');
    write('notes.txt', 'FROM x\n');
    const r = await lint(['--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).files.map((f: { path: string }) => f.path)).toEqual([
      'Containerfile',
      'Dockerfile',
      'Dockerfile.dev',
      'api.Dockerfile',
    ]);
  });

  it('prints a table with file:line:column and exits 1 at --fail-on', async () => {
    write('Dockerfile', ROOT);
    const ok = await lint([]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^Dockerfile:1:1 +HIGH +final-user-root /m);
    expect((await lint(['--fail-on', 'high'])).code).toBe(1);
    expect((await lint(['--fail-on', 'critical'])).code).toBe(0);
    expect((await lint(['--fail-on', 'high', '--exit-code', '9'])).code).toBe(9);
    // --exit-code alone fails on any finding
    expect((await lint(['--exit-code', '4'])).code).toBe(4);
    write('Dockerfile', CLEAN);
    expect((await lint(['--exit-code', '4'])).code).toBe(0);
  });

  it('reads stdin with -', async () => {
    const r = await lint(['-', '--format', 'json'], 'FROM node\nENV API_TOKEN=abcdef123456\n');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(
      doc.findings.map((f: { ruleId: string; path: string; line: number }) => [f.ruleId, f.path, f.line]),
    ).toContainEqual(['hardcoded-secret', '-', 2]);
    expect(r.out).not.toContain('abcdef123456');
  });

  it('writes SARIF with regions to --output', async () => {
    write('Dockerfile', 'FROM node:20\nRUN sudo id\n');
    const r = await lint(['Dockerfile', '--format', 'sarif', '--output', 'out.sarif']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const log = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8'));
    expect(log.version).toBe('2.1.0');
    const sudo = log.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'sudo-in-run');
    expect(sudo.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'Dockerfile' },
      region: { startLine: 2, startColumn: 5, endLine: 2, endColumn: 9 },
    });
  });

  it('uses the lint section of .bulwark.yaml (failOn, rules, trustedRegistries) and honours --config', async () => {
    write('Dockerfile', 'FROM quay.io/x/y:1@sha256:ab\nUSER 1\nHEALTHCHECK NONE\n');
    write('.bulwark.yaml', 'lint:\n  failOn: medium\n  trustedRegistries: [ghcr.io]\n');
    const r = await lint([]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('from-untrusted-registry');
    write('other.yaml', 'lint:\n  rules:\n    from-untrusted-registry: off\n');
    expect((await lint(['--config', 'other.yaml'])).code).toBe(0);
    write('bad.yaml', 'lint:\n  rules:\n    nope: off\n');
    const bad = await lint(['--config', 'bad.yaml']);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/^bulwark: .*bad\.yaml: lint\.rules: unknown rule nope\n$/);
  });

  it('reads the .dockerignore next to the Dockerfile', async () => {
    write('Dockerfile', `${CLEAN}COPY . /app\n`);
    expect((await lint([])).out).toContain('there is no .dockerignore');
    write('.dockerignore', '.git\n');
    expect((await lint([])).out).toContain('.dockerignore does not exclude .env, id_rsa, *.key, *.pem');
    write('.dockerignore', '*\n!src\n');
    expect((await lint([])).out).not.toContain('copy-context-unfiltered');
  });

  it('reports a binary file in one line and keeps linting the others', async () => {
    write('Dockerfile', CLEAN);
    write('bin.Dockerfile', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
    const r = await lint(['--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('bulwark: bin.Dockerfile: binary content (NUL bytes), not a Dockerfile\n');
    expect(JSON.parse(r.out).errors).toEqual([
      {
        path: 'bin.Dockerfile',
        code: 'E_BINARY',
        message: 'bin.Dockerfile: binary content (NUL bytes), not a Dockerfile',
      },
    ]);
    const only = await lint(['bin.Dockerfile']);
    expect(only.code).toBe(3);
    expect(only.out).toBe('');
  });

  it('turns unterminated heredocs, unknown instructions and missing files into findings or one error line', async () => {
    write('Dockerfile', 'FROM alpine:3.20\nRUNN x\nRUN <<EOF\necho never closed\n');
    const r = await lint(['--format', 'json']);
    expect(r.code).toBe(0);
    const lines = JSON.parse(r.out)
      .findings.filter((f: { ruleId: string }) => f.ruleId === 'dockerfile-syntax')
      .map((f: { line: number }) => f.line);
    expect(lines).toEqual([2, 3]);
    const missing = await lint(['nope/Dockerfile']);
    expect(missing.code).toBe(3);
    expect(missing.err).toBe('bulwark: nope/Dockerfile: no such file or directory\n');
  });

  it('fails clearly when there is nothing to lint or the flags are wrong', async () => {
    const none = await lint([]);
    expect(none.code).toBe(3);
    expect(none.err).toMatch(/^bulwark: no Dockerfile here/);
    write('Dockerfile', CLEAN);
    expect((await lint(['--format', 'xml'])).code).toBe(2);
    expect((await lint(['--fail-on', 'urgent'])).code).toBe(2);
    expect((await lint(['--exit-code', 'x'])).code).toBe(2);
    expect((await lint(['-', '-'])).code).toBe(2);
  });

  it('lints a 10 MB Dockerfile without hanging', async () => {
    const block = 'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nENV A=1\n';
    write('Dockerfile', `FROM debian:12\n${block.repeat(Math.ceil(10_000_000 / block.length))}USER 1\n`);
    const t0 = performance.now();
    const r = await lint(['--format', 'json']);
    expect(r.code).toBe(0);
    expect(performance.now() - t0).toBeLessThan(60_000);
    expect(JSON.parse(r.out).summary.total).toBeGreaterThan(0);
  }, 120_000);
});
