import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
/**
 * No command prints a secret in full, in any format. The test builds a docker-archive with secrets
 * planted where they usually leak — a file, `Env`, a label, build arguments recorded in the history,
 * an `Authorization` header and a key inside `RUN` commands — and a Dockerfile with the same values,
 * runs every command in every output format through the CLI, and greps stdout, stderr, written files
 * and the layer cache for every planted value.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../../db/import.js';
import { SCAN_FORMATS } from '../../report/scan/index.js';
import { SBOM_FORMATS } from '../../sbom/format/names.js';
import { expandTemplate } from '../../secrets/test-support/fake.js';
import { buildImage, dockerArchive } from '../../source/test-support/build.js';
import { runCli } from '../test-support/capture.js';

const seed = 'leak-test';
const AKID = expandTemplate('AKIA{U:16}', seed);
const AWS_SECRET = expandTemplate('{b:40}', `${seed}-aws`).replace(/[+/]/g, 'Q');
const GH_TOKEN = expandTemplate('ghp_{gh}', seed);
const GH_TOKEN_LABEL = expandTemplate('ghp_{gh}', `${seed}-label`);
const DB_PASSWORD = expandTemplate('{A:24}', `${seed}-pw`);
const NPM_TOKEN = expandTemplate('npm_{A:36}', seed);
const ARG_TOKEN = expandTemplate('{A:32}', `${seed}-arg`);
const BEARER = expandTemplate('{A:40}', `${seed}-bearer`);
const STRIPE = expandTemplate('sk_live_{A:40}', seed);
const KEY_BODY = Array.from({ length: 12 }, (_, i) => expandTemplate('{b:64}', `${seed}-pem-${i}`)).join(
  '\n',
);
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY}\n-----END RSA PRIVATE KEY-----\n`;

/** Each planted value, and enough of the key body that no line of it may appear. */
const PLANTED: Record<string, string> = {
  AKID,
  AWS_SECRET,
  GH_TOKEN,
  GH_TOKEN_LABEL,
  DB_PASSWORD,
  NPM_TOKEN,
  ARG_TOKEN,
  BEARER,
  STRIPE,
  ...Object.fromEntries(KEY_BODY.split('\n').map((line, i) => [`PEM line ${i + 1}`, line])),
};

const HISTORY = [
  `ARG TOKEN=${ARG_TOKEN}`,
  `ENV DB_PASSWORD=${DB_PASSWORD}`,
  `|2 NPM_TOKEN=${NPM_TOKEN} TOKEN=${ARG_TOKEN} /bin/sh -c npm ci`,
  `RUN /bin/sh -c curl -fsSL -H "Authorization: Bearer ${BEARER}" https://artifacts.internal/app.tgz | tar xz`,
  `RUN /bin/sh -c echo "stripe_key=${STRIPE}" > /etc/app.conf`,
];

const DOCKERFILE = `FROM debian:12@sha256:${'a'.repeat(64)}
ARG TOKEN=${ARG_TOKEN}
ENV AWS_ACCESS_KEY_ID=${AKID} AWS_SECRET_ACCESS_KEY=${AWS_SECRET}
ENV DB_PASSWORD=${DB_PASSWORD}
LABEL org.example.token="${GH_TOKEN_LABEL}"
RUN curl -fsSL -H "Authorization: Bearer ${BEARER}" https://artifacts.internal/app.tgz | tar xz
RUN echo "stripe_key=${STRIPE}" > /etc/app.conf && echo "${NPM_TOKEN}" > /root/.npmrc
RUN <<EOF
echo "${GH_TOKEN}" > /root/.token
EOF
COPY <<EOF /root/.ssh/id_rsa
${PEM}EOF
USER app
`;

let work: string;
let dbPath: string;
let archive: string;
let archive2: string;
let dockerfile: string;
const cacheDir = (): string => join(work, 'cache');
const env = (): NodeJS.ProcessEnv => ({
  BULWARK_CACHE_DIR: cacheDir(),
  NO_COLOR: '1',
  PATH: process.env.PATH,
});
const cli = (args: string[]) => runCli(args, { cwd: work, env: env() });

function expectClean(where: string, text: string): void {
  for (const [name, value] of Object.entries(PLANTED)) {
    if (text.includes(value)) throw new Error(`${where}: the planted ${name} is printed in full`);
  }
}

/**
 * Every file under a folder, as text (binary content is searched as latin1 so nothing is missed). The
 * image cache (`*.bws`) deflates its payload: that is inflated so compression cannot hide a value.
 */
