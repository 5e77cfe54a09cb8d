import { pushAll } from '../../util/arrays.js';
/**
 * A reader for the generated `.gemspec` files RubyGems (and Debian's gem2deb) install under
 * `specifications/`. These are Ruby code, but in a fixed, literal form; we never evaluate anything —
 * only assignments of literals to the block variable are read:
 *
 *   Gem::Specification.new do |s|
 *     s.name = "rack".freeze
 *     s.version = "2.2.4"            (also Gem::Version.new("…"), %q{…}, '…')
 *     s.licenses = ["MIT".freeze]    (also s.license = "MIT", %w[…])
 */

export interface GemSpec {
  name?: string;
  version?: string;
  licenses: string[];
  homepage?: string;
  authors: string[];
  summary?: string;
}

/** One Ruby string literal at the start of `src`: "…", '…', %q{…}/%Q(…)/%q<…>/%q[…]. */
const STRING =
  /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|%[qQ]?(?:\{([^}]*)\}|\(([^)]*)\)|<([^>]*)>|\[([^\]]*)\]))(?:\.freeze)?/;

function rubyString(src: string): string | undefined {
  const m = STRING.exec(src.trim());
  if (!m) return undefined;
  const raw = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6] ?? '';
  return m[1] !== undefined
    ? raw.replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c))
    : raw.replace(/\\(['\\])/g, '$1');
}

/** A literal array of strings: `["a".freeze, 'b']` or `%w[a b]`. */
function rubyStringArray(src: string): string[] | undefined {
  const s = src.trim();
  const w = /^%w[[({<]([^\])}>]*)[\])}>]/.exec(s);
  if (w) return w[1]!.split(/\s+/).filter(Boolean);
  if (!s.startsWith('[')) {
    const one = rubyString(s);
    return one === undefined ? undefined : [one];
  }
  const out: string[] = [];
  let rest = s.slice(1).trim();
  while (rest && !rest.startsWith(']')) {
    const m = STRING.exec(rest);
    if (!m) return undefined;
    out.push(rubyString(m[0])!);
    rest = rest.slice(m[0].length).trim();
    if (rest.startsWith(',')) rest = rest.slice(1).trim();
  }
  return out;
}

/** Parse a generated gemspec. Missing fields stay undefined; the caller decides what is fatal. */
export function parseGemspec(text: string): GemSpec {
  const spec: GemSpec = { licenses: [], authors: [] };
  const block = /Gem::Specification\.new\s+(?:do\s*\|\s*(\w+)\s*\||\{\s*\|\s*(\w+)\s*\|)/.exec(text);
  const v = block ? (block[1] ?? block[2]!) : 's';
  const assign = new RegExp(`^\\s*${v}\\.(\\w+)\\s*=\\s*(.+?)\\s*$`);
  for (const line of text.split(/\r?\n/)) {
    const m = assign.exec(line);
    if (!m) continue;
    // Trailing modifiers such as `if s.respond_to? :x=` guard optional fields; the literal comes first.
    const value = m[2]!.replace(/\s+if\s+.*$/, '');
    switch (m[1]) {
      case 'name':
        spec.name = rubyString(value) ?? spec.name;
        break;
      case 'version': {
        const gv = /^Gem::Version\.new\(\s*(.+?)\s*\)/.exec(value);
        spec.version = rubyString(gv ? gv[1]! : value) ?? spec.version;
        break;
      }
      case 'license':
      case 'licenses':
        pushAll(spec.licenses, rubyStringArray(value) ?? []);
        break;
      case 'homepage':
        spec.homepage = rubyString(value) ?? spec.homepage;
        break;
      case 'summary':
        spec.summary = rubyString(value) ?? spec.summary;
        break;
      case 'authors':
      case 'author':
        pushAll(spec.authors, rubyStringArray(value) ?? []);
        break;
      default:
        break;
    }
  }
  // RubyGems writes `# stub: name version platform paths` at the top; a fallback for odd specs.
  const stub = /^# stub: (\S+) (\S+)/m.exec(text);
  if (stub) {
    spec.name ??= stub[1];
    spec.version ??= stub[2];
  }
  return spec;
}
