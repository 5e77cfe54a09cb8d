// Secret-scanning throughput (part of `npm run bench`; standalone: `npm run build && node scripts/bench-secrets.mjs`).
//
// 1. this repository's node_modules, as `bulwark secrets` would walk it (lock files skipped; bundles scanned);
// 2. a generated text corpus (BENCH_SECRETS_MB, default 500 MB) in a temp dir, deleted afterwards;
// 3. the same corpus through a naive loop that runs every rule's regex over every line, on a sample
//    (BENCH_SECRETS_NAIVE_MB, default 16 MB) because the full run would take far too long.
//
// Everything runs on one thread of this process; the engine has no worker threads.
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { ROOT, dist, fmt, rng, table } from './bench/common.mjs';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (r, n, set = ALNUM) =>
  Array.from({ length: n }, () => set[Math.floor(r() * set.length)]).join('');

/** One ~1 MiB block of source-like text: code, config, logs, prose; a few planted credentials. */
function corpusBlock(r, blockIndex) {
  const lines = [];
  let size = 0;
  while (size < 1 << 20) {
    const k = Math.floor(r() * 13);
    let line;
    if (k === 0)
      line = `const ${pick(r, 8, 'abcdefghij')} = await client.request({ method: 'GET', path: '/v1/items/${pick(r, 6)}' });`;
    else if (k === 1)
      line = `  timeout: ${Math.floor(r() * 1000)}  # seconds before the token refresh is retried`;
    else if (k === 2)
      line = `${new Date(1.7e12 + r() * 1e10).toISOString()} INFO request_id=${pick(r, 16)} user=${pick(r, 6)} status=200`;
    else if (k === 3)
      line = `def handle_${pick(r, 5, 'abcdefgh')}(self, password_hash, secret_ref):  # never log the password itself`;
    else if (k === 4) line = `sha256:${pick(r, 64, '0123456789abcdef')}  layer.tar`;
    else if (k === 5)
      line = `The quick brown fox jumps over the lazy dog while the API key rotation job runs nightly.`;
    else if (k === 6) line = `    "integrity": "sha512-${pick(r, 86, ALNUM + '+/')}==",`;
    else if (k === 7)
      line = `export API_URL=https://api.corp.internal/v2 REGION=eu-west-${Math.floor(r() * 3)}`;
    else if (k === 8)
      line = `<div class="card card-${pick(r, 4)}"><span>${pick(r, 20, 'abcdefghijklmnopqrstuvwxyz ')}</span></div>`;
    else if (k === 9)
      line = `if (token === undefined) throw new Error("missing access token for " + service);`;
    else if (k === 10 && r() < 0.002)
      line = `AWS_ACCESS_KEY_ID=AKIA${pick(r, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}  # block ${blockIndex}`;
    else if (k === 11 && r() < 0.002)
      line = `DATABASE_URL=postgres://app:${pick(r, 20)}@db.internal:5432/app`;
    else line = `  - name: step-${Math.floor(r() * 100)}\n    run: make test TARGET=${pick(r, 6)}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

function writeCorpus(dir, totalMB) {
  const r = rng(42);
  const blocks = Array.from({ length: 16 }, (_, i) => corpusBlock(r, i));
  const perFile = 50;
  let written = 0;
  const files = [];
  for (let f = 0; written < totalMB; f++) {
    const path = join(dir, `corpus-${String(f).padStart(3, '0')}.txt`);
    const fd = openSync(path, 'w');
    for (let i = 0; i < perFile && written < totalMB; i++, written++)
      writeSync(fd, blocks[(f * perFile + i) % blocks.length]);
    closeSync(fd);
    files.push(path);
  }
  return files;
}

export default async function benchSecrets() {
  let engineMod;
  try {
    engineMod = await import(dist('secrets/engine.js'));
  } catch {
    console.log('\n## secrets: skipped (run `npm run build` first)');
    return;
  }
  const { SecretEngine } = engineMod;
  const { scanPath } = await import(dist('secrets/scan-files.js'));
  const { BUILTIN_RULES } = await import(dist('secrets/rules/index.js'));
  const engine = new SecretEngine();
  const rows = [];

  // 1. node_modules
  {
    const t0 = performance.now();
    const res = await scanPath(join(ROOT, 'node_modules'), { engine, noIgnore: true });
    const s = (performance.now() - t0) / 1000;
    rows.push({
      input: 'node_modules (lock files skipped)',
      files: res.stats.files,
      MB: fmt(res.stats.bytes / 1e6, 1),
      seconds: fmt(s, 2),
      'MB/s': fmt(res.stats.bytes / 1e6 / s, 1),
      findings: res.findings.length,
    });
  }

  // 2. generated corpus
  const totalMB = Number(process.env.BENCH_SECRETS_MB ?? 500);
  const naiveMB = Number(process.env.BENCH_SECRETS_NAIVE_MB ?? 16);
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-secrets-'));
  try {
    const files = writeCorpus(dir, totalMB);
    const t0 = performance.now();
    const res = await scanPath(dir, { engine });
    const s = (performance.now() - t0) / 1000;
    rows.push({
      input: `generated corpus (${totalMB} MiB)`,
      files: res.stats.files,
      MB: fmt(res.stats.bytes / 1e6, 1),
      seconds: fmt(s, 2),
      'MB/s': fmt(res.stats.bytes / 1e6 / s, 1),
      findings: res.findings.length,
    });

    // 2b. one minified bundle: a single 20 MB line dense in rule keywords, a key in the middle
    {
      const r = rng(7);
      const parts = [];
      let size = 0;
      for (let i = 0; size < 20e6; i++) {
        const chunk = `function n${i}(e,t){var r=t.apiKey||e.token,o={password:r.secret,key:"${pick(r, 8)}"};return e.map(function(a){return a.id+o.key})}`;
        parts.push(chunk);
        size += chunk.length;
        if (i === 50_000) parts.push(`;var s="sk_live_${pick(r, 40)}";`);
      }
      const bundle = join(dir, 'app.min.js');
      writeFileSync(bundle, parts.join(''));
      const t2 = performance.now();
      const res = await scanPath(bundle, { engine });
      const s2 = (performance.now() - t2) / 1000;
      rows.push({
        input: 'minified bundle, one 20 MB line',
        files: res.stats.files,
        MB: fmt(res.stats.bytes / 1e6, 1),
        seconds: fmt(s2, 2),
        'MB/s': fmt(res.stats.bytes / 1e6 / s2, 1),
        findings: res.findings.length,
      });
    }

    // 3. naive: every rule's regex on every line of a sample of the same corpus
    const regexes = BUILTIN_RULES.map(
      (rule) => new RegExp(rule.regex.source, rule.regex.flags.replace(/[gy]/g, '')),
    );
    let bytes = 0;
    let hits = 0;
    const t1 = performance.now();
    for (const file of files) {
      if (bytes >= naiveMB * 1024 * 1024) break;
      const text = readFileSync(file, 'utf8').slice(0, naiveMB * 1024 * 1024 - bytes);
      bytes += text.length;
      for (const line of text.split('\n')) for (const re of regexes) if (re.test(line)) hits++;
    }
    const s1 = (performance.now() - t1) / 1000;
    rows.push({
      input: `naive loop, ${BUILTIN_RULES.length} regexes × every line (${naiveMB} MiB sample)`,
      files: '-',
      MB: fmt(bytes / 1e6, 1),
      seconds: fmt(s1, 2),
      'MB/s': fmt(bytes / 1e6 / s1, 1),
      findings: `${hits} raw matches`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table('secrets: throughput on one thread', rows);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchSecrets();
