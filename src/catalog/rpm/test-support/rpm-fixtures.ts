/**
 * Real rpm databases for tests, made with the system's rpm tools: two tiny noarch spec files are
 * built with rpmbuild and installed (`--justdb`) into an SQLite rpmdb. Berkeley DB files are made
 * from the same header blobs with libdb's own `db_load`; ndb files with {@link writeNdb}, which
 * follows rpm's ndb layout (Debian's rpm is built without the ndb backend).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { adler32 } from '../db-ndb.js';

function has(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** Why the rpm fixtures cannot be built here, or undefined when they can. */
export function missingRpmTools(): string | undefined {
  if (!has('rpmbuild')) return 'rpmbuild (Debian package "rpm")';
  if (!has('rpm')) return 'rpm (Debian package "rpm")';
  return undefined;
}

/** The db_load binary of libdb (Debian package "db-util"), if installed. */
export function dbLoadCommand(): string | undefined {
  for (const cmd of ['db5.3_load', 'db_load'])
    if (spawnSync(cmd, ['-V'], { stdio: 'ignore' }).status === 0) return cmd;
  return undefined;
}

const HELLO_SPEC = `Name: hello-tiny
Version: 1.2
Release: 3
Summary: A tiny greeting
License: MIT
BuildArch: noarch
%description
Greets.
%install
mkdir -p %{buildroot}/usr/share/hello-tiny
echo hello > %{buildroot}/usr/share/hello-tiny/greeting.txt
%files
/usr/share/hello-tiny/greeting.txt
`;

const WIDGET_SPEC = `Name: widget
Epoch: 3
Version: 2.0
Release: 1.test
Summary: Widget tool
License: MIT AND Apache-2.0
Vendor: Example Vendor
BuildArch: noarch
%description
Widget tool.
%package -n libwidget
Summary: Widget library
%description -n libwidget
Widget library.
%install
mkdir -p %{buildroot}/usr/lib/widget %{buildroot}/usr/bin
echo core > %{buildroot}/usr/lib/widget/core.txt
echo tool > %{buildroot}/usr/bin/widget
%files
/usr/bin/widget
%files -n libwidget
%dir /usr/lib/widget
/usr/lib/widget/core.txt
`;

export interface RpmFixtures {
  readonly dir: string;
  /** rpmdb.sqlite holding only hello-tiny. */
  readonly sqliteFirst: Buffer;
  /** rpmdb.sqlite holding hello-tiny, widget and libwidget. */
  readonly sqliteAll: Buffer;
  /** The header blobs of `sqliteAll`, in hnum order. */
  readonly blobs: Buffer[];
  cleanup(): void;
}

function rpm(dbpath: string, args: string[]): void {
  execFileSync('rpm', ['--dbpath', dbpath, '--define', '_db_backend sqlite', ...args], { stdio: 'pipe' });
}

