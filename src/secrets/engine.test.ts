import { describe, expect, it } from 'vitest';
import { SecretEngine } from './engine.js';
import { detectSecretsInText } from './index.js';
import { expandTemplate } from './test-support/fake.js';
import { githubTokenChecksumOk, jwtStructureOk } from './validators.js';

const engine = new SecretEngine();
const ghToken = (seed: string): string => expandTemplate('ghp_{gh}', seed);
const awsId = (seed: string): string => expandTemplate('AKIA{U:16}', seed);

describe('SecretEngine', () => {
  it('reports rule, line and column of the secret itself', () => {
    const token = ghToken('a');
    const text = `first line\n\n  const t = "${token}";\nlast`;
    const [f, ...rest] = engine.scanText(text);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      ruleId: 'github-pat-token',
      severity: 'critical',
      line: 3,
      column: 14,
      endLine: 3,
      endColumn: 14 + 40,
    });
    expect(f?.secret.preview).toBe(`${token.slice(0, 4)}…`);
    expect(f?.secret.length).toBe(40);
    expect(f?.secret.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives the same findings whatever the chunking (secrets straddling chunk edges)', () => {
    const lines: string[] = [];
    for (let i = 0; i < 400; i++)
      lines.push(i % 37 === 5 ? `key_${i} = ${awsId(`k${i}`)}` : `filler line ${i} with some words`);
    const text = lines.join('\n');
    const whole = engine.scanText(text);
    expect(whole.length).toBe(11);
    const bytes = Buffer.from(text);
    for (const size of [1, 7, 64, 4096]) {
      const s = engine.scanner();
      for (let i = 0; i < bytes.length; i += size) s.write(bytes.subarray(i, i + size));
      expect(s.end()).toEqual(whole);
    }
  });

  it('finds secrets across round boundaries of a long multi-megabyte text with correct lines', () => {
    const s = engine.scanner();
    const expected: number[] = [];
    let line = 1;
    for (let i = 0; i < 60_000; i++) {
      if (i % 6_000 === 3) {
        s.writeText(`AWS_ACCESS_KEY_ID=${awsId(`r${i}`)}\n`);
        expected.push(line);
      } else s.writeText(`${'lorem ipsum dolor sit amet '.repeat(3)}${i}\n`);
      line++;
    }
    const found = s.end();
    expect(found.map((f) => f.line)).toEqual(expected);
    expect(found.every((f) => f.column === 19)).toBe(true);
  });

  it('streams a huge single-line file in bounded memory and reports true columns', () => {
    const s = engine.scanner({ sniffBinary: true });
    const filler = Buffer.from('abc/def+ghi=jkl '.repeat(65_536)); // 1 MiB, no newline
    const total = 160; // MiB
    const plantAt = [5, 77, 159];
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    for (let mb = 0; mb < total; mb++) {
      if (plantAt.includes(mb))
        s.write(Buffer.from(` password="${expandTemplate('{A:12}!{A:8}', String(mb))}" `));
      s.write(filler);
      if (mb % 16 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    const found = s.end();
    expect(found.map((f) => f.ruleId)).toEqual(['generic-password', 'generic-password', 'generic-password']);
    expect(found.every((f) => f.line === 1)).toBe(true);
    expect(found[1]?.column).toBeGreaterThan(77 * 1024 * 1024);
    // The engine holds one round (~0.5 MiB of text) plus overlap, not the line.
    expect(peak).toBeLessThan(96 * 1024 * 1024);
  }, 120_000);

  it('stays fast on hostile text: every keyword followed by long undelimited runs', () => {
    const keywords = [...new Set(engine.rules.flatMap((r) => r.keywords))];
    const run = expandTemplate('{b:3000}', 'hostile');
    const text = keywords.map((k) => `${k}${run}${k}=${run}@${k}:${run}`).join('');
    const started = Date.now();
    engine.scanText(text);
    engine.scanText(text.replace(/[+/]/g, '\n'));
    // Linear-time windows: about a second on a busy CI machine; a backtracking regex would take minutes.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('skips binary input (NUL in the first block) and stops reading it', () => {
    const s = engine.scanner({ sniffBinary: true });
    s.write(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]));
    s.write(Buffer.from(`\nAWS_ACCESS_KEY_ID=${awsId('bin')}\n`));
    expect(s.end()).toEqual([]);
    expect(s.binary).toBe(true);
  });

  it('tolerates invalid UTF-8 and keeps columns in UTF-16 units', () => {
    const s = engine.scanner({ sniffBinary: true });
    s.write(
      Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80]), Buffer.from(` k=${awsId('utf')}\n`)]),
    );
    const [f] = s.end();
    expect(f?.ruleId).toBe('aws-access-key-id');
    expect(f?.line).toBe(1);
  });

  it('stops reading after maxBytes and says so', () => {
    const s = engine.scanner({ maxBytes: 100 });
    s.write(Buffer.from(`${'x'.repeat(150)} AWS_ACCESS_KEY_ID=${awsId('late')}`));
    expect(s.end()).toEqual([]);
    expect(s.truncated).toBe(true);
  });

  it.each([
    ['EXAMPLE marker', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'],
    ['xxxx filler', 'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    ['angle-bracket template', 'password = "<your-password>"'],
    ['shell variable', 'password: ${DB_PASSWORD}'],
    ['changeme', 'password = "changeme123"'],
    ['all-same characters', 'api_key = "aaaaaaaaaaaaaaaaaaaaaaaa"'],
    [
      'documentation URL',
      'see https://docs.corp.io/setup?sv=2020-01-01&sig=abcDEF123ghiJKL456mnoPQR789stuVWX012yzAB34%3D',
    ],
    ['code reference', 'password = config.database.password'],
    ['function call', 'token = os.getenv("TOKEN_VALUE")'],
    ['UUID identifier', 'token: 123e4567-e89b-42d3-a456-426614174000'],
    [
      'JWT with alg none',
      'Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWhlcmU',
    ],
    ['localhost default password', 'DATABASE_URL=postgres://postgres:postgres@localhost:5432/app'],
    ['fake in the value', 'STRIPE_KEY=sk_live_FAKEFAKEfakeKEY1234567890abcdefghij'],
  ])('ignores placeholders: %s', (_name, text) => {
    expect(engine.scanText(text)).toEqual([]);
  });

  it('honours an inline bulwark:allow comment on the same line only', () => {
    const t = ghToken('allow');
    expect(engine.scanText(`token = "${t}" # bulwark:allow test fixture`)).toEqual([]);
    expect(engine.scanText(`# bulwark:allow\ntoken = "${t}"`)).toHaveLength(1);
  });

  it('lets a specific rule win over a generic one on the same secret', () => {
    const found = engine.scanText(`GITHUB_TOKEN=${ghToken('spec')}`);
    expect(found.map((f) => f.ruleId)).toEqual(['github-pat-token']);
  });

  it('drops GitHub tokens whose CRC-32 checksum is wrong, leaving only the generic rule', () => {
    const good = ghToken('crc');
    expect(githubTokenChecksumOk(good)).toBe(true);
    const bad = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    expect(githubTokenChecksumOk(bad)).toBe(false);
    expect(engine.scanText(`const value = "${bad}"`)).toEqual([]);
    expect(engine.scanText(`GITHUB_TOKEN=${bad}`).map((f) => f.ruleId)).toEqual(['generic-token']);
  });

  it('checks JWT structure', () => {
    const jwt = expandTemplate('{jwt}', 'j');
    expect(jwtStructureOk(jwt)).toBe(true);
    expect(jwtStructureOk('eyJub3Rqc29u.eyJhIjoxfQ.abc')).toBe(false);
    expect(engine.scanText(`auth: ${jwt}`).map((f) => f.ruleId)).toEqual(['jwt']);
  });

  it('finds multi-line PEM keys and reports the span', () => {
    const pem = expandTemplate(
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl{b:66}\n{b:70}\n{b:70}\n-----END OPENSSH PRIVATE KEY-----',
      'pem',
    );
    const [f] = engine.scanText(`# deploy key\n${pem}\n`);
    expect(f).toMatchObject({ ruleId: 'private-key-openssh', line: 2, column: 1, endLine: 6 });
  });

  it('never exposes the raw secret through findings', () => {
    const t = ghToken('leak');
    const found = detectSecretsInText(`GH=${t}`, 'Dockerfile');
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe('Dockerfile');
    expect(JSON.stringify(found)).not.toContain(t);
    expect(JSON.stringify(found)).not.toContain(t.slice(4, 12));
  });

  it('uses custom allow regexes on the secret', () => {
    const t = awsId('custom');
    const e = new SecretEngine({ allowRegexes: [new RegExp(`^${t}$`)] });
    expect(e.scanText(`id=${t}`)).toEqual([]);
    expect(engine.scanText(`id=${t}`)).toHaveLength(1);
  });
});
