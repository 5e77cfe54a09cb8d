// Dockerfile lint throughput (part of `npm run bench`; standalone: `npm run build && node scripts/bench-lint.mjs`).
//
// Lints 1,000 generated Dockerfiles (multi-stage, heredocs, continuations, ARG/ENV expansion, a few
// planted problems) with every rule, in-process on one thread, and reports files per second.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { dist, fmt, rng, table } from './bench/common.mjs';

const BASES = [
  'node:20-bookworm-slim',
  'python:3.12-slim',
  'golang:1.22',
  'alpine:3.20',
  'debian:12',
  'ubuntu',
  'node:latest',
  'ghcr.io/acme/base:1.4@sha256:0f1e',
];

/** One realistic Dockerfile of 20–60 lines. */
export function generateDockerfile(r, i) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const lines = ['# syntax=docker/dockerfile:1.7', `ARG VERSION=1.${i % 10}.0`];
  lines.push(`FROM ${pick(BASES)} AS build`, 'WORKDIR /src', 'ENV CGO_ENABLED=0 APP_HOME=/src');
  lines.push(
    'RUN apt-get update && \\',
    '    apt-get install -y --no-install-recommends git ca-certificates && \\',
    '    rm -rf /var/lib/apt/lists/*',
  );
  if (r() < 0.5) lines.push('RUN <<EOF', 'set -eux', 'make deps', 'make build VERSION=${VERSION}', 'EOF');
  if (r() < 0.2) lines.push('RUN curl -fsSL https://get.example.com/install.sh | sh');
  if (r() < 0.2) lines.push(`ENV API_TOKEN=tok_${Math.floor(r() * 1e9)}`);
  for (let k = 0; k < 5 + Math.floor(r() * 20); k++)
    lines.push(
      pick([
        'COPY go.mod go.sum ./',
        'RUN go mod download',
        'COPY . .',
        'RUN make test',
        'RUN pip install flask==3.0.3',
        'LABEL org.opencontainers.image.version=${VERSION}',
      ]),
    );
  lines.push(`FROM ${pick(BASES)}`, 'COPY --from=build --chown=10001:10001 /src/out /app', 'WORKDIR /app');
  if (r() < 0.7) lines.push('USER 10001');
  if (r() < 0.5) lines.push('HEALTHCHECK --interval=30s CMD ["/app/health"]');
  lines.push('EXPOSE 8080', 'ENTRYPOINT ["/app/server"]');
  return `${lines.join('\n')}\n`;
}

export default async function benchLint() {
  const { lintDockerfile } = await import(dist('lint/engine.js'));
  const { parseDockerIgnore } = await import(dist('lint/dockerignore.js'));
  const r = rng(7);
  const files = Array.from({ length: 1000 }, (_, i) => generateDockerfile(r, i));
  const bytes = files.reduce((n, f) => n + f.length, 0);
  const dockerignore = parseDockerIgnore('.git\n.env*\n**/*.pem\n**/*.key\n');
  // Warm-up (JIT), then the measured pass.
  for (const f of files.slice(0, 50)) lintDockerfile(f, { path: 'Dockerfile', dockerignore });
  const t0 = performance.now();
  let findings = 0;
  for (const f of files) findings += lintDockerfile(f, { path: 'Dockerfile', dockerignore }).findings.length;
  const s = (performance.now() - t0) / 1000;
  table('lint: 1,000 generated Dockerfiles, every rule, one thread', [
    {
      files: files.length,
      KB: fmt(bytes / 1024, 0),
      seconds: fmt(s, 2),
      'files/s': fmt(files.length / s, 0),
      findings,
    },
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchLint();
