import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../util/errors.js';
import { HARDENED_PROFILE, NO_PROFILE, checkApproval, parseCatalogue, splitReference } from './catalogue.js';
import { parseRange, tagVersion, versionInRange } from './version-range.js';

const catalogue = (yamlish: unknown[]) => parseCatalogue({ approved: yamlish }, 'c.yaml')!;

function configError(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(BulwarkError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('version ranges over tags', () => {
  it('reads the leading version of a tag', () => {
    expect(tagVersion('12.5-slim')).toEqual([12, 5]);
    expect(tagVersion('v1.2.3')).toEqual([1, 2, 3]);
    expect(tagVersion('bookworm')).toBeUndefined();
  });

  it.each([
    ['>=12.4 <13', '12.4-slim', true],
    ['>=12.4 <13', '12.3', false],
    ['>=12.4 <13', '13', false],
    ['12', '12.9.1', true],
    ['12.x', '12.9', true],
    ['12.x', '11.9', false],
    ['^3.18', '3.20', true],
    ['^3.18', '4.0', false],
    ['~3.18', '3.18.4', true],
    ['~3.18', '3.19', false],
    ['<=1 || >=5', '5.1', true],
    ['<=1 || >=5', '3', false],
    ['=12.4', '12.4', true],
    ['>12', 'latest', false],
  ])('%s contains %s: %s', (range, tag, expected) => {
    expect(versionInRange(tag, parseRange(range))).toBe(expected);
  });

  it('refuses what is not a range', () => {
    expect(() => parseRange('>=12 <<13')).toThrow('"<<13" is not a version comparator');
    expect(() => parseRange('1 ||')).toThrow('is not a version range');
  });
});

describe('approved catalogue', () => {
  it('normalises repositories like Docker and matches tags, globs, ranges and digests', () => {
    const c = catalogue([
      { repository: 'debian', tags: ['12-slim', '12.*-slim'], owner: 'platform' },
      { repository: 'ghcr.io/acme/base-*', versions: '>=2 <3' },
      { repository: 'gcr.io/distroless/static', digests: [`sha256:${'a'.repeat(64)}`] },
    ]);
    expect(c.entries[0]!.repositoryPattern).toBe('docker.io/library/debian');
    expect(checkApproval(c, 'debian:12-slim')).toMatchObject({
      approved: true,
      reason: 'approved by c.yaml#approved[0] (debian, owner platform)',
    });
    expect(checkApproval(c, 'docker.io/library/debian:12.5-slim').approved).toBe(true);
    expect(checkApproval(c, 'debian:12')).toMatchObject({
      approved: false,
      reason: 'docker.io/library/debian: tag 12 is not in 12-slim, 12.*-slim (c.yaml#approved[0])',
    });
    expect(checkApproval(c, 'ghcr.io/acme/base-java:2.4').approved).toBe(true);
    expect(checkApproval(c, 'ghcr.io/acme/base-java:3.0').reason).toContain(
      'tag 3.0 is not in the version range >=2 <3',
    );
    expect(checkApproval(c, `gcr.io/distroless/static@sha256:${'a'.repeat(64)}`).approved).toBe(true);
    expect(checkApproval(c, 'gcr.io/distroless/static:nonroot', `sha256:${'b'.repeat(64)}`).reason).toContain(
      `digest sha256:${'b'.repeat(64)} is not pinned by the entry`,
    );
    expect(checkApproval(c, 'alpine:3.20').reason).toBe(
      'docker.io/library/alpine is not in the approved catalogue',
    );
    expect(checkApproval({ entries: [] }, 'alpine:3.20').reason).toBe('the approved catalogue is empty');
  });

  it('keeps a written tag and a digest apart', () => {
    expect(splitReference(`debian:12@sha256:${'c'.repeat(64)}`)).toEqual({
      repository: 'docker.io/library/debian',
      tag: '12',
      digest: `sha256:${'c'.repeat(64)}`,
    });
    expect(splitReference(`debian@sha256:${'c'.repeat(64)}`)).toEqual({
      repository: 'docker.io/library/debian',
      digest: `sha256:${'c'.repeat(64)}`,
    });
    expect(splitReference('localhost:5000/team/app')).toEqual({
      repository: 'localhost:5000/team/app',
      tag: 'latest',
    });
  });

  it('profiles: hardened, none, or chosen points', () => {
    const c = catalogue([
      { repository: 'a', profile: 'hardened' },
      { repository: 'b', profile: 'none' },
      { repository: 'c', profile: { nonRootUser: true, noShell: true, allowShells: 'sh' } },
      { repository: 'd' },
    ]);
    expect(c.entries.map((e) => e.profile)).toEqual([
      HARDENED_PROFILE,
      NO_PROFILE,
      { ...NO_PROFILE, nonRootUser: true, noShell: true, allowShells: ['sh'] },
      undefined,
    ]);
  });

  it('says which key is wrong, in one line', () => {
    expect(configError(() => parseCatalogue({ approved: {} }, 'c.yaml'))).toBe(
      'c.yaml: approved: expected a list of entries',
    );
    expect(configError(() => catalogue([{ tags: ['1'] }]))).toBe(
      'c.yaml: approved[0]: repository is required',
    );
    expect(configError(() => catalogue([{ repository: 'a', tag: '1' }]))).toBe(
      'c.yaml: approved[0].tag: unknown key (use repository, tags, versions, digests, owner, notes, profile)',
    );
    expect(configError(() => catalogue([{ repository: 'a', digests: ['sha256:12'] }]))).toBe(
      'c.yaml: approved[0].digests: "sha256:12" is not a sha256 digest',
    );
    expect(configError(() => catalogue([{ repository: 'a', profile: { noShel: true } }]))).toMatch(
      /^c\.yaml: approved\[0\]\.profile\.noShel: unknown setting \(use nonRootUser, noShell/,
    );
    expect(configError(() => catalogue([{ repository: 'a', profile: { noShell: 'yes' } }]))).toBe(
      'c.yaml: approved[0].profile.noShell: expected true or false',
    );
  });
});
