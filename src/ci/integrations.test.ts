/**
 * The CI integrations shipped in the repository, executed as their CI would: the GitHub Action's entry
 * script with GitHub's variables (and a local stand-in for the GitHub API on 127.0.0.1 for the PR
 * comment), the GitLab template's script lines in a shell with GitLab's merge-request variables (a local
 * stand-in for the GitLab API serving the default branch's report and taking the MR note), and the
 * pre-commit hooks' entries. Outputs are validated: SARIF against the 2.1.0 schema, the GitLab reports
 * against src/ci/testdata/gitlab-security-report.schema.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { haveImages, imagePath } from '../test-support/images.js';
import { haveVulndata, importTestDb, osvDir } from '../match/test-support/vulndata.js';
import { expandTemplate } from '../secrets/test-support/fake.js';
import { sarifValidator } from './test-support/sarif-schema.js';
import { BIN, baseEnv, bulwark, commit, git, newRepo } from './test-support/repo.js';
import type { CiReport } from './types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = join(ROOT, 'integrations', 'github', 'entry.mjs');
const TEMPLATE = join(ROOT, 'integrations', 'gitlab', 'bulwark.gitlab-ci.yml');
const KEY = expandTemplate('AKIA{U:16}', 'ci-integrations');

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server answering with `handler` and recording every request. */
async function server(
  handler: (req: Recorded) => { status: number; body: string },
): Promise<{ url: string; requests: Recorded[]; server: Server }> {
  const requests: Recorded[] = [];
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const out = handler(rec);
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(out.body);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, requests, server: srv };
}

/** Spawn without blocking the event loop (the stand-in servers run in this process). */
function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
  });
}

