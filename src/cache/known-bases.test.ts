import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KNOWN_BASES_FILE, KnownBaseStore } from './known-bases.js';

const d = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const dirs: string[] = [];
const fresh = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-known-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the known-bases store', () => {
  it('remembers images across instances and answers by first layer and by digest', () => {
    const dir = fresh();
    const a = new KnownBaseStore(dir);
    a.record({ name: 'debian:12', digest: d(100), diffIds: [d(1)], origin: 'scanned' });
    a.record({ name: 'app:1', diffIds: [d(1), d(2)], origin: 'pulled' });
    a.record({ name: 'debian:12', digest: d(100), diffIds: [d(1)], origin: 'scanned' }); // seen again
    const b = new KnownBaseStore(dir);
    expect(
      b
        .byFirstLayer(d(1))
        .map((k) => k.name)
        .sort(),
    ).toEqual(['app:1', 'debian:12']);
    expect(b.byFirstLayer(d(2))).toEqual([]);
    expect(b.byDigest(d(100))).toEqual([
      { name: 'debian:12', digest: d(100), diffIds: [d(1)], origin: 'scanned' },
    ]);
    expect(b.list()).toHaveLength(2);
  });

  it('treats a damaged file as empty, drops invalid entries, keeps at most the limit, and cleans', () => {
    const dir = fresh();
    writeFileSync(join(dir, KNOWN_BASES_FILE), '{not json');
    const s = new KnownBaseStore(dir);
    expect(s.byFirstLayer(d(1))).toEqual([]);
    writeFileSync(
      join(dir, KNOWN_BASES_FILE),
      JSON.stringify({
        format: 1,
        images: [
          { name: 'ok', diffIds: [d(1)], origin: 'scanned', seen: 'x' },
          { name: 'bad', diffIds: ['../../etc'], origin: 'scanned', seen: 'x' },
          { name: 'cat', diffIds: [d(1)], origin: 'catalogue', seen: 'x' },
        ],
      }),
    );
    expect(new KnownBaseStore(dir).byFirstLayer(d(1)).map((k) => k.name)).toEqual(['ok']);
    const big = new KnownBaseStore(dir, 10);
    for (let i = 0; i < 15; i++)
      big.record(
        { name: `img:${i}`, diffIds: [d(i + 10)], origin: 'scanned' },
        new Date(1_700_000_000_000 + i),
      );
    const kept = JSON.parse(readFileSync(join(dir, KNOWN_BASES_FILE), 'utf8')) as {
      images: { name: string }[];
    };
    expect(kept.images).toHaveLength(10);
    expect(kept.images[0]!.name).toBe('img:14');
    expect(new KnownBaseStore(dir).byFirstLayer(d(1))).toEqual([]); // the oldest went first
    expect(big.clean()).toBe(true);
    expect(new KnownBaseStore(dir).list()).toEqual([]);
    expect(big.clean()).toBe(false);
  });
});
