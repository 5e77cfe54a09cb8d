import { rethrowIfInternal } from '../../util/errors.js';
/**
 * Parser for Go module info text (runtime/debug.BuildInfo.String form): tab-separated lines
 * `path`, `mod`, `dep`, `=>` (replacement of the preceding mod/dep) and `build key=value`.
 */

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface ModInfo {
  /** The main package's import path (`path` line). */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: Record<string, string>;
}

/** Parse module info; unknown lines are ignored (newer toolchains may add some). */
export function parseModInfo(text: string): ModInfo {
  const info: ModInfo = { deps: [], settings: {} };
  let last: GoModule | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line) continue;
    const f = line.split('\t');
    switch (f[0]) {
      case 'path':
        info.path = f[1];
        break;
      case 'mod':
        last = mod(f);
        if (last) info.main = last;
        break;
      case 'dep':
        last = mod(f);
        if (last) info.deps.push(last);
        break;
      case '=>': {
        const rep = mod(f);
        if (last && rep) last.replace = rep;
        last = undefined;
        break;
      }
      case 'build': {
        const kv = f.slice(1).join('\t');
        const eq = kv.indexOf('=');
        if (eq > 0) info.settings[unquote(kv.slice(0, eq))] = unquote(kv.slice(eq + 1));
        break;
      }
      default:
        break;
    }
  }
  return info;
}

function mod(f: string[]): GoModule | undefined {
  const path = f[1];
  if (!path) return undefined;
  const m: GoModule = { path, version: f[2] ?? '' };
  if (f[3]) m.sum = f[3];
  return m;
}

/** Build keys/values containing spaces, quotes or `=` are written as Go quoted strings. */
function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    try {
      return JSON.parse(s) as string;
    } catch (err) {
      rethrowIfInternal(err);
      return s;
    }
  }
  return s;
}
