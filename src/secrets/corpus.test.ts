/**
 * The planted corpus: a tree generated here with a realistic fake token for every built-in rule, each
 * at a known file and line, plus a false-positive corpus that must produce nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretEngine } from './engine.js';
import { BUILTIN_RULES } from './rules/index.js';
import { scanPath } from './scan-files.js';
import { expandTemplate, seededRandom } from './test-support/fake.js';

const EXTENSIONS = ['env', 'yaml', 'py', 'ts', 'json', 'properties', 'sh', 'tf', 'go', 'rb'];
const engine = new SecretEngine();

interface Planted {
  path: string;
  line: number;
  ruleId: string;
  secretText: string;
}

function buildPlanted(root: string): Planted[] {
  const planted: Planted[] = [];
  const families = [...new Set(BUILTIN_RULES.map((r) => r.family))];
  families.forEach((family, fi) => {
    const rand = seededRandom(family);
    const path = `${family}/settings.${EXTENSIONS[fi % EXTENSIONS.length]}`;
    const lines: string[] = [`# ${family} settings for the staging cluster`];
    for (const rule of BUILTIN_RULES.filter((r) => r.family === family)) {
      const fillers = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < fillers; i++)
        lines.push(
          i % 2 ? '' : `# section ${lines.length} keeps unrelated values like timeout=30 and retries=5`,
        );
      const text = expandTemplate(rule.examples[0] as string, `${rule.id}/planted`);
      planted.push({ path, line: lines.length + 1, ruleId: rule.id, secretText: text });
      lines.push(...text.split('\n'));
    }
    lines.push('# end');
    mkdirSync(join(root, family), { recursive: true });
    writeFileSync(join(root, path), `${lines.join('\n')}\n`);
  });
  return planted;
}

describe('planted corpus', () => {
  let root: string;
  let planted: Planted[];
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'bulwark-planted-'));
    planted = buildPlanted(root);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds every planted token at its file and line, and nothing else', async () => {
    const result = await scanPath(root, { engine });
    const got = result.findings.map((f) => `${f.path}:${f.line} ${f.ruleId}`).sort();
    const want = planted.map((p) => `${p.path}:${p.line} ${p.ruleId}`).sort();
    expect(got).toEqual(want);
    expect(new Set(planted.map((p) => p.ruleId)).size).toBe(BUILTIN_RULES.length);
    expect(result.problems).toEqual([]);
  });
});

/** 48 KiB of random base64, as in an inlined image. */
function randomBase64(seed: string, n: number): string {
  const rand = seededRandom(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256))).toString('base64');
}

function uuid(rand: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
}