function parseOutputs(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bulwark-ci-integrations-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A repository whose `leak` branch adds a key to a tracked file on top of a clean main. */
function leakyRepo(): { repo: string; main: string; head: string } {
  const repo = newRepo();
  const main = commit(repo, 'initial', {
    Dockerfile: 'FROM debian:12@sha256:' + '0'.repeat(64) + '\nUSER 10001\nCMD ["/app"]\n',
    'README.md': '# app\n',
  });
  git(repo, 'checkout', '-q', '-b', 'leak');
  const head = commit(repo, 'config', { 'app/config.env': `AWS_ACCESS_KEY_ID=${KEY}\n` });
  return { repo, main, head };
}

describe('GitHub Action (action.yml + integrations/github/entry.mjs)', () => {
  it('action.yml passes every input to the entry script, which reads no undeclared one', () => {
    const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
      runs: { using: string; steps: { id?: string; env?: Record<string, string>; run?: string }[] };
    };
    expect(action.runs.using).toBe('composite');
    const step = action.runs.steps.find((s) => s.id === 'run')!;
    expect(step.run).toContain('integrations/github/entry.mjs');
    const passed = Object.entries(step.env ?? {}).filter(([k]) => k.startsWith('INPUT_'));
    for (const [k, v] of passed) {
      const name = k.slice('INPUT_'.length).toLowerCase().replace(/_/g, '-');
      expect(action.inputs, k).toHaveProperty(name);
      expect(v).toBe(`\${{ inputs.${name} }}`);
    }
    const read = [...readFileSync(ENTRY, 'utf8').matchAll(/input\('([a-z-]+)'/g)].map((m) => m[1]!);
    for (const name of read)
      expect(passed.map(([k]) => k)).toContain(`INPUT_${name.toUpperCase().replace(/-/g, '_')}`);
  });

  it('runs bulwark ci on a pull request: annotations, outputs, job summary, SARIF, one updated PR comment', async () => {
    const { repo, head } = leakyRepo();
    const api = await server((req) => {
      if (req.method === 'GET' && req.url.startsWith('/repos/acme/app/issues/9/comments'))
        return {
          status: 200,
          body: JSON.stringify(
            api.requests.some((r) => r.method === 'POST')
              ? [
                  { id: 1, body: 'LGTM' },
                  { id: 77, body: '<!-- bulwark-ci -->\nold' },
                ]
              : [{ id: 1, body: 'LGTM' }],
          ),
        };
      if (req.method === 'POST' && req.url === '/repos/acme/app/issues/9/comments')
        return { status: 201, body: '{"id":77}' };
      if (req.method === 'PATCH' && req.url === '/repos/acme/app/issues/comments/77')
        return { status: 200, body: '{"id":77}' };
      return { status: 404, body: '{}' };
    });
    try {
      const outputs = join(work, 'gh-output');
      const summary = join(work, 'gh-summary.md');
      const event = join(work, 'gh-event.json');
      writeFileSync(event, JSON.stringify({ number: 9, pull_request: { number: 9 } }));
      const env = baseEnv({
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_SHA: head,
        GITHUB_REF: 'refs/pull/9/merge',
        GITHUB_REF_NAME: '9/merge',
        GITHUB_HEAD_REF: 'leak',
        GITHUB_BASE_REF: 'main',
        GITHUB_WORKSPACE: repo,
        GITHUB_OUTPUT: outputs,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_API_URL: api.url,
        GITHUB_TOKEN: 'ghs_test-token',
        RUNNER_TEMP: work,
        BULWARK_CACHE_DIR: join(work, 'gh-cache'),
        // As action.yml passes them (defaults of the inputs included).
        INPUT_IMAGES: '',
        INPUT_BASELINE: '',
        INPUT_FAIL_ON: 'high',
        INPUT_CHECKS: 'lint, secrets',
        INPUT_SINCE: '',
        INPUT_CONFIG: '',
        INPUT_OFFLINE: 'true',
        INPUT_SARIF: 'bulwark.sarif',
        INPUT_MARKDOWN: 'bulwark-summary.md',
        INPUT_JSON: 'bulwark-report.json',
        INPUT_COMMENT: 'true',
        INPUT_FAIL: 'true',
        INPUT_WORKING_DIRECTORY: '.',
        INPUT_ARGS: '',
      });
      writeFileSync(outputs, '');
      writeFileSync(summary, '');
      const first = await run(process.execPath, [ENTRY], repo, env);
      expect(first.stderr).not.toMatch(/internal error/);
      expect(first.code).toBe(1);
      expect(first.stdout).toMatch(
        /^::error file=app\/config\.env,line=1,endLine=1,title=secrets%3A aws-access-key-id \(high\)::AWS access key ID: AKIA… \(20 chars, fp [0-9a-f]{16}\)$/m,
      );
      expect(first.stdout).not.toContain(KEY);
      expect(parseOutputs(readFileSync(outputs, 'utf8'))).toEqual({
        'exit-code': '1',
        result: 'failed',
        'new-findings': '2',
        sarif: join(repo, 'bulwark.sarif'),
        markdown: join(repo, 'bulwark-summary.md'),
        json: join(repo, 'bulwark-report.json'),
      });
      const report = JSON.parse(readFileSync(join(repo, 'bulwark-report.json'), 'utf8')) as CiReport;
      expect(report.ci).toMatchObject({ provider: 'github', pullRequest: '9', baseRef: 'main' });
      expect(report.range?.head).toBe(head);
      const validate = sarifValidator();
      expect(
        validate(JSON.parse(readFileSync(join(repo, 'bulwark.sarif'), 'utf8'))),
        JSON.stringify(validate.errors),
      ).toBe(true);
      expect(readFileSync(summary, 'utf8')).toContain('## ❌ Bulwark: failed');
      const posted = api.requests.find((r) => r.method === 'POST')!;
      expect(posted.headers.authorization).toBe('Bearer ghs_test-token');
      const body = (JSON.parse(posted.body) as { body: string }).body;
      expect(body).toBe(readFileSync(join(repo, 'bulwark-summary.md'), 'utf8'));
      expect(body.startsWith('<!-- bulwark-ci -->')).toBe(true);

      // The next push updates the same comment; with fail: false findings do not fail the step.
      writeFileSync(outputs, '');
      const second = await run(process.execPath, [ENTRY], repo, { ...env, INPUT_FAIL: 'false' });
      expect(second.code).toBe(0);
      expect(api.requests.filter((r) => r.method === 'PATCH').map((r) => r.url)).toEqual([
        '/repos/acme/app/issues/comments/77',
      ]);
      expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      expect(parseOutputs(readFileSync(outputs, 'utf8'))['exit-code']).toBe('1');
    } finally {
      api.server.close();
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

/** The `.bulwark` job's script lines, run as one shell script the way GitLab's runner does. */
function gitlabJob(): {
  script: string[];
  variables: Record<string, string>;
  reports: Record<string, string>;
} {
  const doc = parseYaml(readFileSync(TEMPLATE, 'utf8')) as Record<
    string,
    { script: string[]; variables: Record<string, string>; artifacts: { reports: Record<string, string> } }
  >;
  const job = doc['.bulwark']!;
  expect(doc.bulwark).toMatchObject({ extends: '.bulwark' });
  return { script: job.script, variables: job.variables, reports: job.artifacts.reports };
}

describe.skipIf(!haveVulndata() || !haveImages())(
  'GitLab CI template (integrations/gitlab/bulwark.gitlab-ci.yml)',
  () => {
    it('a merge request pipeline: baseline from the default branch, GitLab security reports that match their schema, one MR note', async () => {
      const { dbPath, dir: dbDir } = await importTestDb([osvDir('npm'), osvDir('Debian:12')]);
      const { repo, main } = leakyRepo();
      try {
        // The default branch's report, as its last pipeline left it (served as that job's artifact).
        git(repo, 'checkout', '-q', 'main');
        commit(repo, 'deps', {
          'package-lock.json': JSON.stringify({
            name: 'app',
            lockfileVersion: 3,
            packages: { '': { name: 'app' }, 'node_modules/lodash': { version: '4.17.4' } },
          }),
        });
        const mainSha = git(repo, 'rev-parse', 'HEAD');
        const mainReport = join(work, 'gl-main.json');
        const image = `archive://${imagePath('debian12-minbase', 'docker.tar')}`;
        const env0 = baseEnv({ BULWARK_CACHE_DIR: join(work, 'gl-cache') });
        bulwark(
          repo,
          ['ci', '--offline', '--db', dbPath, '-q', '--image', image, '--json', mainReport],
          env0,
        );
        git(repo, 'checkout', '-q', 'leak');
        git(repo, 'merge', '-q', '--no-edit', 'main');
        const mrHead = git(repo, 'rev-parse', 'HEAD');
        expect(main).not.toBe(mrHead);

        const api = await server((req) => {
          if (
            req.method === 'GET' &&
            req.url === '/api/v4/projects/12/jobs/artifacts/main/raw/bulwark-report.json?job=bulwark'
          )
            return req.headers['job-token'] === 'job-token-1'
              ? { status: 200, body: readFileSync(mainReport, 'utf8') }
              : { status: 401, body: '{}' };
          if (req.method === 'POST' && req.url === '/api/v4/projects/12/merge_requests/3/notes')
            return { status: 201, body: '{"id":5}' };
          return { status: 404, body: '{}' };
        });
        try {
          const { script, variables, reports } = gitlabJob();
          const env = baseEnv({
            CI: 'true',
            GITLAB_CI: 'true',
            CI_PROJECT_DIR: repo,
            CI_PROJECT_ID: '12',
            CI_PROJECT_PATH: 'acme/app',
            CI_COMMIT_SHA: mrHead,
            CI_COMMIT_REF_NAME: 'leak',
            CI_DEFAULT_BRANCH: 'main',
            CI_PIPELINE_SOURCE: 'merge_request_event',
            CI_MERGE_REQUEST_IID: '3',
            CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'leak',
            CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
            CI_MERGE_REQUEST_DIFF_BASE_SHA: mainSha,
            CI_API_V4_URL: `${api.url}/api/v4`,
            CI_JOB_TOKEN: 'job-token-1',
            CI_JOB_NAME: 'bulwark',
            CI_JOB_URL: 'https://gitlab.example/acme/app/-/jobs/1',
            BULWARK_GITLAB_TOKEN: 'glpat-test',
            // The template's variables, as the runner expands them; then the job's own settings.
            ...Object.fromEntries(
              Object.entries(variables).map(([k, v]) => [k, String(v).replace('$CI_PROJECT_DIR', repo)]),
            ),
            BULWARK: `${process.execPath} ${BIN}`,
            BULWARK_IMAGES: image,
            BULWARK_ARGS: `--offline --db ${dbPath} -q`,
          });
          const r = await run('bash', ['-c', `set -eo pipefail\n${script.join('\n')}`], repo, env);
          expect(r.stderr).not.toMatch(/internal error/);
          // The new key fails the job; the pre-existing lodash and image vulnerabilities do not.
          expect(r.code).toBe(1);
          const report = JSON.parse(readFileSync(join(repo, 'bulwark-report.json'), 'utf8')) as CiReport;
          expect(report.baseline?.source).toBe('bulwark-baseline/bulwark-report.json');
          expect(
            report.findings.filter((f) => f.status === 'new').map((f) => [f.check, f.ruleId, f.path]),
          ).toEqual([['secrets', 'aws-access-key-id', 'app/config.env']]);
          expect(report.range).toEqual({ since: mainSha, head: mrHead });

          const ajv = new Ajv.default({ allErrors: true, strict: false });
          addFormats.default(ajv);
          const schema = JSON.parse(
            readFileSync(join(ROOT, 'src/ci/testdata/gitlab-security-report.schema.json'), 'utf8'),
          ) as object;
          ajv.addSchema(schema, 'gl');
          const locationSchema = {
            secret_detection: 'secretLocation',
            dependency_scanning: 'dependencyLocation',
            container_scanning: 'containerLocation',
          };
          const counts: Record<string, number> = {};
          for (const [type, file] of Object.entries(reports)) {
            const doc = JSON.parse(readFileSync(join(repo, file), 'utf8')) as {
              scan: { type: string };
              vulnerabilities: { location: object; identifiers: { value: string }[] }[];
            };
            const validate = ajv.getSchema('gl')!;
            expect(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
            expect(doc.scan.type).toBe(type);
            const loc = ajv.getSchema(
              `gl#/definitions/${locationSchema[type as keyof typeof locationSchema]}`,
            )!;
            for (const v of doc.vulnerabilities)
              expect(loc(v.location), `${file}: ${JSON.stringify(loc.errors)}`).toBe(true);
            counts[type] = doc.vulnerabilities.length;
            expect(readFileSync(join(repo, file), 'utf8')).not.toContain(KEY);
          }
          expect(counts.secret_detection).toBe(1);
          expect(counts.dependency_scanning).toBeGreaterThan(0);
          expect(counts.container_scanning).toBeGreaterThan(0);

          const note = api.requests.find((q) => q.method === 'POST')!;
          expect(note.headers['private-token']).toBe('glpat-test');
          expect((JSON.parse(note.body) as { body: string }).body).toBe(
            readFileSync(join(repo, 'bulwark-comment.md'), 'utf8'),
          );
        } finally {
          api.server.close();
        }
      } finally {
        rmSync(repo, { recursive: true, force: true });
        rmSync(dbDir, { recursive: true, force: true });
      }
    });
  },
);

describe('pre-commit hooks (.pre-commit-hooks.yaml)', () => {
  it('bulwark secrets --staged fails on a staged key; bulwark lint fails on a root Dockerfile', async () => {
    const hooks = parseYaml(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as {
      id: string;
      entry: string;
      files?: string;
      pass_filenames: boolean;
    }[];
    expect(hooks.map((h) => h.id)).toEqual(['bulwark-secrets', 'bulwark-lint']);
    const repo = newRepo();
    try {
      commit(repo, 'initial', { 'README.md': '# app\n' });
      const env = baseEnv();
      // pre-commit runs `entry` (bulwark on the PATH) plus the matching file names when pass_filenames.
      const entry = (h: (typeof hooks)[number], files: string[]) => {
        const [cmd, ...args] = h.entry.split(' ');
        expect(cmd).toBe('bulwark');
        return run(process.execPath, [BIN, ...args, ...(h.pass_filenames ? files : [])], repo, env);
      };
      const [secrets, lint] = hooks as [(typeof hooks)[number], (typeof hooks)[number]];
      expect((await entry(secrets, [])).code).toBe(0);
      writeFileSync(join(repo, 'deploy.env'), `AWS_ACCESS_KEY_ID=${KEY}\n`);
      git(repo, 'add', 'deploy.env');
      const staged = await entry(secrets, []);
      expect(staged.code).toBe(1);
      expect(staged.stdout).toContain('aws-access-key-id');
      expect(staged.stdout).not.toContain(KEY);

      const files = new RegExp(lint.files!);
      const candidates = [
        'Dockerfile',
        'build/Dockerfile.prod',
        'api.Dockerfile',
        'README.md',
        'Dockerfile.dockerignore',
      ];
      expect(candidates.filter((f) => files.test(f) && !/\.dockerignore$/.test(f))).toEqual([
        'Dockerfile',
        'build/Dockerfile.prod',
        'api.Dockerfile',
      ]);
      writeFileSync(join(repo, 'Dockerfile'), 'FROM debian:12@sha256:' + '0'.repeat(64) + '\n');
      const linted = await entry(lint, ['Dockerfile']);
      expect(linted.code).toBe(1);
      expect(linted.stdout).toContain('final-user-root');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
