// The child side of a measurement: run one Bulwark CLI invocation in this process and write its timings
// as one JSON line on fd 3, since stdout and stderr belong to the command. The parent side is
// `measureNode` in common.mjs.
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

/**
 * Run `bulwark <args>` from the build in `distDir`. `wallMs` counts from before the CLI is loaded;
 * `workMs` from after it and the `preload` modules (paths inside `distDir`) are loaded. The command's
 * standard output is discarded: it is not what is measured.
 */
export async function measuredRun(distDir, args, preload = []) {
  const url = (p) => pathToFileURL(join(distDir, p)).href;
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const io = {
    stdout: sink,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
  const t0 = performance.now();
  const { run } = await import(url('cli/main.js'));
  for (const m of preload) await import(url(m));
  const tLoaded = performance.now();
  const code = await run(args, io);
  const t1 = performance.now();
  const result = {
    code,
    wallMs: t1 - t0,
    workMs: t1 - tLoaded,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
  writeSync(3, `${JSON.stringify(result)}\n`);
}
