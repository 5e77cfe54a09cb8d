/**
 * `bulwark ci` end to end: the built CLI spawned in temporary git repositories with a real history
 * (a default branch with findings, then changes on branches), a database imported from the shared
 * npm advisories, and the CI's environment variables as GitHub Actions sets them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CiReport } from '../../ci/types.js';
import { sarifValidator } from '../../ci/test-support/sarif-schema.js';
import { baseEnv, bulwark, commit, git, newRepo, write } from '../../ci/test-support/repo.js';
import { haveVulndata, importTestDb, osvDir } from '../../match/test-support/vulndata.js';
import { haveImages, imagePath } from '../../test-support/images.js';
import { expandTemplate } from '../../secrets/test-support/fake.js';

const OLD_KEY = expandTemplate('AKIA{U:16}', 'ci-old');
const NEW_KEY = expandTemplate('AKIA{U:16}', 'ci-new');
const SNEAKY_KEY = expandTemplate('AKIA{U:16}', 'ci-sneaky');
const DIGEST = `sha256:${'0'.repeat(64)}`;

const lock = (version: string): string =>
  `${JSON.stringify(
    {
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'app', version: '1.0.0', dependencies: { lodash: `^${version}` } },
        'node_modules/lodash': {
          version,
          resolved: `https://registry.npmjs.org/lodash/-/lodash-${version}.tgz`,
        },
      },
    },
    null,
    2,
  )}\n`;

const MAIN_FILES = {
  Dockerfile: `FROM debian:12@${DIGEST}\nRUN useradd --uid 10001 app\nUSER 10001\nCMD ["/app/run"]\n`,
  'package-lock.json': lock('4.17.4'),
  'config/legacy.env': `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${OLD_KEY}\n`,
  'README.md': '# app\n',
};

let repo: string;
let work: string;
let dbPath: string;
let baselinePath: string;
let baseline: CiReport;
let dbDir: string;

const envFor = (extra: Record<string, string> = {}) =>
  baseEnv({ BULWARK_CACHE_DIR: join(work, 'cache'), ...extra });
const ciArgs = (...more: string[]) => ['ci', '--offline', '--db', dbPath, '-q', ...more];
const fingerprints = (r: CiReport) => new Set(r.findings.map((f) => f.fingerprint));

/** GitHub Actions' variables for a pull request from `head` into main. */
function githubPrEnv(head: string, sha: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SHA: sha,
    GITHUB_REF: 'refs/pull/5/merge',
    GITHUB_REF_NAME: '5/merge',
    GITHUB_HEAD_REF: head,
    GITHUB_BASE_REF: 'main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '42',
    ...extra,
  };
}

function readReport(path: string): CiReport {
  return JSON.parse(readFileSync(path, 'utf8')) as CiReport;
}

