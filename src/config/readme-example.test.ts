/** The `.bulwark.yaml` example in the README must be accepted by every scanner's own validator. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { lintConfigFrom } from '../lint/config.js';
import { parseIgnoreRules, parseIncludeOsOwned } from '../policy/config.js';
import { resolveSecretsConfig } from '../secrets/config.js';
import { parseCatalogue } from '../policy/approved/catalogue.js';
import { parsePolicySettings } from '../policy/rules/config.js';
import { REPO_ROOT } from '../test-support/images.js';
import { ciConfigFrom } from '../ci/config.js';

describe('README configuration example', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /## Configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];

  it('is valid for scan, lint and secrets', () => {
    expect(block).toBeDefined();
    const data = parse(block!) as Record<string, unknown>;
    const ignore = parseIgnoreRules(data, 'README.md');
    expect(ignore).toHaveLength(1);
    expect(parseIncludeOsOwned(data, 'README.md')).toBe(false);
    const lint = lintConfigFrom({ path: 'README.md', data });
    expect(lint.rules['missing-healthcheck']).toBe('off');
    expect(lint.trustedRegistries).toEqual(['docker.io', 'ghcr.io']);
    expect(() => resolveSecretsConfig(data, 'README.md')).not.toThrow();
    expect(ciConfigFrom(data, 'README.md')).toEqual({ failOn: 'high', images: ['archive://build/app.tar'] });
    const settings = parsePolicySettings(data, 'README.md');
    expect(settings.enabled['up-to-date-base-image']).toBe(false);
    expect(settings.epssThreshold).toBe(0.5);
    expect(parseCatalogue(data, 'README.md')!.entries[0]!.repositoryPattern).toBe('docker.io/library/debian');
  });
});
