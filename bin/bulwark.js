#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built by `npm run build`), bundled into
// dist/bundle/main.js for a faster start (scripts/bundle.mjs). The bundle runs when it is at least as
// new as the tsc output, so a `tsc`-only rebuild never runs stale code.
import { statSync } from 'node:fs';

const mtime = (rel) => {
  try {
    return statSync(new URL(rel, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundled = mtime('../dist/bundle/main.js') >= mtime('../dist/cli/main.js');
const { run } = await import(bundled ? '../dist/bundle/main.js' : '../dist/cli/main.js');

// A closed pipe (`bulwark sbom … | head`) is the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await run(process.argv.slice(2));
