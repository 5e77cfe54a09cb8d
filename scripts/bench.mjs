// `npm run bench`: every benchmark, one after the other (run on an otherwise idle machine).
// Each part skips with a message when its inputs (test images, shared data) are missing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bench/common.mjs';
import { benchSbom } from './bench/sbom.mjs';

console.log(
  `# Bulwark benchmarks (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${process.platform}/${process.arch})`,
);
await benchSbom();
for (const part of [
  'bench-db.mjs',
  'bench-scan.mjs',
  'bench-registry.mjs',
  'bench-lint.mjs',
  'bench-secrets.mjs',
  'bench-catalog.mjs',
  'bench-peers.mjs',
]) {
  const file = join(ROOT, 'scripts', part);
  if (!existsSync(file)) continue;
  const mod = await import(file);
  if (typeof mod.default === 'function') await mod.default();
}
