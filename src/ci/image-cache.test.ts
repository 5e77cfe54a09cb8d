/** The image check's findings cache: a re-run on the same image reads the secret and config findings back. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { haveImages, imagePath } from '../test-support/images.js';
import { haveVulndata, importTestDb, osvDir } from '../match/test-support/vulndata.js';
import { baseEnv, bulwark, newRepo } from './test-support/repo.js';
import type { CiReport } from './types.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!haveVulndata() || !haveImages())('image findings cache', () => {
  it('is written by the first run, read by the next, and holds no secret value', async () => {
    const { dbPath, dir } = await importTestDb([osvDir('npm')]);
    const repo = newRepo();
    const cache = mkdtempSync(join(tmpdir(), 'bulwark-ci-cache-'));
    dirs.push(dir, repo, cache);
    const env = baseEnv({ BULWARK_CACHE_DIR: cache });
    const image = `archive://${imagePath('secrets-in-history', 'docker.tar')}`;
    const args = [
      'ci',
      '--checks',
      'image',
      '--image',
      image,
      '--offline',
      '--db',
      dbPath,
      '-f',
      'json',
      '-q',
    ];
    const first = bulwark(repo, args, env);
    expect(first.stderr).not.toMatch(/internal error/);
    const r1 = JSON.parse(first.stdout) as CiReport;
    const secrets = r1.findings.filter((f) => f.kind === 'secret');
    expect(secrets.length).toBeGreaterThan(0);
    const entries = readdirSync(join(cache, 'ci', 'images'));
    expect(entries).toHaveLength(1);
    const entryPath = join(cache, 'ci', 'images', entries[0]!);
    const entry = JSON.parse(readFileSync(entryPath, 'utf8')) as {
      secrets: { secret: { preview: string } }[];
    };
    expect(entry.secrets.length).toBe(secrets.length);
    expect(entry.secrets.every((s) => s.secret.preview.endsWith('…'))).toBe(true);

    const second = JSON.parse(bulwark(repo, args, env).stdout) as CiReport;
    expect(second.findings.map((f) => f.fingerprint)).toEqual(r1.findings.map((f) => f.fingerprint));
    // The entry is what the run used: an entry with one secret less gives one finding less.
    writeFileSync(entryPath, JSON.stringify({ ...entry, f: 1, secrets: entry.secrets.slice(1) }));
    const third = JSON.parse(bulwark(repo, args, env).stdout) as CiReport;
    expect(third.findings.filter((f) => f.kind === 'secret')).toHaveLength(secrets.length - 1);
  });
});
