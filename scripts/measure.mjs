// Runs one Bulwark CLI invocation in this process and prints wall time and peak RSS as JSON on fd 3
// (stdout/stderr belong to the command). Used by the benchmarks: `node scripts/measure.mjs sbom …`.
import { fileURLToPath } from 'node:url';
import { measuredRun } from './bench/measured-run.mjs';

// BULWARK_BENCH_PRELOAD: comma-separated modules (paths inside dist/) loaded before the clock starts for
// `workMs`, so that figure is Bulwark's work on the input, not Node compiling modules.
const preload = (process.env.BULWARK_BENCH_PRELOAD ?? '').split(',').filter(Boolean);
await measuredRun(fileURLToPath(new URL('../dist', import.meta.url)), process.argv.slice(2), preload);
