/** runCi's helpers: paths of ci.images. (runCi itself is exercised through the CLI in cli/commands/ci.test.ts.) */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRelative } from './run.js';

describe('ci.images paths', () => {
  it('are relative to the repository when bulwark ci runs from another folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'bulwark-ci-rel-'));
    mkdirSync(join(root, 'build'));
    writeFileSync(join(root, 'build', 'app.tar'), '');
    const sub = join(root, 'sub');
    expect(repositoryRelative('archive://build/app.tar', root, root)).toBe('archive://build/app.tar');
    expect(repositoryRelative('archive://build/app.tar:app:1', root, sub)).toBe(
      `archive://${root}/build/app.tar:app:1`,
    );
    expect(repositoryRelative('oci-dir://layout', root, sub)).toBe(`oci-dir://${root}/layout`);
    expect(repositoryRelative('build/app.tar', root, sub)).toBe(`${root}/build/app.tar`);
    expect(repositoryRelative('ghcr.io/acme/app:1', root, sub)).toBe('ghcr.io/acme/app:1');
    expect(repositoryRelative('registry://ghcr.io/acme/app:1', root, sub)).toBe(
      'registry://ghcr.io/acme/app:1',
    );
    expect(repositoryRelative(`archive:///abs/app.tar`, root, sub)).toBe('archive:///abs/app.tar');
  });
});
