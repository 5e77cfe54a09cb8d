import { describe, expect, it } from 'vitest';
import { UsageError } from '../../util/errors.js';
import { apiHost, formatReference, hostName, manifestReference, parseReference } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    ['debian', 'docker.io', 'library/debian', 'latest', undefined],
    ['debian:12', 'docker.io', 'library/debian', '12', undefined],
    ['library/debian:12', 'docker.io', 'library/debian', '12', undefined],
    ['docker.io/debian', 'docker.io', 'library/debian', 'latest', undefined],
    ['index.docker.io/library/debian:bookworm', 'docker.io', 'library/debian', 'bookworm', undefined],
    ['bitnami/redis:7.2', 'docker.io', 'bitnami/redis', '7.2', undefined],
    ['ghcr.io/org/team/app:v1.2.3', 'ghcr.io', 'org/team/app', 'v1.2.3', undefined],
    ['localhost/app', 'localhost', 'app', 'latest', undefined],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', undefined],
    ['127.0.0.1:5000/a/b', '127.0.0.1:5000', 'a/b', 'latest', undefined],
    ['[::1]:5000/app:x', '[::1]:5000', 'app', 'x', undefined],
    [
      'registry.example.com:443/x/y_z__w-v.q',
      'registry.example.com:443',
      'x/y_z__w-v.q',
      'latest',
      undefined,
    ],
    [`debian@${D}`, 'docker.io', 'library/debian', undefined, D],
    [`quay.io/a/b:tag@${D}`, 'quay.io', 'a/b', 'tag', D],
    ['Host.Example/app', 'Host.Example', 'app', 'latest', undefined],
  ])('%s', (text, registry, repository, tag, digest) => {
    const ref = parseReference(text);
    expect(ref).toEqual({ registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) });
  });

  it.each([
    ['', /empty/],
    ['Debian', /lowercase/],
    ['team/App', /lowercase/],
    ['debian:', /not a valid tag/],
    ['debian:-bad', /not a valid tag/],
    [`debian:${'t'.repeat(129)}`, /not a valid tag/],
    ['debian@sha256:abc', /not a valid digest/],
    [`debian@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    ['debian@md5', /not a valid digest/],
    ['team/a..b', /not a valid repository path component/],
    ['host:99999/app', /not a valid registry host/],
    ['host:port/app', /not a valid registry host/],
    ['-bad.host/app', /not a valid registry host/],
    ['localhost:5000/', /missing repository name/],
    [':tag', /missing repository name/],
    ['a'.repeat(64), /image ID/],
    [`x.io/${'a'.repeat(260)}`, /longer than 255/],
    ['app/with space', /not a valid/],
  ])('refuses %j', (text, why) => {
    let err: unknown;
    try {
      parseReference(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).not.toContain('\n');
  });

  it('formats and resolves hosts', () => {
    expect(formatReference(parseReference('debian:12'))).toBe('docker.io/library/debian:12');
    expect(formatReference(parseReference(`x.io/a:t@${D}`))).toBe(`x.io/a:t@${D}`);
    expect(manifestReference(parseReference(`x.io/a:t@${D}`))).toBe(D);
    expect(manifestReference(parseReference('x.io/a'))).toBe('latest');
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('localhost:5000')).toBe('localhost:5000');
    expect(hostName('[::1]:5000')).toBe('::1');
    expect(hostName('127.0.0.1:5000')).toBe('127.0.0.1');
    expect(hostName('ghcr.io')).toBe('ghcr.io');
  });
});
