/**
 * go.mod (with go.sum beside it for hashes).
 *
 * Every `require` is a package (`// indirect` marks transitive ones; since Go 1.17 go.mod lists the
 * whole module graph). `replace` directives are applied: a module replacement becomes the package that
 * is actually built (with `replaces` in metadata); a local-path replacement is kept under the original
 * module path with version `(devel)`, as the Go toolchain reports it. The `toolchain` line, else the
 * `go` line, gives the `stdlib` package. go.mod records no graph between modules, so no edges.
 */
import {
  defineLockCataloger,
  lockError,
  siblingPath,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';
import { rethrowIfInternal } from '../../../util/errors.js';

export interface GoModLine {
  verb: string;
  args: string[];
  comment: string;
  line: number;
}

/** Split one line into tokens (quoted strings allowed) and its `//` comment. */
function tokenize(text: string, lineNo: number): { tokens: string[]; comment: string } {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      return { tokens, comment: text.slice(i + 2).trim() };
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw lockError(`go.mod:${lineNo}: unterminated string`);
      const raw = text.slice(i, j + 1);
      try {
        tokens.push(c === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1));
      } catch (err) {
        rethrowIfInternal(err);
        throw lockError(`go.mod:${lineNo}: invalid quoted string`);
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !' \t'.includes(text[j]!) && !(text[j] === '/' && text[j + 1] === '/')) j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return { tokens, comment: '' };
}

/** Parse go.mod into directive lines; block forms (`require ( … )`) are flattened. */
export function parseGoMod(text: string): GoModLine[] {
  const out: GoModLine[] = [];
  let block: string | undefined;
  let blockStart = 0;
  text.split(/\r?\n/).forEach((raw, idx) => {
    const no = idx + 1;
    const { tokens, comment } = tokenize(raw, no);
    if (tokens.length === 0) return;
    if (block !== undefined) {
      if (tokens.length === 1 && tokens[0] === ')') {
        block = undefined;
        return;
      }
      out.push({ verb: block, args: tokens, comment, line: no });
      return;
    }
    const [verb, ...args] = tokens as [string, ...string[]];
    if (args.length === 1 && args[0] === '(') {
      block = verb;
      blockStart = no;
      return;
    }
    if (verb === ')' || verb === '(') throw lockError(`go.mod:${no}: unexpected "${verb}"`);
    out.push({ verb, args, comment, line: no });
  });
  if (block !== undefined) throw lockError(`go.mod:${blockStart}: "${block} (" block is not closed`);
  return out;
}

const LOCAL_PATH = /^(\.\.?\/|\/)|^\.\.?$/;

interface Replacement {
  path: string;
  version?: string;
}

/** go.sum: `module version h1:hash` lines; `/go.mod` lines hash only the go.mod file. */
export function parseGoSum(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const [path, version, hash] = raw.trim().split(/\s+/);
    if (!path || !version || !hash || version.endsWith('/go.mod')) continue;
    out.set(`${path}@${version}`, hash);
  }
  return out;
}

async function parseGoModFile(input: LockFileInput, out: LockBuilder): Promise<void> {
  const lines = parseGoMod(input.text);
  const sumText = await input.companion(siblingPath(input.file.path, 'go.sum'));
  const sums = sumText === undefined ? new Map<string, string>() : parseGoSum(sumText);

  let module: string | undefined;
  let goVersion: string | undefined;
  let toolchain: string | undefined;
  const requires: { path: string; version: string; indirect: boolean; line: number }[] = [];
  const replaceExact = new Map<string, Replacement>();
  const replaceAny = new Map<string, Replacement>();
  const excluded = new Set<string>();

  for (const l of lines) {
    switch (l.verb) {
      case 'module':
        module = l.args[0];
        break;
      case 'go':
        goVersion = l.args[0];
        break;
      case 'toolchain':
        toolchain = l.args[0];
        break;
      case 'require': {
        const [path, version] = l.args;
        if (!path || !version) {
          out.problem(`go.mod:${l.line}: require without a version`);
          break;
        }
        requires.push({ path, version, indirect: /(^|;)\s*indirect\s*(;|$)/.test(l.comment), line: l.line });
        break;
      }
      case 'replace': {
        const arrow = l.args.indexOf('=>');
        const from = l.args.slice(0, arrow);
        const to = l.args.slice(arrow + 1);
        if (arrow < 1 || from.length > 2 || to.length < 1 || to.length > 2) {
          out.problem(`go.mod:${l.line}: malformed replace`);
          break;
        }
        const target: Replacement = { path: to[0]!, version: to[1] };
        if (!target.version && !LOCAL_PATH.test(target.path)) {
          out.problem(`go.mod:${l.line}: replacement module ${target.path} has no version`);
          break;
        }
        if (from[1]) replaceExact.set(`${from[0]}@${from[1]}`, target);
        else replaceAny.set(from[0]!, target);
        break;
      }
      case 'exclude':
        if (l.args[0] && l.args[1]) excluded.add(`${l.args[0]}@${l.args[1]}`);
        break;
      default:
        break; // retract, godebug, tool, ignore: nothing to catalog
    }
  }

  for (const req of requires) {
    if (excluded.has(`${req.path}@${req.version}`)) {
      out.problem(`go.mod:${req.line}: ${req.path}@${req.version} is excluded; Go selects another version`);
      continue;
    }
    const repl = replaceExact.get(`${req.path}@${req.version}`) ?? replaceAny.get(req.path);
    const local = repl !== undefined && LOCAL_PATH.test(repl.path);
    const name = repl && !local ? repl.path : req.path;
    const version = repl ? (local ? '(devel)' : repl.version!) : req.version;
    out.add({
      name,
      version,
      type: 'golang',
      direct: !req.indirect,
      metadata: {
        h1: sums.get(`${name}@${version}`),
        replaces: repl ? { path: req.path, version: req.version } : undefined,
        localPath: local ? repl.path : undefined,
        module,
      },
    });
  }

  const std = toolchain ?? (goVersion ? `go${goVersion}` : undefined);
  if (std) {
    if (!/^go\d+(\.\d+)*([a-z]+\d*)?(-.+)?$/.test(std))
      out.problem(`go.mod: unrecognised Go version "${std}"`);
    else {
      out.add({
        name: 'stdlib',
        version: std.replace(/-.*$/, ''), // `go1.22.1-custom` toolchain names keep the release only
        type: 'golang',
        metadata: { from: toolchain ? 'toolchain' : 'go', module },
      });
    }
  }
}

/** go.mod (+ go.sum). */
export const goModCataloger = defineLockCataloger({
  id: 'go-mod',
  version: 3,
  primary: (base) => base === 'go.mod',
  companions: (base) => base === 'go.sum',
  parse: parseGoModFile,
});
