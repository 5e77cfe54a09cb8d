/**
 * `.dockerignore` semantics (as the Docker build context loader applies them): patterns are matched
 * against paths relative to the context root, anchored at the root (`*.pem` matches only top-level
 * files; `**` spans directories), a pattern that matches a directory excludes everything below it,
 * `!pattern` re-includes, and the last matching pattern wins. Comments start with `#`.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

interface Pattern {
  readonly source: string;
  readonly negated: boolean;
  readonly regex: RegExp;
}

export interface DockerIgnore {
  /** The file that was read (for messages). */
  readonly path: string;
  readonly patterns: readonly Pattern[];
  /** True when the context path (relative, `/`-separated) is excluded from the build context. */
  excludes(path: string): boolean;
}

const MAX_PATTERNS = 10_000;

export function parseDockerIgnore(text: string, path = '.dockerignore'): DockerIgnore {
  const patterns: Pattern[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    if (patterns.length >= MAX_PATTERNS) break;
    if (rawLine.startsWith('#')) continue;
    let line = rawLine.trim();
    if (!line) continue;
    let negated = false;
    if (line.startsWith('!')) {
      negated = true;
      line = line.slice(1).trim();
    }
    const cleaned = cleanPath(line);
    if (!cleaned || cleaned === '.') continue;
    patterns.push({ source: rawLine.trim(), negated, regex: toRegex(cleaned) });
  }
  return {
    path,
    patterns,
    excludes(p: string): boolean {
      const file = cleanPath(p);
      const parents = file.split('/');
      let excluded = false;
      for (const pat of patterns) {
        if (pat.negated === !excluded) continue; // cannot change the outcome
        let match = pat.regex.test(file);
        // A pattern naming a directory applies to everything inside it.
        for (let k = 1; !match && k < parents.length; k++)
          match = pat.regex.test(parents.slice(0, k).join('/'));
        if (match) excluded = !pat.negated;
      }
      return excluded;
    },
  };
}

/** Like Go's filepath.Clean on a relative slash path, without a leading `/` or `./`. */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

function toRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
      } else {
        let cls = pattern.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (cls.startsWith('!') || cls.startsWith('^')) cls = `^${cls.slice(1)}`;
        re += `[${cls}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRe(pattern[i + 1]!);
      i++;
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(`^${re}$`);
}

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * The ignore file that applies to a Dockerfile: `<name>.dockerignore` next to it (BuildKit's
 * per-Dockerfile ignore file) wins over `.dockerignore`. `null` when neither exists.
 */
export function loadDockerIgnoreFor(dockerfilePath: string, contextDir?: string): DockerIgnore | null {
  const dir = contextDir ?? dirname(dockerfilePath);
  const candidates = [
    join(dirname(dockerfilePath), `${basename(dockerfilePath)}.dockerignore`),
    join(dir, '.dockerignore'),
  ];
  for (const candidate of candidates) {
    try {
      const st = statSync(candidate);
      if (!st.isFile() || st.size > 4 * 1024 * 1024) continue;
      return parseDockerIgnore(readFileSync(candidate, 'utf8'), candidate);
    } catch {
      // missing or unreadable: try the next candidate
    }
  }
  return null;
}

/** Context paths that should never reach a build context, with a label for messages. */
export const CONTEXT_PROBES: readonly { readonly path: string; readonly label: string }[] = [
  { path: '.git/config', label: '.git' },
  { path: '.env', label: '.env' },
  { path: 'id_rsa', label: 'id_rsa' },
  { path: 'server.key', label: '*.key' },
  { path: 'private.pem', label: '*.pem' },
];
