/**
 * Match results of one image SBOM against one database file, so that re-scanning an unchanged image with
 * an unchanged database costs a file read instead of a thousand lookups. It sits above the image SBOM
 * cache (../cache/sbom-cache.ts): its key folds in that cache's key (config digest, layer diff IDs,
 * catalogers, tool version), the database file's identity (path, size, modification time, inode, build
 * time) and every option that changes matching. Any change — a `db update`, another database, a new
 * Bulwark — is a different key, so stale results are never read; old files age out with the layer cache.
 *
 * File `<cache dir>/<key>.bwm`: "BWMATCH\0" | u32 format | u32 payload length | sha256 (32 bytes) |
 * raw-deflate(JSON). Findings and not-evaluated entries name their package by id; reading maps the ids
 * back to the SBOM's own package objects (a miss when one is absent). Anything invalid is a miss.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { MatchResult } from '../match/match.js';
import type { Finding, NotEvaluated } from '../match/types.js';
import type { Package } from '../model/package.js';

export const MATCH_CACHE_FORMAT = 1;
const MAGIC = Buffer.from('BWMATCH\0', 'latin1');
const HEAD = MAGIC.length + 8 + 32;
const MAX_BYTES = 256 * 1024 * 1024;

/** What identifies the database file a result was matched against. */
export interface DatabaseIdentity {
  readonly path: string;
  readonly builtAt?: string;
}

/** The key of one (image SBOM, database file, match options) triple; undefined when the file is gone. */
export function matchKey(
  sbomKey: string,
  db: DatabaseIdentity,
  options: Readonly<Record<string, unknown>>,
): string | undefined {
  let st;
  try {
    st = statSync(db.path);
  } catch {
    return undefined;
  }
  return createHash('sha256')
    .update(
      JSON.stringify({
        f: MATCH_CACHE_FORMAT,
        sbomKey,
        db: { path: db.path, size: st.size, mtime: st.mtimeMs, ino: st.ino, builtAt: db.builtAt ?? null },
        options: Object.fromEntries(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1))),
      }),
    )
    .digest('hex');
}

type Stored<T extends { package: Package }> = Omit<T, 'package'> & { package: string };

interface Payload {
  readonly findings: Stored<Finding>[];
  readonly notEvaluated: Stored<NotEvaluated>[];
  readonly stats: MatchResult['stats'];
}

export class MatchCache {
  constructor(readonly dir: string) {}

  private pathFor(key: string): string {
    return join(this.dir, `${key}.bwm`);
  }

  /** The stored result for `key`, its packages resolved against `packages`; undefined on any miss. */
  read(key: string, packages: readonly Package[]): MatchResult | undefined {
    const path = this.pathFor(key);
    try {
      if (statSync(path).size > MAX_BYTES) throw new Error('too large');
      const buf = readFileSync(path);
      if (buf.length < HEAD || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('bad magic');
      if (buf.readUInt32BE(MAGIC.length) !== MATCH_CACHE_FORMAT) throw new Error('other format');
      const length = buf.readUInt32BE(MAGIC.length + 4);
      const body = buf.subarray(HEAD);
      if (body.length !== length) throw new Error('truncated');
      const sum = buf.subarray(MAGIC.length + 8, HEAD);
      if (!createHash('sha256').update(body).digest().equals(sum)) throw new Error('checksum');
      const payload = JSON.parse(inflateRawSync(body).toString('utf8')) as Payload;
      const byId = new Map(packages.map((p) => [p.id, p]));
      const resolve = <T extends { package: Package }>(items: readonly Stored<T>[]): T[] =>
        items.map((item) => {
          const pkg = byId.get(item.package);
          if (!pkg) throw new Error(`package ${item.package} not in the SBOM`);
          return { ...item, package: pkg } as unknown as T;
        });
      return {
        findings: resolve<Finding>(payload.findings),
        notEvaluated: resolve<NotEvaluated>(payload.notEvaluated),
        stats: payload.stats,
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') rmSync(path, { force: true });
      return undefined;
    }
  }

  /** Store `result` atomically; failures are ignored (the cache is an optimisation). */
  write(key: string, result: MatchResult): void {
    const strip = <T extends { package: Package }>(items: readonly T[]): Stored<T>[] =>
      items.map((item) => ({ ...item, package: item.package.id }));
    const payload: Payload = {
      findings: strip(result.findings),
      notEvaluated: strip(result.notEvaluated),
      stats: result.stats,
    };
    const body = deflateRawSync(Buffer.from(JSON.stringify(payload), 'utf8'));
    if (body.length > MAX_BYTES) return;
    const head = Buffer.alloc(HEAD);
    MAGIC.copy(head, 0);
    head.writeUInt32BE(MATCH_CACHE_FORMAT, MAGIC.length);
    head.writeUInt32BE(body.length, MAGIC.length + 4);
    createHash('sha256')
      .update(body)
      .digest()
      .copy(head, MAGIC.length + 8);
    const path = this.pathFor(key);
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, Buffer.concat([head, body]), { mode: 0o600 });
      renameSync(tmp, path);
    } catch {
      rmSync(tmp, { force: true });
    }
  }
}
