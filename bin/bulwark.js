#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built by `npm run build`).
import { run } from '../dist/cli/main.js';

process.exitCode = await run(process.argv.slice(2));
