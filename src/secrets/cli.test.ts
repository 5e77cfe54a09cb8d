/** `bulwark secrets` run in-process through `run(argv, io)`, on trees, repositories and images the tests create. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../cli/main.js';
import type { CliIO } from '../cli/io.js';
import { imagePath } from '../test-support/images.js';
import { existsSync } from 'node:fs';
import { expandTemplate } from './test-support/fake.js';
import { gitTestEnv } from './test-support/git-env.js';
import { prerequisite } from '../test-support/require.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString('utf8');
    cb();
  }
}

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIO = { stdout, stderr, stdin: new PassThrough(), env: {}, cwd };
  const code = await run(['secrets', ...argv], io);
  return { code, out: stdout.text, err: stderr.text };
}

const SECRETS = {
  aws: expandTemplate('AKIA{U:16}', 'cli-aws'),
  awsSecret: expandTemplate('{b:40}', 'cli-aws-secret'),
  gh: expandTemplate('ghp_{gh}', 'cli-gh'),
  stripe: expandTemplate('sk_live_{A:48}', 'cli-stripe'),
  ignored: expandTemplate('glpat-{A:20}', 'cli-ignored'),
  nested: expandTemplate('npm_{A:36}', 'cli-nested'),
  jwt: expandTemplate('{jwt}', 'cli-jwt'),
};

describe('bulwark secrets (folder)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'bulwark-cli-'));
    const w = (p: string, t: string): void => {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), t);
    };
    w('.gitignore', 'build/\n*.local\n');
    w(
      'app/config.env',
      `# app\nAWS_ACCESS_KEY_ID=${SECRETS.aws}\nAWS_SECRET_ACCESS_KEY=${SECRETS.awsSecret}\n`,
    );
    w(
      'app/deploy.sh',
      `#!/bin/sh\n\ncurl -H "Authorization: token ${SECRETS.gh}" https://api.github.com/user\n`,
    );
    w('app/session.txt', `session: ${SECRETS.jwt}\n`);
    w('build/out.env', `GITLAB_TOKEN=${SECRETS.ignored}\n`);
    w('notes.local', `STRIPE=${SECRETS.stripe}\n`);
    w('pkg/.gitignore', 'secret.npmrc\n');
    w('pkg/secret.npmrc', `//registry.npmjs.org/:_authToken=${SECRETS.nested}\n`);
    w('.git/config', `[remote]\n  token = ${SECRETS.gh}\n`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const everyRaw = (): string[] => [
    ...Object.values(SECRETS),
    SECRETS.gh.slice(4, 20),
    SECRETS.awsSecret.slice(4, 20),
  ];

  it('honours .gitignore at every level and skips .git; fails with exit 1', async () => {
    const r = await cli(root, '.', '-f', 'json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { findings: Array<{ path: string; line: number; ruleId: string }> };
    expect(json.findings.map((f) => `${f.path}:${f.line} ${f.ruleId}`)).toEqual([
      'app/config.env:2 aws-access-key-id',
      'app/config.env:3 aws-secret-access-key',
      'app/deploy.sh:3 github-pat-token',
      'app/session.txt:1 jwt',
    ]);
    const all = await cli(root, '.', '-f', 'json', '--no-ignore');
    const paths = (JSON.parse(all.out) as { findings: Array<{ path: string }> }).findings.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['build/out.env', 'notes.local', 'pkg/secret.npmrc']));
    expect(paths.some((p) => p.startsWith('.git/'))).toBe(false);
    // --no-gitignore is the shared spelling (scan, sbom); --exclude leaves paths out as there.
    const same = await cli(root, '.', '-f', 'json', '--no-gitignore');
    expect(same.out).toBe(all.out);
    const excluded = await cli(root, '.', '-f', 'json', '--no-gitignore', '--exclude', 'build', 'pkg/**');
    const kept = (JSON.parse(excluded.out) as { findings: Array<{ path: string }> }).findings.map(
      (f) => f.path,
    );
    expect(kept).toContain('notes.local');
    expect(kept.some((p) => p.startsWith('build/') || p.startsWith('pkg/'))).toBe(false);
  });

  it.each(['table', 'json', 'sarif'])('never prints a secret in full (%s)', async (format) => {
    const r = await cli(root, '.', '--no-ignore', '-f', format);
    expect(r.code).toBe(1);
    for (const raw of everyRaw()) {
      expect(r.out).not.toContain(raw);
      expect(r.err).not.toContain(raw);
    }
    expect(r.out).toContain(`${SECRETS.aws.slice(0, 4)}…`);
  });

  it('writes SARIF with rules and regions', async () => {
    const r = await cli(root, '.', '-f', 'sarif');
    const sarif = JSON.parse(r.out) as {
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          locations: Array<{
            physicalLocation: {
              artifactLocation: { uri: string };
              region: { startLine: number; startColumn: number };
            };
          }>;
        }>;
      }>;
    };
    const run0 = sarif.runs[0];
    expect(run0?.tool.driver.rules.map((x) => x.id)).toEqual([
      'aws-access-key-id',
      'aws-secret-access-key',
      'github-pat-token',
      'jwt',
    ]);
    const gh = run0?.results.find((x) => x.ruleId === 'github-pat-token');
    expect(gh?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'app/deploy.sh' },
      region: { startLine: 3, startColumn: 31, endLine: 3, endColumn: 71 },
    });
  });

  it('maps --fail-on and --exit-code', async () => {
    expect((await cli(root, '.', '--fail-on', 'critical')).code).toBe(1); // aws secret and GitHub token are critical
    expect((await cli(join(root, 'app'), 'session.txt', '--fail-on', 'high')).code).toBe(0); // only a medium JWT
    expect((await cli(root, '.', '--exit-code', '7')).code).toBe(7);
    expect((await cli(root, '.', '--exit-code', '0')).code).toBe(0);
    const bad = await cli(root, '.', '--fail-on', 'urgent');
    expect(bad.code).toBe(2);
  });

  it('baseline: accepted findings stop failing the run, new ones still do', async () => {
    const baseline = join(root, '..', `baseline-${process.pid}.json`);
    try {
      const w = await cli(root, '.', '--write-baseline', baseline);
      expect(w.code).toBe(0);
      const text = readFileSync(baseline, 'utf8');
      for (const raw of everyRaw()) expect(text).not.toContain(raw);
      const again = await cli(root, '.', '--baseline', baseline, '-f', 'json');
      expect(again.code).toBe(0);
      expect(JSON.parse(again.out)).toMatchObject({ findings: [], baselined: 4 });
      writeFileSync(join(root, 'app', 'new.env'), `STRIPE_SECRET_KEY=${SECRETS.stripe}\n`);
      const fresh = await cli(root, '.', '--baseline', baseline, '-f', 'json');
      expect(fresh.code).toBe(1);
      expect(
        (JSON.parse(fresh.out) as { findings: Array<{ ruleId: string }> }).findings.map((f) => f.ruleId),
      ).toEqual(['stripe-live-secret-key']);
    } finally {
      rmSync(join(root, 'app', 'new.env'), { force: true });
      rmSync(baseline, { force: true });
    }
  });

  it('reads custom rules, disabled rules and path allowlists from .bulwark.yaml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-cfg-'));
    try {
      writeFileSync(
        join(dir, '.bulwark.yaml'),
        [
          'secrets:',
          '  disable: [jwt]',
          '  rules:',
          '    - id: corp-deploy-token',
          '      title: Corp deploy token',
          '      severity: high',
          '      keywords: [cdt_]',
          "      regex: 'cdt_(?<secret>[a-z0-9]{32})'",
          '      minEntropy: 3',
          '  allowlist:',
          "    paths: ['fixtures/**']",
        ].join('\n'),
      );
      mkdirSync(join(dir, 'fixtures'));
      writeFileSync(
        join(dir, 'a.env'),
        `TOKEN_A=${expandTemplate('cdt_{l:32}', 'corp')}\nS=${SECRETS.jwt}\n`,
      );
      writeFileSync(join(dir, 'fixtures', 'b.env'), `AWS_ACCESS_KEY_ID=${SECRETS.aws}\n`);
      const r = await cli(dir, '.', '-f', 'json');
      expect(
        (JSON.parse(r.out) as { findings: Array<{ ruleId: string }> }).findings.map((f) => f.ruleId),
      ).toEqual(['corp-deploy-token']);
      writeFileSync(
        join(dir, '.bulwark.yaml'),
        "secrets:\n  rules:\n    - id: broken\n      title: x\n      severity: high\n      keywords: [ab]\n      regex: '(unclosed'\n",
      );
      const bad = await cli(dir, '.');
      expect(bad.code).toBe(3);
      expect(bad.err.trim().split('\n')).toHaveLength(1);
      expect(bad.err).toMatch(/secrets\.rules\[0\]\.regex: invalid regular expression/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a file that is not a baseline with one line and exit 3', async () => {
    const bogus = join(root, '..', `bogus-baseline-${process.pid}.json`);
    try {
      writeFileSync(bogus, JSON.stringify({ version: 2, findings: 'nope' }));
      const r = await cli(root, '.', '--baseline', bogus);
      expect(r.code).toBe(3);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/not a Bulwark secrets baseline/);
    } finally {
      rmSync(bogus, { force: true });
    }
  });

  it('reports a missing target as one line with exit 3', async () => {
    const r = await cli(root, 'fs://does-not-exist');
    expect(r.code).toBe(3);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('bulwark secrets --git / --staged', () => {
  let repo: string;
  const env = gitTestEnv();
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', env }).trim();
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'bulwark-cli-git-'));
    git('init', '-q');
    writeFileSync(join(repo, 'k.env'), `AWS_ACCESS_KEY_ID=${SECRETS.aws}\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'add');
    writeFileSync(join(repo, 'k.env'), 'nothing here\n');
    git('commit', '-q', '-am', 'remove');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('finds the removed key in history with its commit; the working tree is clean', async () => {
    const first = git('rev-list', '--max-parents=0', 'HEAD');
    const tree = await cli(repo, '.');
    expect(tree.code).toBe(0);
    const hist = await cli(repo, '.', '--git');
    expect(hist.code).toBe(1);
    expect(hist.out).toContain(`k.env:1:19 @ ${first.slice(0, 12)}`);
    expect(hist.out).not.toContain(SECRETS.aws);
  });

  it('--staged sees only what is staged', async () => {
    writeFileSync(join(repo, 'new.env'), `GITHUB_TOKEN=${SECRETS.gh}\n`);
    expect((await cli(repo, '.', '--staged')).code).toBe(0);
    git('add', 'new.env');
    const r = await cli(repo, '.', '--staged', '-f', 'json');
    expect(r.code).toBe(1);
    expect(
      (JSON.parse(r.out) as { findings: Array<{ path: string; ruleId: string }> }).findings,
    ).toMatchObject([{ path: 'new.env', ruleId: 'github-pat-token' }]);
  });
});

const archive = imagePath('secrets-in-history', 'docker.tar');
describe.skipIf(!prerequisite(existsSync(archive), `bulwark secrets <image> tests: ${archive} is not built`))(
  'bulwark secrets <image>',
  () => {
    it('reports layer secrets as deleted and the Env token, never printing them', async () => {
      const expected = readFileSync(archive.replace(/\.docker\.tar$/, '.expected'), 'utf8');
      const raws = [...expected.matchAll(/=(\S{16,})/g)].map((m) => m[1] as string);
      const r = await cli(tmpdir(), `archive://${archive}`);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/\/app\/\.env:1:\d+ \[layer 2, deleted in layer 3\]/);
      expect(r.out).toMatch(/\/app\/id_rsa:1:1 \[layer 2, deleted in layer 3\]/);
      expect(r.out).toContain('config:Env/GITHUB_TOKEN');
      for (const raw of raws) expect(r.out).not.toContain(raw);
    });
  },
);
