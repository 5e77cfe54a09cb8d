/**
 * The rule corpus: for every rule, Dockerfiles that must trigger it (at the given lines) and near
 * misses that must not. Each case runs only the rule under test so that the expectations are exact.
 */
import { describe, expect, it } from 'vitest';
import { parseDockerIgnore } from '../dockerignore.js';
import { lintDockerfile, type LintOptions } from '../engine.js';
import { expandTemplate } from '../../secrets/test-support/fake.js';
import { defaultTextSecretDetector } from '../secret-detector.js';
import { RULES, RULES_BY_ID } from './index.js';

const fake = (template: string): string => expandTemplate(template, 'lint-rules');

interface Case {
  readonly name: string;
  readonly dockerfile: readonly string[];
  /** Lines where the rule must report (empty: a near miss). */
  readonly lines: readonly number[];
  readonly options?: Partial<LintOptions> & { trustedRegistries?: string[] };
}

function run(ruleId: string, c: Case): number[] {
  const rule = RULES_BY_ID.get(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const { trustedRegistries, ...rest } = c.options ?? {};
  const result = lintDockerfile(`${c.dockerfile.join('\n')}\n`, {
    path: 'Dockerfile',
    rules: [rule],
    config: { trustedRegistries: trustedRegistries ?? [], rules: {} },
    ...rest,
  });
  return result.findings.map((f) => f.range.start.line);
}

const CASES: Record<string, readonly Case[]> = {
  'hardcoded-secret': [
    {
      name: 'ENV password literal',
      dockerfile: ['FROM alpine:3.20', 'ENV DB_PASSWORD=hunter22'],
      lines: [2],
    },
    {
      name: 'ARG token default',
      dockerfile: ['FROM alpine:3.20', 'ARG NPM_TOKEN=npm_abcdef123456'],
      lines: [2],
    },
    {
      name: 'LABEL api key, legacy ENV form',
      dockerfile: ['FROM alpine:3.20', 'LABEL stripeApiKey="sk_live_123456"', 'ENV GITHUB_TOKEN ghp_abc123'],
      lines: [2, 3],
    },
    {
      name: 'ONBUILD ENV secret',
      dockerfile: ['FROM alpine:3.20', 'ONBUILD ENV AWS_SECRET_ACCESS_KEY=abcd1234efgh'],
      lines: [2],
    },
    {
      name: 'near miss: *_FILE path',
      dockerfile: ['FROM alpine:3.20', 'ENV PASSWORD_FILE=/run/secrets/db'],
      lines: [],
    },
    { name: 'near miss: ARG without value', dockerfile: ['FROM alpine:3.20', 'ARG TOKEN'], lines: [] },
    {
      name: 'near miss: reference and switch values',
      dockerfile: [
        'FROM alpine:3.20',
        'ARG API_KEY',
        'ENV API_KEY=$API_KEY REQUIRE_PASSWORD=true TOKENIZERS_PARALLELISM=false PWD=/app',
      ],
      lines: [],
    },
    {
      name: 'value recognised by a secret detector',
      dockerfile: ['FROM alpine:3.20', 'ENV UPSTREAM=ghp_0123456789abcdefghijABCDEFGHIJ012345'],
      lines: [2],
      options: {
        detectSecret: (v: string) =>
          v.startsWith('ghp_') ? { title: 'GitHub token', severity: 'critical', masked: 'ghp_…' } : undefined,
      },
    },
  ],
  'secret-in-run': [
    {
      name: 'token in a RUN command, a RUN heredoc and a COPY heredoc',
      dockerfile: [
        'FROM alpine:3.20',
        `RUN curl -H "Authorization: Bearer ${fake('{A:40}')}" https://x.internal/a`,
        'RUN <<EOF',
        'set -e',
        `echo "${fake('ghp_{gh}')}" > /root/.token`,
        'EOF',
        'COPY <<-CFG /etc/app.conf',
        `\tstripe_key=${fake('sk_live_{A:40}')}`,
        '\tCFG',
      ],
      lines: [2, 5, 8],
      options: { detectSecretsInText: defaultTextSecretDetector() },
    },
    {
      name: 'near miss: placeholders and secret mounts',
      dockerfile: [
        'FROM alpine:3.20',
        'RUN --mount=type=secret,id=token TOKEN=$(cat /run/secrets/token) ./fetch',
        'RUN <<EOF',
        'echo "token=${TOKEN}" > /root/.cfg',
        'EOF',
      ],
      lines: [],
      options: { detectSecretsInText: defaultTextSecretDetector() },
    },
  ],
  'credentials-in-run': [
    {
      name: 'curl -u user:pass',
      dockerfile: ['FROM alpine:3.20', 'RUN curl -fsSL \\', '  -u deploy:s3cret https://repo/x.tgz -o x.tgz'],
      lines: [3],
    },
    {
      name: 'URL with password',
      dockerfile: ['FROM alpine:3.20', 'RUN git clone https://bot:ghp_abc@github.com/acme/app.git'],
      lines: [2],
    },
    {
      name: '--password=…',
      dockerfile: ['FROM alpine:3.20', 'RUN <<EOF', 'set -e', 'mysql --password=rootpw -e "select 1"', 'EOF'],
      lines: [4],
    },
    {
      name: 'near miss: password from a variable or stdin',
      dockerfile: [
        'FROM alpine:3.20',
        'RUN curl -u "deploy:$PASS" https://x/ && docker login --password-stdin && git clone https://$U:$P@host/r.git',
      ],
      lines: [],
    },
    {
      name: 'near miss: curl -u user only',
      dockerfile: ['FROM alpine:3.20', 'RUN curl -u deploy https://x/'],
      lines: [],
    },
  ],
  'secret-build-arg': [
    {
      name: 'RUN uses a secret build arg',
      dockerfile: [
        'FROM node:20',
        'ARG NPM_TOKEN',
        'RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci',
      ],
      lines: [3],
    },
    {
      name: 'near miss: secret mount',
      dockerfile: ['FROM node:20', 'ARG NPM_TOKEN', 'RUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci'],
      lines: [],
    },
    {
      name: 'ENV copies a secret build arg',
      dockerfile: ['FROM node:20', 'ARG API_KEY', 'ENV API_KEY=$API_KEY MODE=prod'],
      lines: [3],
    },
    {
      name: 'near miss: ENV from a non-secret arg',
      dockerfile: ['FROM node:20', 'ARG VERSION', 'ENV APP_VERSION=$VERSION'],
      lines: [],
    },
    {
      name: 'near miss: used before declared',
      dockerfile: ['FROM node:20', 'RUN echo $NPM_TOKEN', 'ARG NPM_TOKEN'],
      lines: [],
    },
  ],
  'copy-sensitive-file': [
    { name: 'private key', dockerfile: ['FROM alpine:3.20', 'COPY id_rsa /root/.ssh/id_rsa'], lines: [2] },
    {
      name: 'env, npmrc, tfstate, keystore',
      dockerfile: ['FROM alpine:3.20', 'COPY .env .npmrc /app/', 'ADD infra/terraform.tfstate app.jks /x/'],
      lines: [2, 2, 3, 3],
    },
    {
      name: 'credential paths',
      dockerfile: [
        'FROM alpine:3.20',
        'COPY ["home/.aws/credentials", "/root/.aws/"]',
        'COPY --chown=app .docker/config.json /home/app/.docker/',
      ],
      lines: [2, 3],
    },
    {
      name: 'near miss: public key, example env',
      dockerfile: [
        'FROM alpine:3.20',
        'COPY id_rsa.pub /root/.ssh/authorized_keys',
        'COPY .env.example /app/.env.example',
      ],
      lines: [],
    },
    {
      name: 'near miss: heredoc content',
      dockerfile: ['FROM alpine:3.20', 'COPY <<EOF /app/key.pem', 'not really', 'EOF'],
      lines: [],
    },
  ],
  'copy-context-unfiltered': [
    {
      name: 'no .dockerignore',
      dockerfile: ['FROM node:20', 'WORKDIR /app', 'COPY . .'],
      lines: [3],
      options: { dockerignore: null },
    },
    {
      name: 'ignore file misses .env',
      dockerfile: ['FROM node:20', 'ADD . /app'],
      lines: [2],
      options: { dockerignore: parseDockerIgnore('.git\n*.pem\n*.key\nid_rsa*\n') },
    },
    {
      name: 'near miss: complete ignore file',
      dockerfile: ['FROM node:20', 'COPY . .'],
      lines: [],
      options: { dockerignore: parseDockerIgnore('.git\n.env*\n**/*.pem\n**/*.key\nid_*\n') },
    },
    {
      name: 'near miss: allow-list ignore file',
      dockerfile: ['FROM node:20', 'COPY . .'],
      lines: [],
      options: { dockerignore: parseDockerIgnore('*\n!src\n!package.json\n') },
    },
    {
      name: 'near miss: copy from a stage',
      dockerfile: ['FROM node:20 AS b', 'FROM node:20', 'COPY --from=b . .'],
      lines: [],
      options: { dockerignore: null },
    },
  ],
  'final-user-root': [
    { name: 'no USER', dockerfile: ['FROM node:20', 'CMD ["node"]'], lines: [1] },
    { name: 'last USER root', dockerfile: ['FROM node:20', 'USER node', 'RUN id', 'USER 0:0'], lines: [4] },
    {
      name: 'multi-stage: only the final stage counts',
      dockerfile: ['FROM node:20 AS build', 'USER node', 'FROM node:20-slim'],
      lines: [3],
    },
    {
      name: 'near miss: USER 1000 after USER root',
      dockerfile: ['FROM node:20', 'USER root', 'RUN apt-get update', 'USER 1000'],
      lines: [],
    },
    {
      name: 'near miss: USER inherited from the base stage',
      dockerfile: ['FROM node:20 AS base', 'USER app', 'FROM base'],
      lines: [],
    },
    {
      name: 'scratch runs as root too',
      dockerfile: ['FROM golang:1.22 AS b', 'FROM scratch', 'COPY --from=b /app /app'],
      lines: [2],
    },
    {
      name: 'near miss: build-time user',
      dockerfile: ['FROM node:20', 'ARG UID', 'USER $UID'],
      lines: [],
    },
  ],
  'sudo-in-run': [
    {
      name: 'sudo',
      dockerfile: ['FROM debian:12', 'RUN apt-get update && sudo apt-get install -y x'],
      lines: [2],
    },
    {
      name: 'near miss: sudo as a package name',
      dockerfile: ['FROM debian:12', 'RUN apt-get install -y sudo'],
      lines: [],
    },
  ],
  'from-unpinned-tag': [
    {
      name: 'latest and untagged',
      dockerfile: ['FROM node:latest AS a', 'FROM ubuntu', 'FROM ghcr.io/acme/base'],
      lines: [1, 2, 3],
    },
    { name: 'via ARG', dockerfile: ['ARG TAG=latest', 'FROM node:${TAG}'], lines: [2] },
    {
      name: 'near miss: tag, digest, stage, scratch, unresolved',
      dockerfile: [
        'FROM node:20 AS a',
        'FROM alpine@sha256:0123',
        'FROM a',
        'FROM scratch',
        'ARG V',
        'FROM node:$V',
      ],
      lines: [],
    },
  ],
  'from-without-digest': [
    { name: 'tag only', dockerfile: ['FROM node:20'], lines: [1] },
    { name: 'near miss: digest', dockerfile: ['FROM node:20@sha256:abcd'], lines: [] },
  ],
  'from-untrusted-registry': [
    {
      name: 'registry not trusted',
      dockerfile: ['FROM quay.io/evil/img:1', 'FROM node:20'],
      lines: [1, 2],
      options: { trustedRegistries: ['ghcr.io/acme'] },
    },
    {
      name: 'near miss: trusted prefix and Docker Hub',
      dockerfile: ['FROM ghcr.io/acme/base:1', 'FROM node:20'],
      lines: [],
      options: { trustedRegistries: ['ghcr.io/acme', 'docker.io'] },
    },
    { name: 'near miss: not configured', dockerfile: ['FROM quay.io/x/y:1'], lines: [] },
  ],
  'add-remote-without-checksum': [
    {
      name: 'ADD URL',
      dockerfile: ['FROM alpine:3.20', 'ADD https://example.com/tool.tgz /tmp/'],
      lines: [2],
    },
    {
      name: 'near miss: checksum, COPY, local ADD',
      dockerfile: [
        'FROM alpine:3.20',
        'ADD --checksum=sha256:00ff https://example.com/t.tgz /tmp/',
        'ADD local.tgz /tmp/',
      ],
      lines: [],
    },
  ],
  'pipe-to-shell': [
    {
      name: 'curl | sh',
      dockerfile: ['FROM alpine:3.20', 'RUN curl -fsSL https://get.example.com | sh'],
      lines: [2],
    },
    {
      name: 'wget | sudo bash in heredoc',
      dockerfile: [
        'FROM alpine:3.20',
        'RUN <<EOF',
        'set -e',
        'wget -qO- https://x/install | sudo bash -s --',
        'EOF',
      ],
      lines: [4],
    },
    {
      name: 'sh -c "$(curl …)" and bash <(curl …)',
      dockerfile: [
        'FROM alpine:3.20',
        'RUN sh -c "$(curl -fsSL https://x/i.sh)"',
        'RUN bash <(curl -s https://x/i.sh)',
      ],
      lines: [2, 3],
    },
    {
      name: 'near miss: piped into tar, verified download',
      dockerfile: [
        'FROM alpine:3.20',
        'RUN curl -fsSL https://x/t.tgz | tar xz && curl -o i.sh https://x/i.sh && sha256sum -c sums && sh i.sh',
      ],
      lines: [],
    },
  ],
  'insecure-download': [
    {
      name: 'curl -k, wget --no-check-certificate',
      dockerfile: [
        'FROM alpine:3.20',
        'RUN curl -fsSLk https://x/a -o a',
        'RUN wget --no-check-certificate https://x/b',
      ],
      lines: [2, 3],
    },
    {
      name: 'near miss: -K is not -k',
      dockerfile: ['FROM alpine:3.20', 'RUN curl -fsSL https://x/a -o a && curl -K config'],
      lines: [],
    },
  ],
  'package-upgrade': [
    {
      name: 'apt-get upgrade / dist-upgrade',
      dockerfile: [
        'FROM debian:12',
        'RUN apt-get update && apt-get -y upgrade',
        'RUN apt-get dist-upgrade -y',
      ],
      lines: [2, 3],
    },
    {
      name: 'near miss: install --only-upgrade, yum update pkg',
      dockerfile: ['FROM debian:12', 'RUN apt-get install -y --only-upgrade openssl && yum update openssl'],
      lines: [],
    },
  ],
  'apt-get-missing-yes': [
    {
      name: 'no -y',
      dockerfile: ['FROM debian:12', 'RUN apt-get install --no-install-recommends curl'],
      lines: [2],
    },
    {
      name: 'near miss: -qy, --yes, -qq',
      dockerfile: [
        'FROM debian:12',
        'RUN apt-get -qy install curl && apt-get install --yes git && apt-get -qq install vim',
      ],
      lines: [],
    },
  ],
  'apt-get-no-install-recommends': [
    { name: 'missing', dockerfile: ['FROM debian:12', 'RUN apt-get install -y curl'], lines: [2] },
    {
      name: 'near miss: flag or -o option',
      dockerfile: [
        'FROM debian:12',
        'RUN apt-get install -y --no-install-recommends curl && apt-get install -y -o APT::Install-Recommends=false git',
      ],
      lines: [],
    },
  ],
  'apt-lists-not-cleaned': [
    {
      name: 'update without cleanup',
      dockerfile: ['FROM debian:12', 'RUN apt-get update && apt-get install -y curl'],
      lines: [2],
    },
    {
      name: 'near miss: cleanup, cache mount, builder stage',
      dockerfile: [
        'FROM debian:12 AS build',
        'RUN apt-get update && apt-get install -y gcc',
        'FROM debian:12',
        'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
        'RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update',
      ],
      lines: [],
    },
  ],
  'apk-add-no-cache': [
    { name: 'apk add', dockerfile: ['FROM alpine:3.20', 'RUN apk update && apk add curl'], lines: [2] },
    {
      name: 'near miss: --no-cache',
      dockerfile: ['FROM alpine:3.20', 'RUN apk add --no-cache curl'],
      lines: [],
    },
  ],
  'pip-no-cache-dir': [
    {
      name: 'pip install, python -m pip',
      dockerfile: ['FROM python:3.12', 'RUN pip install flask', 'RUN python3 -m pip install requests'],
      lines: [2, 3],
    },
    {
      name: 'near miss: flag, env, cache mount',
      dockerfile: [
        'FROM python:3.12',
        'RUN pip install --no-cache-dir flask',
        'RUN --mount=type=cache,target=/root/.cache/pip pip install x',
      ],
      lines: [],
    },
    {
      name: 'near miss: PIP_NO_CACHE_DIR',
      dockerfile: ['FROM python:3.12', 'ENV PIP_NO_CACHE_DIR=1', 'RUN pip install flask'],
      lines: [],
    },
  ],
  'unpinned-package': [
    {
      name: 'apt, apk, pip without versions',
      dockerfile: [
        'FROM debian:12',
        'RUN apt-get install -y curl',
        'RUN apk add --no-cache git',
        'RUN pip install flask',
      ],
      lines: [2, 3, 4],
    },
    {
      name: 'near miss: pinned and files',
      dockerfile: [
        'FROM debian:12',
        'RUN apt-get install -y curl=7.88.1-10 ./local.deb',
        'RUN apk add git=2.45.2-r0',
        'RUN pip install flask==3.0.3 -r requirements.txt .',
      ],
      lines: [],
    },
  ],
  'chmod-world-writable': [
    {
      name: 'chmod 777, o+w, COPY --chmod',
      dockerfile: [
        'FROM alpine:3.20',
        'RUN chmod -R 777 /app',
        'RUN chmod o+w /data',
        'COPY --chmod=666 a /a',
      ],
      lines: [2, 3, 4],
    },
    {
      name: 'near miss: 1777 sticky, 755',
      dockerfile: ['FROM alpine:3.20', 'RUN chmod 1777 /scratch && chmod 755 /app && chmod u+w x'],
      lines: [],
    },
  ],
  'expose-ssh': [
    {
      name: 'EXPOSE 22 and range',
      dockerfile: ['FROM alpine:3.20', 'EXPOSE 80 22/tcp', 'EXPOSE 20-25'],
      lines: [2, 3],
    },
    { name: 'near miss: 2222, 22/udp', dockerfile: ['FROM alpine:3.20', 'EXPOSE 2222 22/udp'], lines: [] },
  ],
  'missing-healthcheck': [
    {
      name: 'no HEALTHCHECK',
      dockerfile: ['FROM node:20 AS build', 'HEALTHCHECK CMD true', 'FROM node:20-slim'],
      lines: [3],
    },
    {
      name: 'near miss: HEALTHCHECK NONE, inherited',
      dockerfile: ['FROM node:20 AS base', 'HEALTHCHECK NONE', 'FROM base'],
      lines: [],
    },
  ],
  'multiple-cmd-entrypoint': [
    {
      name: 'two CMD',
      dockerfile: ['FROM node:20', 'CMD ["a"]', 'ENTRYPOINT ["x"]', 'CMD ["b"]'],
      lines: [2],
    },
    {
      name: 'near miss: one per stage',
      dockerfile: ['FROM node:20 AS a', 'CMD ["a"]', 'FROM node:20', 'CMD ["b"]'],
      lines: [],
    },
  ],
  'relative-workdir': [
    { name: 'relative', dockerfile: ['FROM node:20', 'WORKDIR app'], lines: [2] },
    {
      name: 'near miss: absolute, variable to absolute, windows',
      dockerfile: ['FROM node:20', 'ENV HOME_DIR=/srv', 'WORKDIR $HOME_DIR/app', 'WORKDIR C:\\app'],
      lines: [],
    },
  ],
  'cd-in-run': [
    { name: 'cd', dockerfile: ['FROM node:20', 'RUN cd /app && npm ci'], lines: [2] },
    { name: 'near miss: make -C', dockerfile: ['FROM node:20', 'RUN make -C /app'], lines: [] },
  ],
  'maintainer-deprecated': [
    { name: 'MAINTAINER', dockerfile: ['FROM node:20', 'MAINTAINER me <me@example.com>'], lines: [2] },
    {
      name: 'near miss: label',
      dockerfile: ['FROM node:20', 'LABEL org.opencontainers.image.authors="me"'],
      lines: [],
    },
  ],
  'pipe-without-pipefail': [
    { name: 'pipe', dockerfile: ['FROM debian:12', 'RUN curl -fsSL https://x/t.tgz | tar xz'], lines: [2] },
    {
      name: 'near miss: set -o pipefail, SHELL with pipefail, ||',
      dockerfile: [
        'FROM debian:12',
        'RUN set -eux -o pipefail; curl x | tar xz',
        'RUN false || true',
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
        'RUN curl x | tar xz',
      ],
      lines: [],
    },
  ],
  'dockerfile-syntax': [
    {
      name: 'unknown instruction and unterminated quote',
      dockerfile: ['FROM alpine:3.20', 'RUNN echo', 'RUN echo "oops'],
      lines: [2, 3],
    },
    {
      name: 'unterminated heredoc',
      dockerfile: ['FROM alpine:3.20', 'RUN <<EOF', 'echo never ends'],
      lines: [2],
    },
    {
      name: 'near miss: valid file',
      dockerfile: ['FROM alpine:3.20', 'RUN echo "fine" \\', '  && echo ok'],
      lines: [],
    },
  ],
  'suppression-without-reason': [
    {
      name: 'missing reason, unknown rule',
      dockerfile: [
        'FROM alpine:3.20',
        '# bulwark-ignore: sudo-in-run',
        'RUN sudo id',
        '# bulwark-ignore: no-such-rule because',
        'RUN id',
      ],
      lines: [2, 4],
    },
    {
      name: 'near miss: with reason',
      dockerfile: [
        'FROM alpine:3.20',
        '# bulwark-ignore: sudo-in-run needed by the vendor installer',
        'RUN sudo id',
      ],
      lines: [],
    },
  ],
};

describe('rule corpus', () => {
  it('covers every registered rule with a trigger and a near miss', () => {
    for (const rule of RULES) {
      const cases = CASES[rule.id] ?? [];
      expect(
        cases.some((c) => c.lines.length > 0),
        `${rule.id} has a trigger`,
      ).toBe(true);
      expect(
        cases.some((c) => c.lines.length === 0),
        `${rule.id} has a near miss`,
      ).toBe(true);
    }
  });

  const table = Object.entries(CASES).flatMap(([ruleId, cases]) =>
    cases.map((c) => [ruleId, c.name, c] as const),
  );
  it.each(table)('%s: %s', (ruleId, _name, c) => {
    expect(run(ruleId, c)).toEqual(c.lines);
  });
});

describe('rule metadata', () => {
  it.each(RULES.map((r) => [r.id, r] as const))('%s is complete and documented', (id, rule) => {
    expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(rule.title.length).toBeGreaterThan(5);
    expect(rule.rationale.length).toBeGreaterThan(20);
    expect(rule.fix.length).toBeGreaterThan(10);
  });

  it('ids are unique', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });
});
