/** Temporary git repositories with a real history for the `bulwark ci` tests, and the built CLI spawned in them. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitTestEnv } from '../../secrets/test-support/git-env.js';

export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/bulwark.js');

export interface Spawned {
  code: number;
  stdout: string;
  stderr: string;
}

export function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd: dir, env: gitTestEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

export function newRepo(prefix = 'bulwark-ci-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  git(dir, 'init', '-q', '-b', 'main');
  return dir;
}

export function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

export function commit(dir: string, message: string, files: Record<string, string> = {}): string {
  write(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Only the variables a CI would not set: a clean environment for the spawned CLI. */
export function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT'];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  const g = gitTestEnv();
  for (const k of Object.keys(g)) if (k.startsWith('GIT_')) env[k] = g[k];
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Run the built `bulwark` (bin/bulwark.js → dist/) as a child process. */
export function bulwark(cwd: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
