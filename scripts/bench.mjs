// `npm run bench`: every benchmark, one after the other (run on an otherwise idle machine).
// Each part skips with a message when its inputs (test images, shared data) are missing.
// `npm run bench -- --only server` (or `--only db,scan`) runs only the named parts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bench/common.mjs';
import { benchSbom } from './bench/sbom.mjs';

const PARTS = ['sbom', 'db', 'scan', 'registry', 'lint', 'secrets', 'catalog', 'ci', 'server', 'peers'];
const at = process.argv.indexOf('--only');
const only = at >= 0 ? (process.argv[at + 1] ?? '').split(',').filter(Boolean) : PARTS;
const unknown = only.filter((p) => !PARTS.includes(p));
if (at >= 0 && (only.length === 0 || unknown.length > 0)) {
  console.error(`bench: --only takes a comma list of: ${PARTS.join(', ')}`);
  process.exit(2);
}

console.log(
  `# Bulwark benchmarks (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${process.platform}/${process.arch})`,
);
if (only.includes('sbom')) await benchSbom();
for (const part of PARTS.slice(1)) {
  if (!only.includes(part)) continue;
  const file = join(ROOT, 'scripts', `bench-${part}.mjs`);
  if (!existsSync(file)) continue;
  const mod = await import(file);
  if (typeof mod.default === 'function') await mod.default();
}
