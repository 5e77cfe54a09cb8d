import { describe, expect, it } from 'vitest';
import { memoryView } from '../test-support/memory-view.js';
import { DISTRO_FILES, detectDistro, matchDistroFile } from './detect.js';
import { parseOsRelease } from './os-release.js';

describe('parseOsRelease', () => {
  it('handles quoting, escapes, comments and junk lines', () => {
    const text = [
      '# a comment',
      'NAME="Example \\"Quoted\\" OS"',
      "ID='exos'",
      'VERSION_ID=4.1',
      'PRETTY_NAME="Dollar \\$HOME and back\\\\slash"',
      'not a key value line',
      '9BAD=1',
      'UNQUOTED=Foo Linux',
      'OPEN="never closed',
      'MIXED="ab"\'cd\'ef',
      'TRAILING=value # comment',
      '',
    ].join('\n');
    const m = parseOsRelease(text);
    expect(Object.fromEntries(m)).toEqual({
      NAME: 'Example "Quoted" OS',
      ID: 'exos',
      VERSION_ID: '4.1',
      PRETTY_NAME: 'Dollar $HOME and back\\slash',
      UNQUOTED: 'Foo Linux',
      MIXED: 'abcdef',
      TRAILING: 'value',
    });
  });

  it('accepts CRLF line endings', () => {
    expect(parseOsRelease('ID=alpine\r\nVERSION_ID=3.20.1\r\n').get('VERSION_ID')).toBe('3.20.1');
  });
});

describe('detectDistro', () => {
  it('reads /etc/os-release', async () => {
    const view = memoryView({
      '/etc/os-release':
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n',
      '/etc/debian_version': '12.7\n',
    });
    expect(await detectDistro(view)).toEqual({
      id: 'debian',
      idLike: [],
      versionId: '12',
      versionCodename: 'bookworm',
      name: 'Debian GNU/Linux',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      foundIn: '/etc/os-release',
    });
  });

  it('falls back to /usr/lib/os-release and splits ID_LIKE', async () => {
    const view = memoryView({
      '/usr/lib/os-release': 'ID="Rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n',
    });
    const d = await detectDistro(view);
    expect(d).toMatchObject({
      id: 'rocky',
      idLike: ['rhel', 'centos', 'fedora'],
      versionId: '9.3',
      foundIn: '/usr/lib/os-release',
    });
  });

  it('ignores an os-release without ID and uses the next source', async () => {
    const view = memoryView({ '/etc/os-release': 'NAME=nothing\n', '/etc/alpine-release': '3.19.4\n' });
    expect(await detectDistro(view)).toMatchObject({
      id: 'alpine',
      versionId: '3.19.4',
      foundIn: '/etc/alpine-release',
    });
  });

  it.each([
    ['/etc/redhat-release', 'Red Hat Enterprise Linux release 9.4 (Plow)', 'rhel', '9.4'],
    ['/etc/centos-release', 'CentOS Linux release 7.9.2009 (Core)', 'centos', '7'],
    ['/etc/redhat-release', 'AlmaLinux release 8.10 (Cerulean Leopard)', 'almalinux', '8.10'],
    ['/etc/system-release', 'Amazon Linux release 2 (Karoo)', 'amzn', '2'],
    ['/etc/system-release', 'Fedora release 40 (Forty)', 'fedora', '40'],
  ])('reads %s: %s', async (path, line, id, versionId) => {
    const d = await detectDistro(memoryView({ [path]: `${line}\n` }));
    expect(d).toMatchObject({ id, versionId, foundIn: path, prettyName: line });
  });

  it('reads /etc/debian_version alone, keeping the major as VERSION_ID', async () => {
    expect(await detectDistro(memoryView({ '/etc/debian_version': '11.9\n' }))).toMatchObject({
      id: 'debian',
      versionId: '11',
    });
    const sidOsRelease = await detectDistro(
      memoryView({
        '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux forky/sid"\nNAME="Debian GNU/Linux"\nID=debian\n',
        '/etc/debian_version': 'forky/sid\n',
      }),
    );
    // os-release without VERSION_ID or VERSION_CODENAME: the codename comes from debian_version.
    expect(sidOsRelease).toMatchObject({
      id: 'debian',
      versionCodename: 'forky',
      foundIn: '/etc/os-release',
    });
    expect(sidOsRelease.versionId).toBeUndefined();
    const sid = await detectDistro(memoryView({ '/etc/debian_version': 'trixie/sid\n' }));
    expect(sid).toMatchObject({ id: 'debian', versionCodename: 'trixie' });
    expect(sid.versionId).toBeUndefined();
  });

  it('recognises distroless Debian by its status.d directory', async () => {
    const withVersion = memoryView({
      '/var/lib/dpkg/status.d/libc6': 'Package: libc6\n',
      '/etc/debian_version': '12.2\n',
    });
    expect(await detectDistro(withVersion)).toMatchObject({ id: 'debian', versionId: '12' });
    const bare = await detectDistro(
      memoryView({ '/var/lib/dpkg/status.d/base-files': 'Package: base-files\n' }),
    );
    expect(bare).toMatchObject({ id: 'debian', foundIn: '/var/lib/dpkg/status.d' });
    expect(bare.versionId).toBeUndefined();
  });

  it('returns unknown (not an error) for an unrecognised root', async () => {
    expect(
      await detectDistro(memoryView({ '/etc/hostname': 'box\n', '/etc/redhat-release': 'Mystery OS 1\n' })),
    ).toEqual({ id: 'unknown', idLike: [] });
  });

  it('skips an oversized release file', async () => {
    const huge = `ID=debian\n${'#'.repeat(100_000)}\n`;
    expect((await detectDistro(memoryView({ '/etc/os-release': huge }))).id).toBe('unknown');
  });

  it('matches exactly the files it reads', () => {
    for (const f of DISTRO_FILES) expect(matchDistroFile(f)).toBe(true);
    expect(matchDistroFile('/etc/os-release.bak')).toBe(false);
    expect(matchDistroFile('/var/lib/dpkg/status')).toBe(false);
  });
});