describe.skipIf(!haveVulndata())('bulwark ci in a git repository', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bulwark-ci-work-'));
    ({ dbPath, dir: dbDir } = await importTestDb([osvDir('npm')]));
    repo = newRepo();
    commit(repo, 'initial', MAIN_FILES);
    baselinePath = join(work, 'main-report.json');
    // The default branch's run: it has findings (an old key, vulnerable lodash), so it fails on its own.
    const r = bulwark(repo, ciArgs('--json', baselinePath), envFor());
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    baseline = readReport(baselinePath);
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
    rmSync(dbDir, { recursive: true, force: true });
  });

  it('the default branch run holds findings of every repository check', () => {
    const byCheck = new Map<string, string[]>();
    for (const f of baseline.findings) byCheck.set(f.check, [...(byCheck.get(f.check) ?? []), f.ruleId]);
    expect(byCheck.get('secrets')).toEqual(['aws-access-key-id']);
    expect(byCheck.get('dependencies')).toEqual(expect.arrayContaining(['CVE-2019-10744', 'CVE-2021-23337']));
    expect(byCheck.get('lint')).toEqual(['missing-healthcheck']);
    expect(baseline.findings.every((f) => f.status === 'new')).toBe(true);
    expect(baseline.checks.map((c) => [c.name, c.status])).toEqual([
      ['lint', 'passed'],
      ['secrets', 'failed'],
      ['dependencies', 'failed'],
      ['image', 'skipped'],
      ['policy', 'skipped'],
    ]);
    // Never the secret itself.
    expect(readFileSync(baselinePath, 'utf8')).not.toContain(OLD_KEY);
  });

  it('a change adding a secret and a root Dockerfile fails with exactly those as new findings', () => {
    git(repo, 'checkout', '-q', '-b', 'leak', 'main');
    const sha = commit(repo, 'settings and a simpler image', {
      Dockerfile: `FROM debian:12@${DIGEST}\nCMD ["/app/run"]\n`,
      'src/settings.py': `AWS_ACCESS_KEY_ID = "${NEW_KEY}"\n`,
    });
    const summary = join(work, 'summary.md');
    writeFileSync(summary, '');
    const sarif = join(work, 'leak.sarif');
    const json = join(work, 'leak.json');
    const r = bulwark(
      repo,
      ciArgs('--baseline', baselinePath, '--sarif', sarif, '--json', json),
      envFor(githubPrEnv('leak', sha, { GITHUB_STEP_SUMMARY: summary })),
    );
    expect(r.stderr).not.toMatch(/internal error|warning/);
    expect(r.code).toBe(1);
    const report = readReport(json);
    const fresh = report.findings.filter((f) => f.status === 'new');
    expect(fresh.map((f) => [f.check, f.ruleId, f.path, f.line])).toEqual([
      ['lint', 'final-user-root', 'Dockerfile', 1],
      ['secrets', 'aws-access-key-id', 'src/settings.py', 1],
    ]);
    // The secret was found in the change's commit too: it names it.
    expect(fresh[1]!.commit).toBe(sha);
    expect(report.ci).toMatchObject({
      provider: 'github',
      repository: 'acme/app',
      pullRequest: '5',
      baseRef: 'main',
    });
    expect(report.range).toEqual({ since: git(repo, 'rev-parse', 'main'), head: sha });
    // Everything else is pre-existing and listed as such.
    const existing = report.findings.filter((f) => f.status === 'existing');
    expect(existing.length).toBe(baseline.findings.length);
    expect(existing.every((f) => fingerprints(baseline).has(f.fingerprint))).toBe(true);

    // Annotations (workflow commands on stdout) for exactly the new findings.
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toEqual([
      '::error file=Dockerfile,line=1,endLine=1,title=lint%3A final-user-root (high)::the final stage sets no USER: the container runs as root',
      expect.stringMatching(
        /^::error file=src\/settings\.py,line=1,endLine=1,title=secrets%3A aws-access-key-id \(high\)::AWS access key ID: AKIA… \(20 chars, fp [0-9a-f]{16}\)$/,
      ),
    ]);
    // The job summary got the Markdown.
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('## ❌ Bulwark: failed: 2 new findings, 2 at or above high');
    expect(md).toContain('| high | secrets | `aws-access-key-id` | src/settings.py:1 |');
    expect(md).toContain('<summary>Pre-existing findings');
    expect(md).not.toContain(NEW_KEY);
    // SARIF: valid 2.1.0, one run per check that ran, baseline states.
    const log = JSON.parse(readFileSync(sarif, 'utf8')) as {
      runs: { tool: { driver: { name: string } }; results: { ruleId: string; baselineState: string }[] }[];
    };
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs.map((run) => run.tool.driver.name)).toEqual([
      'bulwark-lint',
      'bulwark-secrets',
      'bulwark-dependencies',
    ]);
    const newInSarif = log.runs.flatMap((run) =>
      run.results.filter((x) => x.baselineState === 'new').map((x) => x.ruleId),
    );
    expect(newInSarif.sort()).toEqual(['aws-access-key-id', 'final-user-root']);
    expect(readFileSync(sarif, 'utf8')).not.toContain(NEW_KEY);
  });

  it('a change that touches nothing security-relevant passes although the baseline has findings', () => {
    git(repo, 'checkout', '-q', '-b', 'docs', 'main');
    const sha = commit(repo, 'docs', { 'README.md': '# app\n\nHow to run it.\n' });
    const json = join(work, 'docs.json');
    const r = bulwark(
      repo,
      ciArgs('--baseline', baselinePath, '--json', json, '-f', 'markdown'),
      envFor(githubPrEnv('docs', sha)),
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const report = readReport(json);
    expect(report.result).toBe('passed');
    expect(report.findings.length).toBe(baseline.findings.length);
    expect(report.findings.every((f) => f.status === 'existing')).toBe(true);
    expect(r.stdout).toContain('No new findings.');
    expect(r.stdout).toContain(`Pre-existing findings (${baseline.findings.length}`);
  });

  it('moved lines and a version bump keep their fingerprints', () => {
    git(repo, 'checkout', '-q', '-b', 'move', 'main');
    const sha = commit(repo, 'reorder', {
      // Lines inserted above the secret and above every Dockerfile instruction; odd spacing too.
      'config/legacy.env': `# settings\n\nTIMEOUT=30\nREGION=eu-west-1\n\nAWS_ACCESS_KEY_ID=${OLD_KEY}\n`,
      Dockerfile: `# syntax is plain\n\nFROM   debian:12@${DIGEST}\nRUN useradd --uid 10001 app\nUSER 10001\nCMD ["/app/run"]\n`,
      // Still vulnerable to some of the same advisories (fixed in 4.17.11, 4.17.12, 4.17.19, 4.17.21).
      'package-lock.json': lock('4.17.10'),
    });
    const json = join(work, 'move.json');
    const r = bulwark(
      repo,
      ciArgs('--baseline', baselinePath, '--json', json),
      envFor(githubPrEnv('move', sha)),
    );
    expect(r.stderr).not.toMatch(/internal error/);
    const report = readReport(json);
    expect(report.findings.filter((f) => f.status === 'new')).toEqual([]);
    expect(r.code).toBe(0);
    const before = new Map(baseline.findings.map((f) => [f.fingerprint, f]));
    const secret = report.findings.find((f) => f.check === 'secrets')!;
    expect(secret.line).toBe(6);
    expect(before.get(secret.fingerprint)?.line).toBe(2);
    const lintFinding = report.findings.find((f) => f.check === 'lint')!;
    expect(lintFinding.line).toBe(3);
    expect(before.get(lintFinding.fingerprint)?.line).toBe(1);
    const lodash = report.findings.filter((f) => f.check === 'dependencies');
    expect(lodash.length).toBeGreaterThan(0);
    expect(
      lodash.every(
        (f) => f.package?.version === '4.17.10' && before.get(f.fingerprint)?.package?.version === '4.17.4',
      ),
    ).toBe(true);
  });

  it("a secret added and removed again within the change is still a new finding (it is in the change's commits)", () => {
    git(repo, 'checkout', '-q', '-b', 'sneaky', 'main');
    const added = commit(repo, 'try', { 'deploy.sh': `export AWS_ACCESS_KEY_ID=${SNEAKY_KEY}\n` });
    commit(repo, 'oops', { 'deploy.sh': 'export AWS_ACCESS_KEY_ID="$FROM_VAULT"\n' });
    const json = join(work, 'sneaky.json');
    const r = bulwark(repo, ciArgs('--baseline', baselinePath, '--json', json, '--since', 'main'), envFor());
    expect(r.code).toBe(1);
    const fresh = readReport(json).findings.filter((f) => f.status === 'new');
    expect(fresh.map((f) => [f.ruleId, f.path, f.commit])).toEqual([
      ['aws-access-key-id', 'deploy.sh', added],
    ]);
  });

  it('--exclude (and ci.exclude) leaves paths out of lint, secrets (tree and commits) and dependencies', () => {
    git(repo, 'checkout', '-q', '-b', 'fixtures', 'main');
    commit(repo, 'test fixtures', {
      'test/fixtures/Dockerfile': 'FROM scratch\n',
      'test/fixtures/key.env': `AWS_ACCESS_KEY_ID=${expandTemplate('AKIA{U:16}', 'ci-fixture')}\n`,
      'test/fixtures/package-lock.json': lock('4.17.4'),
    });
    const args = ciArgs('--baseline', baselinePath, '--since', 'main', '-f', 'json');
    const without = JSON.parse(bulwark(repo, args, envFor()).stdout) as CiReport;
    expect(new Set(without.findings.filter((f) => f.status === 'new').map((f) => f.check))).toEqual(
      new Set(['lint', 'secrets', 'dependencies']),
    );
    const r = bulwark(repo, [...args, '--exclude', 'test/fixtures'], envFor());
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as CiReport;
    expect(report.findings.filter((f) => f.status === 'new')).toEqual([]);
    expect(report.findings.some((f) => f.path?.startsWith('test/'))).toBe(false);
  });

  it('a committed baseline file is used by default; --no-baseline makes every finding new', () => {
    git(repo, 'checkout', '-q', '-b', 'accepted', 'main');
    const w = bulwark(repo, ciArgs('--write-baseline', '.bulwark-baseline.json'), envFor());
    expect(w.code).toBe(0);
    const file = JSON.parse(readFileSync(join(repo, '.bulwark-baseline.json'), 'utf8')) as {
      schema: string;
      findings: { fingerprint: string }[];
    };
    expect(file.schema).toBe('bulwark-ci-baseline/v1');
    expect(new Set(file.findings.map((f) => f.fingerprint))).toEqual(fingerprints(baseline));
    commit(repo, 'accept the current findings');
    const json = join(work, 'accepted.json');
    const r = bulwark(repo, ciArgs('--json', json), envFor());
    expect(r.code).toBe(0);
    const report = readReport(json);
    expect(report.baseline).toEqual({ source: '.bulwark-baseline.json', findings: file.findings.length });
    expect(report.findings.every((f) => f.status === 'existing')).toBe(true);
    expect(bulwark(repo, ciArgs('--no-baseline'), envFor()).code).toBe(1);
  });

  it('a check that cannot run: its exit code, the other checks still report, outputs still written', () => {
    git(repo, 'checkout', '-q', 'main');
    const json = join(work, 'nodb.json');
    const r = bulwark(
      repo,
      ['ci', '--offline', '--db', join(work, 'missing.sqlite'), '--json', json, '-q'],
      envFor(),
    );
    expect(r.code).toBe(4);
    const report = readReport(json);
    expect(report.result).toBe('error');
    expect(report.checks.find((c) => c.name === 'dependencies')).toMatchObject({
      status: 'error',
      errorExitCode: 4,
    });
    expect(report.checks.find((c) => c.name === 'secrets')?.status).toBe('failed');
    expect(r.stdout).toMatch(/dependencies\s+ERROR/);
  });

  it('usage and input errors: one line, documented codes', () => {
    const bad = bulwark(repo, ciArgs('--checks', 'lint,nope'), envFor());
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'bulwark: unknown check "nope" (use lint, secrets, dependencies, image, policy)',
    );
    const missing = bulwark(repo, ciArgs('--baseline', join(work, 'nope.json')), envFor());
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    writeFileSync(join(work, 'not-a-baseline.json'), '{"findings": 3}');
    const wrong = bulwark(repo, ciArgs('--baseline', join(work, 'not-a-baseline.json')), envFor());
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/neither a bulwark ci baseline/);
    const noImage = bulwark(
      repo,
      ciArgs('--checks', 'lint,image', '--image', `archive://${join(work, 'nope.tar')}`, '-f', 'json'),
      envFor(),
    );
    expect(noImage.code).toBe(3);
    const failed = JSON.parse(noImage.stdout) as CiReport;
    expect(failed.checks.map((c) => [c.name, c.status, c.errorExitCode])).toEqual([
      ['lint', 'passed', undefined],
      ['image', 'error', 3],
    ]);
    const since = bulwark(repo, ciArgs('--since', 'no-such-ref'), envFor());
    expect(since.code).toBe(3);
    expect(since.stderr).toMatch(/--since no-such-ref: no such revision/);
  });

  it('a base branch missing from a shallow clone is a warning, and the working tree is still scanned', () => {
    const clone = mkdtempSync(join(tmpdir(), 'bulwark-ci-shallow-'));
    try {
      git(work, 'clone', '-q', '--depth', '1', '--branch', 'leak', `file://${repo}`, clone);
      const sha = git(clone, 'rev-parse', 'HEAD');
      const json = join(work, 'shallow.json');
      const r = bulwark(
        clone,
        ciArgs('--json', json, '--checks', 'secrets'),
        envFor(githubPrEnv('leak', sha, { GITHUB_BASE_REF: 'develop' })),
      );
      expect(r.stderr).toMatch(/warning: base develop is not in this clone/);
      const report = readReport(json);
      expect(report.range).toBeUndefined();
      expect(report.findings.map((f) => f.path).sort()).toEqual(['config/legacy.env', 'src/settings.py']);
      expect(existsSync(json)).toBe(true);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!haveVulndata() || !haveImages())('bulwark ci with a built image', () => {
  it('scans the image and evaluates the policies over it; a baseline makes them pre-existing', async () => {
    const { dbPath: db, dir } = await importTestDb([osvDir('npm')]);
    const repo = newRepo();
    const cache = mkdtempSync(join(tmpdir(), 'bulwark-ci-img-cache-'));
    try {
      commit(repo, 'initial', { 'README.md': '# app\n' });
      const env = baseEnv({ BULWARK_CACHE_DIR: cache });
      const image = `archive://${imagePath('debian12-minbase', 'docker.tar')}`;
      const args = ['ci', '--checks', 'image,policy', '--image', image, '--offline', '--db', db, '-q'];
      const first = bulwark(repo, [...args, '-f', 'json', '--write-baseline', 'base.json'], env);
      expect(first.stderr).not.toMatch(/internal error/);
      const report = JSON.parse(first.stdout) as CiReport;
      expect(report.checks.map((c) => [c.name, c.status])).toEqual([
        ['image', 'failed'],
        ['policy', 'failed'],
      ]);
      const policies = report.findings.filter((f) => f.check === 'policy');
      expect(policies.map((f) => f.ruleId)).toContain('non-root-user');
      expect(policies.every((f) => f.image === image && f.kind === 'policy')).toBe(true);
      expect(report.findings.filter((f) => f.check === 'image').map((f) => f.ruleId)).toContain(
        'image-root-user',
      );
      // Same image again, against the baseline: everything pre-existing, from the image findings cache.
      const again = bulwark(repo, [...args, '-f', 'json', '--baseline', 'base.json'], env);
      expect(again.code).toBe(0);
      const second = JSON.parse(again.stdout) as CiReport;
      expect(second.findings.map((f) => f.fingerprint).sort()).toEqual(
        report.findings.map((f) => f.fingerprint).sort(),
      );
      expect(second.findings.every((f) => f.status === 'existing')).toBe(true);
      // A policy turned off in .bulwark.yaml is not evaluated.
      write(repo, { '.bulwark.yaml': 'policies:\n  non-root-user: off\n' });
      const off = JSON.parse(bulwark(repo, [...args, '-f', 'json', '--no-baseline'], env).stdout) as CiReport;
      expect(off.findings.filter((f) => f.check === 'policy').map((f) => f.ruleId)).not.toContain(
        'non-root-user',
      );
    } finally {
      for (const d of [repo, cache, dir]) rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('bulwark ci without a git repository or database', () => {
  it('lint and secrets of a plain folder (checks from the ci: section of .bulwark.yaml)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-ci-plain-'));
    try {
      write(dir, {
        '.bulwark.yaml': 'ci:\n  checks: [lint, secrets]\n  failOn: critical\n',
        'app/Dockerfile': 'FROM alpine:3.20\n',
      });
      const r = bulwark(dir, ['ci', '-f', 'json', '-q'], baseEnv());
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as CiReport;
      expect(report.failOn).toBe('critical');
      expect(report.checks.map((c) => c.name)).toEqual(['lint', 'secrets']);
      expect(report.findings.map((f) => f.ruleId)).toContain('final-user-root');
      expect(report.ci.provider).toBe('local');
      const badConfig = join(dir, 'bad.yaml');
      writeFileSync(badConfig, 'ci:\n  failOn: severe\n');
      const bad = bulwark(dir, ['ci', '--config', badConfig], baseEnv());
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/ci\.failOn/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
