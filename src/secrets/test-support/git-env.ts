/** An environment for running `git` in tests: no user or system config, a fixed identity. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let emptyConfig: string | undefined;

/** An empty global config file of our own (not /dev/null, which a broken sandbox may not provide). */
function emptyGitConfig(): string {
  if (!emptyConfig) {
    emptyConfig = join(mkdtempSync(join(tmpdir(), 'bulwark-gitcfg-')), 'gitconfig');
    writeFileSync(emptyConfig, '');
  }
  return emptyConfig;
}

export function gitTestEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_GLOBAL: emptyGitConfig(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Dev One',
    GIT_AUTHOR_EMAIL: 'dev@corp.internal',
    GIT_COMMITTER_NAME: 'Dev One',
    GIT_COMMITTER_EMAIL: 'dev@corp.internal',
    ...extra,
  };
}