/** Build the packages and databases (about a second). */
export function buildRpmFixtures(): RpmFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-rpm-'));
  mkdirSync(join(dir, 'SPECS'));
  const specs = { 'hello-tiny.spec': HELLO_SPEC, 'widget.spec': WIDGET_SPEC };
  for (const [name, text] of Object.entries(specs)) {
    writeFileSync(join(dir, 'SPECS', name), text);
    execFileSync(
      'rpmbuild',
      [
        '--define',
        `_topdir ${dir}`,
        '--define',
        'modularitylabel widget:2:20240101:abcd',
        '-bb',
        join(dir, 'SPECS', name),
      ],
      { stdio: 'pipe' },
    );
  }
  const rpms = join(dir, 'RPMS', 'noarch');
  const install = ['--justdb', '--nodeps', '--ignorearch', '--noscripts', '--notriggers', '-i'];
  const db = join(dir, 'db');
  mkdirSync(db);
  rpm(db, [...install, join(rpms, 'hello-tiny-1.2-3.noarch.rpm')]);
  const sqliteFirst = readFileSync(join(db, 'rpmdb.sqlite'));
  rpm(db, [
    ...install,
    join(rpms, 'widget-2.0-1.test.noarch.rpm'),
    join(rpms, 'libwidget-2.0-1.test.noarch.rpm'),
  ]);
  const sqliteAll = readFileSync(join(db, 'rpmdb.sqlite'));
  const sqlite = new Database(join(db, 'rpmdb.sqlite'), { readonly: true });
  const blobs = (sqlite.prepare('SELECT blob FROM Packages ORDER BY hnum').pluck().all() as Buffer[]).map(
    (b) => Buffer.from(b),
  );
  sqlite.close();
  return { dir, sqliteFirst, sqliteAll, blobs, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A Berkeley DB hash `Packages` file holding `blobs` under 32-bit instance-number keys (plus rpm's
 * key-0 counter record), written by libdb's db_load. Small pages force overflow chains.
 */
export function writeBdb(
  dbLoad: string,
  dir: string,
  blobs: Buffer[],
  opts: { pageSize: number; bigEndian: boolean },
): string {
  const out = join(dir, `bdb-${opts.pageSize}-${opts.bigEndian ? 'be' : 'le'}`);
  mkdirSync(out, { recursive: true });
  const key = (n: number): string => {
    const b = Buffer.alloc(4);
    if (opts.bigEndian) b.writeUInt32BE(n);
    else b.writeUInt32LE(n);
    return b.toString('hex');
  };
  const lines = [
    'VERSION=3',
    'format=bytevalue',
    'type=hash',
    `db_pagesize=${opts.pageSize}`,
    `db_lorder=${opts.bigEndian ? 4321 : 1234}`,
    'HEADER=END',
  ];
  lines.push(` ${key(0)}`, ` ${key(blobs.length + 1)}`);
  blobs.forEach((blob, i) => lines.push(` ${key(i + 1)}`, ` ${blob.toString('hex')}`));
  lines.push('DATA=END', '');
  writeFileSync(join(out, 'dump.txt'), lines.join('\n'));
  execFileSync(dbLoad, ['-f', join(out, 'dump.txt'), join(out, 'Packages')], { stdio: 'pipe' });
  return join(out, 'Packages');
}

/** Names rpm itself lists from a database directory (to prove a generated database is genuine). */
export function rpmQueryAll(dbpath: string, backend: string): string[] {
  const r = spawnSync(
    'rpm',
    ['--dbpath', dbpath, '--define', `_db_backend ${backend}`, '-qa', '--qf', '%{NAME}\\n'],
    { encoding: 'utf8' },
  );
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .sort();
}

/**
 * An ndb `Packages.db` following rpm's lib/backend/ndb layout: header, one page of slots (the first
 * `freeSlots` left empty to exercise free-slot handling), blobs in 16-byte blocks with head, tail and
 * Adler-32 checksum.
 */
export function writeNdb(blobs: Buffer[], freeSlots = 1): Buffer {
  const PAGE = 4096;
  const blocks: Buffer[] = [];
  const slots = Buffer.alloc(PAGE);
  slots.write('RpmP', 0, 'latin1');
  slots.writeUInt32LE(0, 4); // version
  slots.writeUInt32LE(7, 8); // generation
  slots.writeUInt32LE(1, 12); // slot pages
  slots.writeUInt32LE(blobs.length + 1, 16); // next package index
  for (let at = 32; at < PAGE; at += 16) slots.write('Slot', at, 'latin1');
  let blkoff = PAGE / 16;
  blobs.forEach((blob, i) => {
    const pkgidx = i + 1;
    const blkcnt = Math.ceil((16 + blob.length + 12) / 16);
    const framed = Buffer.alloc(blkcnt * 16);
    framed.write('BlbS', 0, 'latin1');
    framed.writeUInt32LE(pkgidx, 4);
    framed.writeUInt32LE(1_700_000_000, 8);
    framed.writeUInt32LE(blob.length, 12);
    blob.copy(framed, 16);
    const tail = framed.length - 12;
    framed.writeUInt32LE(adler32(framed.subarray(0, tail)), tail);
    framed.writeUInt32LE(blob.length, tail + 4);
    framed.write('BlbE', tail + 8, 'latin1');
    const slotAt = 32 + (freeSlots + i) * 16;
    slots.writeUInt32LE(pkgidx, slotAt + 4);
    slots.writeUInt32LE(blkoff, slotAt + 8);
    slots.writeUInt32LE(blkcnt, slotAt + 12);
    blocks.push(framed);
    blkoff += blkcnt;
  });
  return Buffer.concat([slots, ...blocks]);
}
