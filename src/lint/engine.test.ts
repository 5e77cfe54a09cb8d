import { describe, expect, it } from 'vitest';
import { lintConfigFrom } from './config.js';
import { parseDockerIgnore } from './dockerignore.js';
import { lintDockerfile } from './engine.js';
import { parseImageRef, isTrustedRef } from './image-ref.js';
import { isSecretName } from './secret-names.js';

const src = (lines: string[]): string => `${lines.join('\n')}\n`;

describe('engine', () => {
  const file = src([
    'FROM node:20',
    '# bulwark-ignore: sudo-in-run vendor installer needs it',
    'RUN sudo ./install.sh',
    '# bulwark-ignore: cd-in-run',
    'RUN cd /x && make',
    'USER node',
    'HEALTHCHECK NONE',
  ]);

  it('applies suppressions with a reason and reports the ones without', () => {
    const r = lintDockerfile(file, { path: 'Dockerfile' });
    const ids = r.findings.map((f) => `${f.range.start.line}:${f.ruleId}`);
    expect(ids).not.toContain('3:sudo-in-run');
    expect(ids).toContain('5:cd-in-run'); // no reason: not applied
    expect(ids).toContain('4:suppression-without-reason');
    expect(r.suppressed).toBe(1);
  });

  it('applies severity overrides and off, and sorts findings by position', () => {
    const r = lintDockerfile(file, {
      path: 'Dockerfile',
      config: { trustedRegistries: [], rules: { 'cd-in-run': 'high', 'from-without-digest': 'off' } },
    });
    expect(r.findings.find((f) => f.ruleId === 'cd-in-run')!.severity).toBe('high');
    expect(r.findings.some((f) => f.ruleId === 'from-without-digest')).toBe(false);
    const positions = r.findings.map((f) => f.range.start.line * 1000 + f.range.start.column);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('gives stable fingerprints that survive moving the instruction', () => {
    const a = lintDockerfile(src(['FROM node:20', 'RUN cd /x']), { path: 'Dockerfile' });
    const b = lintDockerfile(src(['FROM node:20', '', '# moved', 'RUN cd /x']), { path: 'Dockerfile' });
    const fp = (r: typeof a) => r.findings.find((f) => f.ruleId === 'cd-in-run')!.fingerprint;
    expect(fp(a)).toBe(fp(b));
    expect(fp(a)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('lints a binary-looking or hostile text without throwing', () => {
    const noise = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(1 + ((i * 7919) % 0xd7ff))).join(
      '',
    );
    expect(() => lintDockerfile(noise, { path: 'x' })).not.toThrow();
    expect(() => lintDockerfile(`FROM a\n${'RUN "'.repeat(10000)}\n`, { path: 'x' })).not.toThrow();
  });
});

describe('config', () => {
  it('validates the lint section', () => {
    expect(lintConfigFrom({ data: {} })).toEqual({ trustedRegistries: [], rules: {} });
    expect(
      lintConfigFrom({
        path: '/x/.bulwark.yaml',
        data: {
          lint: {
            failOn: 'high',
            trustedRegistries: ['ghcr.io'],
            rules: { 'cd-in-run': 'off', 'image-setuid-file': 'low' },
          },
        },
      }),
    ).toEqual({
      failOn: 'high',
      trustedRegistries: ['ghcr.io'],
      rules: { 'cd-in-run': 'off', 'image-setuid-file': 'low' },
    });
  });

  it.each([
    [{ failOn: 'urgent' }, /lint\.failOn/],
    [{ rules: { 'no-such-rule': 'off' } }, /unknown rule no-such-rule/],
    [{ rules: { 'cd-in-run': 'loud' } }, /lint\.rules\.cd-in-run/],
    [{ trustedRegistry: [] }, /lint/],
  ])('rejects %j with one clear line', (lint, message) => {
    expect(() => lintConfigFrom({ path: '.bulwark.yaml', data: { lint } })).toThrow(message);
  });
});

describe('.dockerignore semantics', () => {
  it.each([
    ['.git', '.git/config', true],
    ['.git', 'sub/.git/config', false], // anchored at the context root
    ['**/.git', 'sub/.git/config', true],
    ['*.pem', 'key.pem', true],
    ['*.pem', 'certs/key.pem', false],
    ['**/*.pem', 'certs/deep/key.pem', true],
    ['/secrets', 'secrets/a', true],
    ['*\n!keep.env', 'keep.env', false],
    ['*\n!keep.env', 'other', true],
    ['.env*\n!.env.example', '.env.example', false],
    ['.env*\n!.env.example', '.env.local', true],
    ['# comment\n\n  .env  ', '.env', true],
    ['id_[rd]sa', 'id_rsa', true],
    ['id_?sa', 'id_dsa', true],
    ['./build/../.env', '.env', true],
  ])('%j excludes %s: %s', (patterns, path, excluded) => {
    expect(parseDockerIgnore(patterns).excludes(path)).toBe(excluded);
  });
});

describe('helpers', () => {
  it.each([
    ['node', { registry: 'docker.io', repository: 'library/node' }],
    [
      'node:20@sha256:ab',
      { registry: 'docker.io', repository: 'library/node', tag: '20', digest: 'sha256:ab' },
    ],
    ['localhost:5000/app:1', { registry: 'localhost:5000', repository: 'app', tag: '1' }],
    ['ghcr.io/acme/app', { registry: 'ghcr.io', repository: 'acme/app' }],
    ['acme/app:2', { registry: 'docker.io', repository: 'acme/app', tag: '2' }],
  ])('parses image reference %s', (ref, expected) => {
    expect(parseImageRef(ref)).toEqual(expected);
  });

  it('matches trusted registries by host or repository prefix', () => {
    expect(isTrustedRef(parseImageRef('ghcr.io/acme/app:1'), ['ghcr.io/acme'])).toBe(true);
    expect(isTrustedRef(parseImageRef('ghcr.io/acmeevil/app:1'), ['ghcr.io/acme'])).toBe(false);
    expect(isTrustedRef(parseImageRef('node:20'), ['docker.io'])).toBe(true);
  });

  it.each([
    ['DB_PASSWORD', true],
    ['dbPassword', true],
    ['GITHUB_TOKEN', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['STRIPE_API_KEY', true],
    ['CLIENT_SECRET', true],
    ['PASSWORD_FILE', false],
    ['TOKEN_TTL', false],
    ['TOKENIZERS_PARALLELISM', false],
    ['PWD', false],
    ['AWS_ACCESS_KEY_ID', false],
    ['PUBLIC_KEY', false],
    ['KEYBOARD', false],
  ])('isSecretName(%s) = %s', (name, expected) => {
    expect(isSecretName(name)).toBe(expected);
  });
});
