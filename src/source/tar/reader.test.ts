import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/build.js';
import { TarFormatError, TarReader, type TarHeader } from './reader.js';

/** GNU tar is installed everywhere the tests run (the setup script's base system); its absence fails. */
function gnuTar(args: string[], cwd: string): void {
  const version = execFileSync('tar', ['--version'], { encoding: 'utf8' });
  if (!version.includes('GNU tar')) throw new Error('these tests need GNU tar as `tar`');
  execFileSync('tar', args, { cwd });
}

interface Read {
  headers: TarHeader[];
  files: Map<string, string>;
}

/** Feed an archive through the reader in `chunk`-byte pieces. */
function read(archive: Buffer, chunk = 4096): Read {
  const headers: TarHeader[] = [];
  const files = new Map<string, string>();
  const reader = new TarReader({
    onEntry: (h) => {
      headers.push(h);
      if (h.kind !== 'file') return undefined;
      const parts: Buffer[] = [];
      return {
        write: (c) => parts.push(Buffer.from(c)),
        end: () => {
          files.set(h.name, Buffer.concat(parts).toString('utf8'));
        },
      };
    },
  });
  for (let i = 0; i < archive.length; i += chunk) reader.write(archive.subarray(i, i + chunk));
  reader.end();
  return { headers, files };
}

const LONG_DIR = `${'d'.repeat(60)}/${'e'.repeat(60)}`;

function tree(): string {
  const dir = tempDir();
  const src = join(dir, 'src');
  mkdirSync(join(src, 'etc'), { recursive: true });
  mkdirSync(join(src, LONG_DIR), { recursive: true });
  writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  writeFileSync(join(src, LONG_DIR, 'file.txt'), 'deep\n');
  return dir;
}

describe('GNU tar headers', () => {
  it('reads incremental GNU archives: atime/ctime at offset 345 are not a name prefix', () => {
    const dir = tree();
    gnuTar(['--format=gnu', '-G', '--listed-incremental=snap', '-cf', 'inc.tar', '-C', 'src', '.'], dir);
    const archive = readFileSync(join(dir, 'inc.tar'));
    // The archive really has the GNU magic and octal times where POSIX keeps the prefix.
    expect(archive.toString('latin1', 257, 265)).toBe('ustar  \0');
    for (const chunk of [512, 4096, 1_000_000]) {
      const { headers, files } = read(archive, chunk);
      expect(files.get('./etc/passwd')).toBe('root:x:0:0::/root:/bin/sh\n');
      expect(files.get(`./${LONG_DIR}/file.txt`)).toBe('deep\n');
      // Incremental directory entries (typeflag D, data = dump directory) are directories.
      expect(headers.filter((h) => h.typeflag === 'D').every((h) => h.kind === 'dir')).toBe(true);
      expect(headers.every((h) => h.name.startsWith('./'))).toBe(true);
    }
  });

  it.each(['gnu', 'oldgnu'])('reads --format=%s archives with ././@LongLink names', (format) => {
    const dir = tree();
    gnuTar([`--format=${format}`, '-cf', 'a.tar', '-C', 'src', '.'], dir);
    const archive = readFileSync(join(dir, 'a.tar'));
    expect(archive.includes('././@LongLink')).toBe(true);
    const { files } = read(archive);
    expect([...files.keys()].sort()).toEqual([`./${LONG_DIR}/file.txt`, './etc/passwd']);
  });

  it('still joins the POSIX ustar prefix', () => {
    const dir = tree();
    gnuTar(['--format=ustar', '-cf', 'u.tar', '-C', 'src', '.'], dir);
    const archive = readFileSync(join(dir, 'u.tar'));
    // A 130-character path fits ustar only through the prefix field (no GNU long-name entries).
    expect(archive.includes('././@LongLink')).toBe(false);
    expect(read(archive).files.get(`./${LONG_DIR}/file.txt`)).toBe('deep\n');
  });

  /** A 40 MiB file with 12 data islands: more than the 4 map entries of the GNU header. */
  function sparseTree(): string {
    const dir = tree();
    const fd = openSync(join(dir, 'src', 'sparse.img'), 'w');
    for (let i = 0; i < 12; i++) writeSync(fd, Buffer.alloc(4096, 0x41 + i), 0, 4096, i * 3 * 1024 * 1024);
    writeSync(fd, Buffer.from('end'), 0, 3, 40 * 1024 * 1024 - 3);
    closeSync(fd);
    return dir;
  }

  it('skips GNU sparse files (with extension headers) and reads the entries after them', () => {
    const dir = sparseTree();
    gnuTar(['--format=gnu', '--sparse', '-cf', 's.tar', '-C', 'src', 'sparse.img', 'etc'], dir);
    const archive = readFileSync(join(dir, 's.tar'));
    expect(archive.length).toBeLessThan(200_000); // really stored sparse
    expect(archive[156]).toBe('S'.charCodeAt(0));
    expect(archive[482]).toBe(1); // an extension header follows
    const { headers, files } = read(archive, 700);
    const sparse = headers.find((h) => h.name === 'sparse.img')!;
    expect(sparse.kind).toBe('sparse');
    expect(sparse.size).toBe(40 * 1024 * 1024);
    expect(files.get('etc/passwd')).toBe('root:x:0:0::/root:/bin/sh\n');
  });

  it('recognises PAX sparse files (format 1.0) by their GNU.sparse keys and real name', () => {
    const dir = sparseTree();
    gnuTar(['--format=posix', '--sparse', '-cf', 'p.tar', '-C', 'src', 'sparse.img', 'etc'], dir);
    const { headers, files } = read(readFileSync(join(dir, 'p.tar')));
    const sparse = headers.find((h) => h.kind === 'sparse')!;
    expect(sparse.name).toBe('sparse.img');
    expect(sparse.size).toBe(40 * 1024 * 1024);
    expect(files.has('sparse.img')).toBe(false);
    expect(files.get('etc/passwd')).toBe('root:x:0:0::/root:/bin/sh\n');
  });

  it('reports an archive cut inside a sparse map', () => {
    const dir = sparseTree();
    gnuTar(['--format=gnu', '--sparse', '-cf', 's.tar', '-C', 'src', 'sparse.img'], dir);
    const archive = readFileSync(join(dir, 's.tar'));
    // Header, then half of the first extension block.
    expect(() => read(archive.subarray(0, 768))).toThrow(TarFormatError);
    expect(() => read(archive.subarray(0, 768))).toThrow(/sparse map/);
  });
});