describe('false-positive corpus', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'bulwark-fp-'));
    const rand = seededRandom('fp');
    const w = (path: string, text: string): void => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    w(
      'docs/configuration.md',
      [
        '# Configuration',
        'Set your credentials (see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html):',
        '```',
        'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
        'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        'STRIPE_SECRET_KEY=sk_live_<your-secret-key>',
        'SLACK_BOT_TOKEN=xoxb-your-bot-token',
        'export API_KEY=${API_KEY}',
        'password: changeme',
        'DATABASE_URL=postgres://user:password@localhost:5432/app',
        'REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379',
        'curl https://admin:secret@example.com/api',
        'Authorization: Bearer <token>',
        'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
        'token = "{{ .Values.token }}"',
        'secret_key = "%(SECRET_KEY)s"',
        'client_secret: "[client secret]"',
        '-----BEGIN RSA PRIVATE KEY-----',
        '...',
        '-----END RSA PRIVATE KEY-----',
        '```',
      ].join('\n'),
    );
    w(
      'ids.txt',
      Array.from(
        { length: 200 },
        (_, i) => `request_id=${uuid(rand)} trace_token: ${uuid(rand)} row ${i}`,
      ).join('\n'),
    );
    w(
      'checksums.txt',
      Array.from(
        { length: 200 },
        (_, i) =>
          `${Array.from({ length: 64 }, () => Math.floor(rand() * 16).toString(16)).join('')}  dist/file-${i}.tar.gz`,
      ).join('\n'),
    );
    w(
      'package-lock.json',
      JSON.stringify({
        packages: Object.fromEntries(
          Array.from({ length: 100 }, (_, i) => [
            `node_modules/p${i}`,
            {
              version: '1.0.0',
              integrity: `sha512-${randomBase64(`i${i}`, 64)}`,
              resolved: `https://registry.npmjs.org/p${i}/-/p${i}-1.0.0.tgz`,
              token: randomBase64(`t${i}`, 24),
            },
          ]),
        ),
      }),
    );
    w(
      'go.sum',
      Array.from({ length: 50 }, (_, i) => `github.com/x/y${i} v1.0.0 h1:${randomBase64(`g${i}`, 32)}`).join(
        '\n',
      ),
    );
    w(
      'web/logo.css',
      `.logo { background: url("data:image/png;base64,${randomBase64('img', 48 * 1024)}"); }\n`,
    );
    w('web/index.html', `<img alt="logo" src="data:image/jpeg;base64,${randomBase64('img2', 32 * 1024)}">\n`);
    w('dist/vendor.min.js', `!function(){var token="${expandTemplate('ghp_{gh}', 'min')}";}();`);
    w(
      'dist/app.js.map',
      JSON.stringify({
        version: 3,
        sourcesContent: [`const password = "${expandTemplate('{A:20}', 'map')}";`],
      }),
    );
    w(
      'test/fixtures/fake-credentials.env',
      [
        'AWS_SECRET_ACCESS_KEY=FAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfake',
        'password = "dummy-password-for-tests"',
        'api_key = "test-api-key-placeholder"',
        'GITHUB_TOKEN=ghp_FAKE000000000000000000000000000000000',
        'SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      ].join('\n'),
    );
    w(
      'src/config.ts',
      [
        'const token = process.env.GITHUB_TOKEN;',
        'const password = await getPassword();',
        'const secret = config.auth.secret;',
        'export const API_KEY_HEADER = "X-Api-Key";',
        'const tokenType = "refresh_token";',
        'if (password === confirmPassword) ok();',
        'const secretName = "database-credentials";',
        'headers["Authorization"] = `Bearer ${accessToken}`;',
        'password_hash: string;',
        'const apiKey = options.apiKey ?? DEFAULT_API_KEY;',
      ].join('\n'),
    );
    w(
      'keys/server.pub',
      `-----BEGIN PUBLIC KEY-----\n${randomBase64('pub', 270)
        .match(/.{1,64}/g)
        ?.join('\n')}\n-----END PUBLIC KEY-----\n`,
    );
    w(
      'keys/id_ed25519.pub',
      `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomBase64('ssh', 32).slice(0, 43)} dev@laptop\n`,
    );
    w(
      'git.log',
      Array.from(
        { length: 50 },
        (_, i) =>
          `commit ${Array.from({ length: 40 }, () => Math.floor(rand() * 16).toString(16)).join('')}\nAuthor: Dev ${i}`,
      ).join('\n'),
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports nothing but the keys inlined in the bundle and the source map', async () => {
    const result = await scanPath(root, { engine });
    // Minified code and source maps are scanned (front-end keys leak there); the 64 KiB data-URL
    // line of logo.css is scanned too and is not a finding.
    expect(result.findings.map((f) => `${f.path}:${f.line} ${f.ruleId}`)).toEqual([
      'dist/app.js.map:1 generic-password',
      'dist/vendor.min.js:1 github-pat-token',
    ]);
    // package-lock.json and go.sum by name.
    expect(result.stats.skippedGenerated).toBe(2);
  });

  it('does scan lock files when asked', async () => {
    const result = await scanPath(root, { engine, includeGenerated: true });
    expect(result.stats.skippedGenerated).toBe(0);
    expect(result.findings.map((f) => `${f.path} ${f.ruleId}`)).toContain(
      'dist/vendor.min.js github-pat-token',
    );
  });
});
