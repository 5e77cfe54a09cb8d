import { describe, expect, it } from 'vitest';
import { distroQualifier, osPurl } from './purl.js';

describe('osPurl', () => {
  it.each([
    [
      'deb',
      { id: 'debian', versionId: '12', idLike: [] },
      'libc6',
      '2.36-9+deb12u4',
      { arch: 'amd64' },
      'pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12',
    ],
    [
      'deb',
      { id: 'ubuntu', versionId: '24.04', idLike: ['debian'] },
      'bash',
      '5.2.21-2ubuntu4',
      { arch: 'amd64', upstream: undefined },
      'pkg:deb/ubuntu/bash@5.2.21-2ubuntu4?arch=amd64&distro=ubuntu-24.04',
    ],
    ['deb', undefined, 'libc6', '2.36', { arch: 'amd64' }, 'pkg:deb/debian/libc6@2.36?arch=amd64'],
    [
      'apk',
      { id: 'unknown', idLike: [] },
      'musl',
      '1.2.5-r0',
      { arch: 'aarch64' },
      'pkg:apk/alpine/musl@1.2.5-r0?arch=aarch64',
    ],
    [
      'rpm',
      { id: 'rhel', versionId: '9.4', idLike: ['fedora'] },
      'openssl-libs',
      '3.0.7-27.el9',
      { epoch: '1', arch: 'x86_64' },
      'pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1',
    ],
    ['rpm', undefined, 'bash', '5.1-1', { arch: 'x86_64' }, 'pkg:rpm/bash@5.1-1?arch=x86_64'],
  ] as const)('%s %s %s', (type, distro, name, version, qualifiers, expected) => {
    expect(osPurl(type, distro, name, version, qualifiers)).toBe(expected);
  });

  it('percent-encodes qualifier values', () => {
    expect(
      osPurl('deb', { id: 'debian', versionId: '12', idLike: [] }, 'x', '1', { upstream: 'src@1 2' }),
    ).toBe('pkg:deb/debian/x@1?distro=debian-12&upstream=src%401%202');
  });

  it('uses the codename when there is no version', () => {
    expect(distroQualifier({ id: 'debian', versionCodename: 'trixie', idLike: [] })).toBe('debian-trixie');
    expect(distroQualifier({ id: 'debian', idLike: [] })).toBeUndefined();
  });
});
