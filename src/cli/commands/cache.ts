/** `bulwark cache status|clean`: the per-layer catalog cache in the cache dir. */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { KnownBaseStore } from '../../cache/known-bases.js';
import { LayerCache } from '../../cache/layer-cache.js';
import { defaultDatabasePath } from '../../db/paths.js';
import { layerCacheDir } from '../../util/cache-dir.js';
import type { CliIO } from '../io.js';
import { writeOut } from '../io.js';

function human(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function layerCacheFor(io: CliIO): LayerCache {
  return new LayerCache(layerCacheDir(io.env));
}

export function registerCache(program: Command, io: CliIO): void {
  const cache = program
    .command('cache')
    .description('manage the per-layer catalog cache (BULWARK_CACHE_DIR, else the XDG cache dir)');
  cache
    .command('status')
    .description('show where the cache is and how big it is')
    .action(async () => {
      const s = layerCacheFor(io).status();
      const dbPath = defaultDatabasePath(io.env);
      let db = 'none';
      try {
        db = `${dbPath} (${human(statSync(dbPath).size)})`;
      } catch {
        db = `none (${dbPath})`;
      }
      await writeOut(
        io,
        `Scan cache    ${s.dir}\n  layers      ${s.layers}\n  images      ${s.images}\n  size        ${human(s.bytes)}\nDatabase      ${db}\n`,
      );
    });
  cache
    .command('clean')
    .description(
      'remove every cached layer and image result and the images remembered as possible bases (the vulnerability database is kept)',
    )
    .action(async () => {
      const c = layerCacheFor(io);
      const removed = c.clean();
      // The images remembered as possible base images live in the same folder and go with it.
      new KnownBaseStore(c.dir).clean();
      await writeOut(
        io,
        `Removed ${removed.files} cache file${removed.files === 1 ? '' : 's'} (${human(removed.bytes)}) from ${c.dir}\n`,
      );
    });
}
