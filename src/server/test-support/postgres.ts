/**
 * A real PostgreSQL for tests: Debian's `postgresql` package (installed by scripts/setup-test-env.sh),
 * initialised in a temp dir and started on a private port on 127.0.0.1, then stopped and removed. Runs
 * as the `postgres` OS user when we are root (PostgreSQL refuses to run as root), else as ourselves.
 * Missing binaries skip the tests loudly, and fail them when BULWARK_REQUIRE_IMAGES=1 (CI).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The newest PostgreSQL ≥ 15 `bin` folder of Debian's layout, or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && Number(v) >= 15 && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** True when PostgreSQL can be started; throws in CI (BULWARK_REQUIRE_IMAGES=1) when it cannot. */
export function havePostgres(): boolean {
  if (postgresBinDir()) return true;
  const msg =
    'PostgreSQL ≥ 15 is not installed (/usr/lib/postgresql/<version>/bin); run scripts/setup-test-env.sh';
  if (process.env.BULWARK_REQUIRE_IMAGES === '1') throw new Error(msg);
  console.warn(`\n*** SKIPPING PostgreSQL tests: ${msg} ***\n`);
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestPostgres {
  readonly port: number;
  /** A URL for a fresh, empty database (created on each call). */
  newDatabase(): Promise<string>;
  stop(): void;
}

function uid(name: string): number | undefined {
  try {
    return Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

/** Start a private PostgreSQL cluster. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]): void => {
    const full = join(bin, cmd);
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe' });
    else execFileSync(full, args, { stdio: 'pipe' });
  };
  if (asRoot) {
    const pgUid = uid('postgres');
    if (pgUid === undefined) throw new Error('no postgres OS user (install the postgresql package)');
    chownSync(dir, pgUid, pgUid);
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    'start',
  ]);
  const pg = (await import('pg')).default;
  let n = 0;
  return {
    port,
    async newDatabase() {
      const name = `bulwark_test_${process.pid}_${++n}`;
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
