#!/usr/bin/env node
// Entry script of the Bulwark GitHub Action (action.yml): maps the action's inputs (INPUT_* variables,
// set by action.yml) to `bulwark ci` flags, runs it with the step's stdout (so its annotations reach the
// runner), sets the step outputs, updates one pull-request comment, and ends with bulwark's exit code.
// Plain Node 20, no dependencies: it runs before anything is installed in the user's workspace.
/* global fetch */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = process.env;
const here = dirname(fileURLToPath(import.meta.url));
const input = (name, fallback = '') =>
  (env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback).trim();
const list = (text) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
const COMMENT_MARKER = '<!-- bulwark-ci -->';

function setOutput(name, value) {
  if (env.GITHUB_OUTPUT)
    appendFileSync(env.GITHUB_OUTPUT, `${name}=${String(value).replace(/[\r\n]+/g, ' ')}\n`);
}

function fail(message) {
  process.stdout.write(
    `::error title=bulwark action::${message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`,
  );
  process.exit(2);
}

const workdir = resolve(env.GITHUB_WORKSPACE ?? process.cwd(), input('working-directory', '.') || '.');
const outPath = (p) => (isAbsolute(p) ? p : join(workdir, p));
const sarif = input('sarif', 'bulwark.sarif');
const markdown = input('markdown', 'bulwark-summary.md');
const json = input('json', 'bulwark-report.json');

const args = ['ci', '.'];
for (const image of list(input('images'))) args.push('--image', image);
const baseline = input('baseline');
if (baseline) args.push('--baseline', baseline);
const failOn = input('fail-on');
if (failOn) args.push('--fail-on', failOn);
const checks = input('checks');
if (checks) args.push('--checks', list(checks).join(','));
const since = input('since');
if (since) args.push('--since', since);
const config = input('config');
if (config) args.push('--config', config);
if (input('offline') === 'true') args.push('--offline');
if (sarif) args.push('--sarif', sarif);
if (markdown) args.push('--markdown', markdown);
if (json) args.push('--json', json);
const extra = input('args');
if (extra) args.push(...extra.split(/\s+/).filter(Boolean));

// The bulwark this action ships (built by action.yml), or BULWARK_BIN.
const bin = env.BULWARK_BIN || join(here, '..', '..', 'bin', 'bulwark.js');
if (!existsSync(bin)) fail(`bulwark is not built at ${bin}`);
const run = spawnSync(process.execPath, [bin, ...args], { cwd: workdir, stdio: 'inherit', env });
if (run.error) fail(`could not run bulwark: ${run.error.message}`);
const code = run.status ?? 70;

let report;
try {
  report = JSON.parse(readFileSync(outPath(json), 'utf8'));
} catch {
  report = undefined;
}
const fresh = report ? report.findings.filter((f) => f.status === 'new').length : 0;
setOutput('exit-code', code);
setOutput('result', report?.result ?? 'error');
setOutput('new-findings', fresh);
if (sarif && existsSync(outPath(sarif))) setOutput('sarif', outPath(sarif));
if (markdown && existsSync(outPath(markdown))) setOutput('markdown', outPath(markdown));
if (json && existsSync(outPath(json))) setOutput('json', outPath(json));

// One comment per pull request, updated on every push (found by its marker).
async function comment() {
  const pr = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
  if (
    input('comment', 'true') !== 'true' ||
    !pr ||
    !env.GITHUB_TOKEN ||
    !markdown ||
    !existsSync(outPath(markdown))
  )
    return;
  const api = env.GITHUB_API_URL || 'https://api.github.com';
  const headers = {
    authorization: `Bearer ${env.GITHUB_TOKEN}`,
    accept: 'application/vnd.github+json',
    'content-type': 'application/json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'bulwark-action',
  };
  const body = readFileSync(outPath(markdown), 'utf8');
  const base = `${api}/repos/${env.GITHUB_REPOSITORY}/issues`;
  const listed = await fetch(`${base}/${pr}/comments?per_page=100`, { headers });
  if (!listed.ok) throw new Error(`listing comments: HTTP ${listed.status}`);
  const mine = (await listed.json()).find(
    (c) => typeof c.body === 'string' && c.body.startsWith(COMMENT_MARKER),
  );
  const res = mine
    ? await fetch(`${base}/comments/${mine.id}`, { method: 'PATCH', headers, body: JSON.stringify({ body }) })
    : await fetch(`${base}/${pr}/comments`, { method: 'POST', headers, body: JSON.stringify({ body }) });
  if (!res.ok) throw new Error(`${mine ? 'updating' : 'creating'} the comment: HTTP ${res.status}`);
}
try {
  await comment();
} catch (err) {
  // A comment that cannot be posted (a fork's read-only token) must not hide the result.
  process.stdout.write(`::warning title=bulwark action::pull-request comment not posted: ${err.message}\n`);
}

process.exit(input('fail', 'true') === 'false' && code === 1 ? 0 : code);