function allFiles(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      out.push(...allFiles(p));
      continue;
    }
    const buf = readFileSync(p);
    out.push([p, buf.toString('latin1')]);
    if (buf.subarray(0, 6).toString('latin1') === 'BWSBOM') {
      const headerLength = buf.readUInt32BE(12);
      out.push([`${p} (inflated)`, inflateRawSync(buf.subarray(16 + headerLength)).toString('utf8')]);
    }
  }
  return out;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bulwark-leak-'));
  const osv = join(work, 'osv');
  mkdirSync(osv);
  writeFileSync(
    join(osv, 'NPM-2099-0001.json'),
    JSON.stringify({
      schema_version: '1.6.0',
      id: 'NPM-2099-0001',
      modified: '2099-01-01T00:00:00Z',
      details: 'A record written by the test.',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'left-pad' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '9.9.9' }] }],
        },
      ],
    }),
  );
  dbPath = join(work, 'db', 'bulwark.sqlite');
  await importInputs([osv], { dbPath });
  const layers = [
    {
      entries: [
        { name: 'app/', type: 'dir' as const },
        {
          name: 'app/node_modules/left-pad/package.json',
          // A credential inside a file the catalog reads: neither the SBOM nor the layer cache may keep it.
          content: JSON.stringify({
            name: 'left-pad',
            version: '1.0.0',
            repository: { type: 'git', url: `https://deploy:${GH_TOKEN}@github.com/acme/left-pad.git` },
          }),
        },
        { name: 'app/.env', content: `AWS_ACCESS_KEY_ID=${AKID}\nAWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n` },
        { name: 'root/.ssh/id_rsa', content: PEM },
      ],
      createdBy: HISTORY[2],
    },
    { entries: [{ name: 'etc/app.conf', content: `stripe_key=${STRIPE}\n` }], createdBy: HISTORY[4] },
  ];
  const image = buildImage({
    layers,
    env: [
      'PATH=/usr/bin',
      `DB_PASSWORD=${DB_PASSWORD}`,
      `GITHUB_TOKEN=${GH_TOKEN}`,
      `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
    ],
    labels: { 'org.example.token': GH_TOKEN_LABEL, 'org.opencontainers.image.title': 'leak' },
    emptyHistory: [HISTORY[0]!, HISTORY[1]!, HISTORY[3]!],
  });
  archive = join(work, 'image.tar');
  writeFileSync(archive, dockerArchive([{ image, tags: ['leak:1'] }]));
  const image2 = buildImage({
    layers: [layers[0]!],
    env: ['PATH=/usr/bin', `GITHUB_TOKEN=${GH_TOKEN}`],
    labels: { 'org.example.token': GH_TOKEN_LABEL },
    emptyHistory: [HISTORY[0]!, HISTORY[3]!],
  });
  archive2 = join(work, 'image2.tar');
  writeFileSync(archive2, dockerArchive([{ image: image2, tags: ['leak:0'] }]));
  dockerfile = join(work, 'Dockerfile');
  writeFileSync(dockerfile, DOCKERFILE);
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('planted secrets never leave Bulwark in full', () => {
  const target = (): string => `archive://${archive}`;
  const runs: [string, () => string[]][] = [
    ...(['table', 'json', 'sarif'] as const).map((f): [string, () => string[]] => [
      `secrets -f ${f}`,
      () => ['secrets', target(), '-f', f, '--exit-code', '0'],
    ]),
    ...SCAN_FORMATS.map((f): [string, () => string[]] => [
      `scan --scanners vuln,secret,config -f ${f}`,
      () => [
        'scan',
        target(),
        '--scanners',
        'vuln,secret,config',
        '--offline',
        '--db',
        dbPath,
        '-q',
        '-f',
        f,
      ],
    ]),
    ...SCAN_FORMATS.map((f): [string, () => string[]] => [
      `scan -f ${f}`,
      () => ['scan', target(), '--offline', '--db', dbPath, '-q', '-f', f, '--locations'],
    ]),
    ...SBOM_FORMATS.map((f): [string, () => string[]] => [
      `sbom -f ${f}`,
      () => ['sbom', target(), '-q', '-f', f],
    ]),
    ...(['table', 'json', 'sarif'] as const).map((f): [string, () => string[]] => [
      `lint IMAGE -f ${f}`,
      () => ['lint', target(), '-f', f, '--exit-code', '0'],
    ]),
    ...(['table', 'json', 'sarif'] as const).map((f): [string, () => string[]] => [
      `lint Dockerfile -f ${f}`,
      () => ['lint', dockerfile, '-f', f, '--exit-code', '0'],
    ]),
    ['secrets Dockerfile -f json', () => ['secrets', dockerfile, '-f', 'json', '--exit-code', '0']],
    ['quickview', () => ['quickview', target(), '--offline', '--db', dbPath, '-q']],
    ...(['table', 'json'] as const).map((f): [string, () => string[]] => [
      `compare -f ${f}`,
      () => ['compare', `archive://${archive2}`, target(), '--offline', '--db', dbPath, '-q', '-f', f],
    ]),
  ];

  it.each(runs)('%s', async (_name, args) => {
    const r = await cli(args());
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(r.code, r.stderr).toBeLessThan(2);
    expect(r.stdout.length).toBeGreaterThan(0);
    expectClean('stdout', r.stdout);
    if (process.env.PEEK)
      require('node:fs').appendFileSync('/tmp/peek.txt', `\n===== ${_name}\n${r.stdout}\n${r.stderr}`);
    expectClean('stderr', r.stderr);
  });

  it('written report files (-o) hold no planted value either', async () => {
    const out = join(work, 'report.html');
    const r = await cli([
      'scan',
      target(),
      '--scanners',
      'secret,config',
      '--offline',
      '--db',
      dbPath,
      '-f',
      'html',
      '-o',
      out,
    ]);
    expect(r.code, r.stderr).toBeLessThan(2);
    expectClean(out, readFileSync(out, 'utf8'));
  });

  it('the secrets findings still name every planted place (so the masking did not hide the findings)', async () => {
    const r = await cli(['secrets', target(), '-f', 'json', '--exit-code', '0']);
    const paths = new Set(
      (JSON.parse(r.stdout) as { findings: { path: string }[] }).findings.map((f) => f.path),
    );
    for (const p of [
      '/app/.env',
      '/root/.ssh/id_rsa',
      '/etc/app.conf',
      'config:Env/DB_PASSWORD',
      'config:Env/GITHUB_TOKEN',
      'config:Labels/org.example.token',
    ])
      expect(paths).toContain(p);
    const history = [...paths].filter((p) => p.startsWith('config:history/'));
    expect(history.length).toBeGreaterThanOrEqual(4);
  });

  it('lint and secrets find the same Dockerfile secrets, heredocs included, with the same severity', async () => {
    const lint = JSON.parse((await cli(['lint', dockerfile, '-f', 'json', '--exit-code', '0'])).stdout) as {
      findings: { ruleId: string; severity: string; message: string; line: number }[];
    };
    const secrets = JSON.parse(
      (await cli(['secrets', dockerfile, '-f', 'json', '--exit-code', '0'])).stdout,
    ) as {
      findings: { ruleId: string; severity: string; line: number; secret: { fingerprint: string } }[];
    };
    const lintFindings = lint.findings;
    // The heredoc bodies: the GitHub token (RUN <<EOF, line 9) and the key (COPY <<EOF, line 12).
    const heredocLines = lintFindings.filter((f) => f.ruleId === 'secret-in-run').map((f) => f.line);
    expect(heredocLines).toEqual(expect.arrayContaining([6, 7, 9, 12]));
    expect(secrets.findings.map((f) => f.line)).toEqual(expect.arrayContaining([9, 12]));
    // Every lint finding that names a masked secret agrees with `bulwark secrets` on its severity.
    let compared = 0;
    for (const f of lintFindings) {
      const fp = /fp ([0-9a-f]{16})\)/.exec(f.message)?.[1];
      const match = fp ? secrets.findings.find((s) => s.secret.fingerprint === fp) : undefined;
      if (!match) continue;
      compared++;
      expect(f.severity, f.message).toBe(match.severity);
    }
    expect(compared).toBeGreaterThanOrEqual(6);
  });

  it('the layer cache holds no planted value in clear text', async () => {
    // Two scans: the first fills the cache, the second reads it (and must find the same secrets).
    const args = [
      'scan',
      target(),
      '--scanners',
      'vuln,secret,config',
      '--offline',
      '--db',
      dbPath,
      '-q',
      '-f',
      'json',
    ];
    const first = await cli(args);
    const second = await cli(args);
    expect(second.stdout).toBe(first.stdout);
    // The catalog-only scan fills the whole-image cache too.
    await cli(['scan', target(), '--offline', '--db', dbPath, '-q', '-f', 'json']);
    await cli(['sbom', target(), '-q', '-f', 'json']);
    const files = allFiles(cacheDir());
    expect(files.some(([p]) => p.endsWith('(inflated)'))).toBe(true);
    for (const [path, text] of files) expectClean(path, text);
  });
});
