#!/usr/bin/env node
// Benchmark: `bulwark sbom` of debian12-node pulled from a local registry vs read from its OCI layout.
// Prints the median wall time of each and the overhead ratio (target: at most 1.3x).
//
// Needs a build (npm run build), docker-registry and skopeo, and the test images (see scripts/bench/common.mjs).
// Part of `npm run bench`; alone: node scripts/bench-registry.mjs [runs]
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { Writable, PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { IMAGES, table } from './bench/common.mjs';

const exec = promisify(execFile);
const layout = join(IMAGES, 'debian12-node.oci');
let run;
let tmp;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (up) return;
    await sleep(100);
  }
  throw new Error('docker-registry did not start');
}

/** One in-process `bulwark sbom TARGET -f json -q`, output discarded; returns milliseconds. */
async function sbom(target) {
  let bytes = 0;
  const sink = new Writable({
    write(c, _e, cb) {
      bytes += c.length;
      cb();
    },
  });
  const stdin = new PassThrough();
  stdin.end();
  const t0 = performance.now();
  const code = await run(['sbom', target, '-f', 'json', '-q', '--no-cache'], {
    stdout: sink,
    stderr: process.stderr,
    stdin,
    env: { ...process.env, HOME: tmp },
    cwd: process.cwd(),
  });
  const ms = performance.now() - t0;
  if (code !== 0 || bytes === 0) throw new Error(`bulwark sbom ${target} failed with exit code ${code}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function benchRegistry(runs = 5) {
  if (!existsSync(layout)) {
    console.log(`\n## sbom from a registry\nskipped: ${layout} is missing (build the test images first)`);
    return;
  }
  ({ run } = await import('../dist/cli/main.js'));
  tmp = mkdtempSync(join(tmpdir(), 'bulwark-bench-registry-'));
  let registry;
  try {
    const port = await freePort();
    mkdirSync(join(tmp, 'data'));
    writeFileSync(
      join(tmp, 'config.yml'),
      `version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: ${JSON.stringify(join(tmp, 'data'))}}}\nhttp: {addr: "127.0.0.1:${port}"}\n`,
    );
    registry = spawn('docker-registry', ['serve', join(tmp, 'config.yml')], { stdio: 'ignore' });
    await waitForPort(port);
    await exec('skopeo', [
      '--insecure-policy',
      'copy',
      '-q',
      '--dest-tls-verify=false',
      `oci:${layout}:latest`,
      `docker://127.0.0.1:${port}/debian12-node:latest`,
    ]);

    const targets = {
      'oci layout': `oci-dir://${layout}`,
      registry: `registry://127.0.0.1:${port}/debian12-node:latest`,
    };
    const times = { 'oci layout': [], registry: [] };
    await sbom(targets['oci layout']); // warm-up: page cache and module loading
    await sbom(targets.registry);
    for (let i = 0; i < runs; i++) {
      // Interleaved so that machine noise hits both sides alike.
      for (const k of Object.keys(targets)) times[k].push(await sbom(targets[k]));
    }
    const layoutMs = median(times['oci layout']);
    const registryMs = median(times.registry);
    const ratio = registryMs / layoutMs;
    table(`sbom debian12-node from a local registry vs its OCI layout (median of ${runs})`, [
      {
        'oci layout ms': layoutMs.toFixed(0),
        'registry ms': registryMs.toFixed(0),
        'overhead (target ≤ 1.3×)': `${ratio.toFixed(2)}×`,
      },
    ]);
  } finally {
    if (registry && registry.exitCode === null) {
      const done = new Promise((r) => registry.once('exit', r));
      registry.kill('SIGTERM');
      await done;
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchRegistry(Number(process.argv[2] ?? 5));
}
