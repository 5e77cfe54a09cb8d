// Runs one Bulwark CLI invocation in this process and prints wall time and peak RSS as JSON on fd 3
// (stdout/stderr belong to the command). Used by the benchmarks: `node scripts/measure.mjs sbom …`.
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';

const sink = new Writable({ write: (_c, _e, cb) => cb() });
const io = {
  stdout: sink,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
};
const t0 = performance.now();
const { run } = await import('../dist/cli/main.js');
const tLoaded = performance.now();
const code = await run(process.argv.slice(2), io);
const t1 = performance.now();
const result = {
  code,
  wallMs: t1 - t0,
  workMs: t1 - tLoaded,
  maxRssMB: process.resourceUsage().maxRSS / 1024,
};
writeSync(3, `${JSON.stringify(result)}\n`);
