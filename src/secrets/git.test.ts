import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, unlinkSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../util/errors.js';
import { SecretEngine } from './engine.js';
import { DiffParser, scanGit, unquoteGitPath } from './git.js';
import { expandTemplate } from './test-support/fake.js';
import { gitTestEnv } from './test-support/git-env.js';

const engine = new SecretEngine();
const AWS_ID = expandTemplate('AKIA{U:16}', 'git-id');
const AWS_SECRET = expandTemplate('{b:40}', 'git-secret');
const GH = expandTemplate('ghp_{gh}', 'git-gh');

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: gitTestEnv({ GIT_AUTHOR_DATE: '2024-03-01T10:00:00Z', GIT_COMMITTER_DATE: '2024-03-01T10:00:00Z' }),
  }).trim();
}

describe('git history', () => {
  let repo: string;
  let leakCommit: string;
  let removeCommit: string;
  let laterCommit: string;
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'bulwark-git-'));
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'README.md'), '# app\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'init');
    mkdirSync(join(repo, 'config'));
    writeFileSync(
      join(repo, 'config', 'prod.env'),
      `# prod\nREGION=eu-west-1\nAWS_ACCESS_KEY_ID=${AWS_ID}\nAWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n`,
    );
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'add prod config');
    leakCommit = git(repo, 'rev-parse', 'HEAD');
    writeFileSync(join(repo, 'config', 'prod.env'), '# prod\nREGION=eu-west-1\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'oops, remove keys');
    removeCommit = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '-q', '-b', 'feature');
    writeFileSync(join(repo, 'deploy.sh'), `#!/bin/sh\n# deploy\n\nexport GITHUB_TOKEN=${GH}\n`);
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'deploy script');
    laterCommit = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '-q', 'main');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('finds a key committed then removed, with commit, author, date, file and line', async () => {
    const result = await scanGit({ engine, repo, branch: 'main' });
    expect(result.findings.map((f) => [f.ruleId, f.path, f.line, f.commit?.id])).toEqual([
      ['aws-access-key-id', 'config/prod.env', 3, leakCommit],
      ['aws-secret-access-key', 'config/prod.env', 4, leakCommit],
    ]);
    expect(result.findings[0]?.commit).toEqual({
      id: leakCommit,
      author: 'Dev One',
      email: 'dev@corp.internal',
      date: '2024-03-01T10:00:00+00:00',
    });
    expect(JSON.stringify(result)).not.toContain(AWS_SECRET);
  });

  it('scans every ref by default and honours --since', async () => {
    const all = await scanGit({ engine, repo });
    expect(all.findings.map((f) => f.ruleId).sort()).toEqual([
      'aws-access-key-id',
      'aws-secret-access-key',
      'github-pat-token',
    ]);
    expect(all.findings.find((f) => f.ruleId === 'github-pat-token')).toMatchObject({
      path: 'deploy.sh',
      line: 4,
      commit: { id: laterCommit },
    });
    const since = await scanGit({ engine, repo, since: removeCommit, branch: 'feature' });
    expect(since.findings.map((f) => f.ruleId)).toEqual(['github-pat-token']);
  });

  it('skips allowlisted commits', async () => {
    const result = await scanGit({
      engine,
      repo,
      branch: 'main',
      skipCommit: (id) => id.startsWith(leakCommit.slice(0, 7)),
    });
    expect(result.findings).toEqual([]);
  });

  it('scans only staged changes with --staged', async () => {
    writeFileSync(
      join(repo, 'staged.env'),
      `SLACK_BOT_TOKEN=${expandTemplate('xoxb-{d:12}-{d:13}-{A:24}', 'staged')}\n`,
    );
    writeFileSync(
      join(repo, 'unstaged.env'),
      `AWS_ACCESS_KEY_ID=${expandTemplate('AKIA{U:16}', 'unstaged')}\n`,
    );
    git(repo, 'add', 'staged.env');
    try {
      const result = await scanGit({ engine, repo, staged: true });
      expect(result.findings.map((f) => [f.ruleId, f.path, f.line, f.commit])).toEqual([
        ['slack-bot-token', 'staged.env', 1, undefined],
      ]);
    } finally {
      git(repo, 'rm', '-q', '--cached', 'staged.env');
      unlinkSync(join(repo, 'staged.env'));
      unlinkSync(join(repo, 'unstaged.env'));
    }
  });

  it('fails with one clear line outside a repository and on a corrupt one', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'bulwark-nogit-'));
    const broken = mkdtempSync(join(tmpdir(), 'bulwark-badgit-'));
    try {
      await expect(scanGit({ engine, repo: plain })).rejects.toThrow(/not a git repository/);
      git(broken, 'init', '-q');
      writeFileSync(join(broken, 'a.txt'), 'hello\n');
      git(broken, 'add', '.');
      git(broken, 'commit', '-q', '-m', 'one');
      // Remove every blob/tree object: history can no longer be read.
      const objects = join(broken, '.git', 'objects');
      for (const d of readdirSync(objects).filter((n) => /^[0-9a-f]{2}$/.test(n))) {
        for (const f of readdirSync(join(objects, d))) {
          chmodSync(join(objects, d, f), 0o644);
          unlinkSync(join(objects, d, f));
        }
      }
      const err = await scanGit({ engine, repo: broken }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).not.toContain('\n');
    } finally {
      rmSync(plain, { recursive: true, force: true });
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('rejects revisions that look like options', async () => {
    await expect(scanGit({ engine, repo, since: '--output=/tmp/x' })).rejects.toThrow(/invalid revision/);
  });
});

describe('DiffParser', () => {
  it('maps added lines of several hunks back to file lines and ignores removed and header-like lines', () => {
    const p = new DiffParser({ engine, repo: '.' });
    const lines = [
      '\x1ecommit abc123\x1fA\x1fa@x\x1f2024-01-01T00:00:00Z',
      '',
      'diff --git a/x.env b/x.env',
      '--- a/x.env',
      '+++ b/x.env',
      '@@ -2,0 +3,2 @@',
      '+one=1',
      `++++ key=${AWS_ID}`,
      '@@ -10 +12 @@',
      `-old=${GH}`,
      `+TOKEN=${GH}`,
      '\\ No newline at end of file',
    ];
    for (const l of lines) p.line(l);
    p.end();
    expect(p.findings.map((f) => [f.ruleId, f.path, f.line])).toEqual([
      ['aws-access-key-id', 'x.env', 4],
      ['github-pat-token', 'x.env', 12],
    ]);
  });

  it('unquotes C-style quoted paths', () => {
    expect(unquoteGitPath('"b/caf\\303\\251 \\"x\\".env"')).toBe('b/café "x".env');
    expect(unquoteGitPath('b/plain.env')).toBe('b/plain.env');
  });
});
