/**
 * pip requirements files (`requirements*.txt`, `*requirements*.txt`, `requirements/*.txt`).
 *
 * Only requirements pinned to one version (`==1.2.3`, `===1.2.3`, or unpinned but pinned by a `-c`
 * constraints file) become packages; editable installs, URLs, local paths and ranges are reported as
 * unknowns with the reason, since no version can be known without resolving them. `-r` includes are
 * followed relative to the including file when the scan has the file; their packages count for the
 * including file (that is what `pip install -r` installs). pip-compile's `# via` annotations give
 * direct/transitive and `depends-on` edges.
 */
import { posix } from 'node:path';
import type { Package } from '../../types.js';
import {
  defineLockCataloger,
  pep503,
  redactUrl,
  siblingPath,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';
import { pushAll } from '../../../util/arrays.js';

const MAX_INCLUDE_DEPTH = 10;

export interface Requirement {
  name: string;
  /** The exact pin, when there is one. */
  version?: string;
  /** The specifier as written when it is not an exact pin (`>=1.0,<2`). */
  specifier?: string;
  extras: string[];
  markers?: string;
  hashes: string[];
  /** pip-compile `# via` entries: package names or `-r file` / `-c file`. */
  via: string[];
  /** Where it was written: file and line. */
  file: string;
  line: number;
}

export interface Skipped {
  file: string;
  line: number;
  reason: string;
}

export interface RequirementsFile {
  requirements: Requirement[];
  skipped: Skipped[];
  includes: { kind: 'requirement' | 'constraint'; target: string; line: number }[];
}

/** Logical lines: continuation backslashes joined; comment-only lines kept (for `# via`). */
function logicalLines(text: string): { no: number; text: string }[] {
  const out: { no: number; text: string }[] = [];
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const start = i + 1;
    let line = raw[i]!;
    while (/(^|[^\\])\\$/.test(line) && i + 1 < raw.length) {
      line = line.slice(0, -1) + raw[++i]!;
    }
    out.push({ no: start, text: line });
  }
  return out;
}

/** Remove a trailing comment: `#` at the start or after whitespace. */
function stripComment(line: string): string {
  const m = /(^|\s)#/.exec(line);
  return (m ? line.slice(0, m.index) : line).trim();
}

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$/;
const OPTION_WITH_VALUE = /^(-r|--requirement|-c|--constraint|-e|--editable)(?:\s*=\s*|\s+)?(.*)$/;

/** Parse the text of one requirements file (without following includes). */
export function parseRequirements(text: string, file: string): RequirementsFile {
  const result: RequirementsFile = { requirements: [], skipped: [], includes: [] };
  let last: Requirement | undefined;
  let inVia = false;
  for (const { no, text: raw } of logicalLines(text)) {
    const trimmed = raw.trim();
    if (trimmed === '') {
      last = undefined;
      inVia = false;
      continue;
    }
    if (trimmed.startsWith('#')) {
      // pip-compile: "    # via flask" or "    # via" followed by "    #   flask" lines.
      const body = trimmed.slice(1).trim();
      if (last && /^via(\s|$)/.test(body)) {
        inVia = true;
        const rest = body.slice(3).trim();
        if (rest) pushAll(last.via, rest.split(/,\s*/).filter(Boolean));
      } else if (last && inVia && /^\s/.test(raw) && body) {
        last.via.push(body);
      } else {
        inVia = false;
      }
      continue;
    }
    inVia = false;
    last = undefined;
    const line = stripComment(raw);
    if (!line) continue;
    if (line.startsWith('-')) {
      const opt = OPTION_WITH_VALUE.exec(line);
      if (!opt) continue; // index options, --pre, --require-hashes…: nothing to catalog
      const flag = opt[1]!;
      const value = opt[2]!.trim();
      if (flag === '-e' || flag === '--editable') {
        result.skipped.push({
          file,
          line: no,
          reason: `editable requirement "${redactUrl(value)}" skipped: no pinned version`,
        });
      } else if (value) {
        result.includes.push({
          kind: flag.includes('c') ? 'constraint' : 'requirement',
          target: value,
          line: no,
        });
      }
      continue;
    }
    const req = parseRequirementLine(line, file, no);
    if ('reason' in req) result.skipped.push(req);
    else {
      result.requirements.push(req);
      last = req;
    }
  }
  return result;
}

function parseRequirementLine(line: string, file: string, no: number): Requirement | Skipped {
  // Per-requirement options come after the requirement: --hash=…, --config-settings …
  const hashes: string[] = [];
  const optionStart = line.search(/\s--?[a-z]/);
  const spec = optionStart >= 0 ? line.slice(0, optionStart).trim() : line;
  if (optionStart >= 0) {
    for (const m of line.slice(optionStart).matchAll(/--hash(?:=|\s+)(\S+)/g)) hashes.push(m[1]!);
  }
  if (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) ||
    /^(\.|\/|~)/.test(spec) ||
    /^\S+\.(whl|tar\.gz|zip)$/i.test(spec)
  ) {
    return {
      file,
      line: no,
      reason: `URL or path requirement "${redactUrl(spec)}" skipped: no pinned version`,
    };
  }
  const semi = spec.indexOf(';');
  const requirement = (semi >= 0 ? spec.slice(0, semi) : spec).trim();
  const markers = semi >= 0 ? spec.slice(semi + 1).trim() : undefined;
  const m = NAME.exec(requirement);
  if (!m) return { file, line: no, reason: `cannot parse requirement "${redactUrl(requirement)}"` };
  const name = m[1]!;
  const extras = (m[2] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .sort();
  const rest = m[3]!.trim();
  if (rest.startsWith('@')) {
    return {
      file,
      line: no,
      reason: `${name}: direct reference "${redactUrl(rest.slice(1).trim())}" skipped: no pinned version`,
    };
  }
  const specifiers = rest
    .replace(/^\((.*)\)$/, '$1')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let version: string | undefined;
  for (const s of specifiers) {
    const pin = /^(===?)\s*([^\s*]+)$/.exec(s);
    if (pin) version = pin[2];
  }
  return {
    name,
    version,
    specifier: version ? undefined : specifiers.join(',') || undefined,
    extras,
    markers: markers || undefined,
    hashes,
    via: [],
    file,
    line: no,
  };
}

interface Collected {
  requirements: Requirement[];
  skipped: Skipped[];
  /** pep503 name → pinned version, from constraints files. */
  constraints: Map<string, string>;
}

/** Parse a file and everything it includes that the scan has, depth-first, each file once. */
async function collect(
  input: LockFileInput,
  path: string,
  text: string,
  out: Collected,
  visited: Set<string>,
  depth: number,
  asConstraints: boolean,
): Promise<void> {
  visited.add(path);
  const parsed = parseRequirements(text, path);
  if (asConstraints) {
    for (const r of parsed.requirements) if (r.version) out.constraints.set(pep503(r.name), r.version);
  } else {
    pushAll(out.requirements, parsed.requirements);
    pushAll(out.skipped, parsed.skipped);
  }
  for (const inc of parsed.includes) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(inc.target)) {
      out.skipped.push({
        file: path,
        line: inc.line,
        reason: `remote include "${redactUrl(inc.target)}" not followed`,
      });
      continue;
    }
    const target = siblingPath(path, inc.target);
    if (visited.has(target)) continue;
    if (depth >= MAX_INCLUDE_DEPTH) {
      out.skipped.push({
        file: path,
        line: inc.line,
        reason: `include "${inc.target}" not followed: more than ${MAX_INCLUDE_DEPTH} levels`,
      });
      continue;
    }
    const included = await input.companion(target);
    if (included === undefined) {
      out.skipped.push({
        file: path,
        line: inc.line,
        reason: `included file "${inc.target}" is not in the scan`,
      });
      continue;
    }
    await collect(
      input,
      target,
      included,
      out,
      visited,
      depth + 1,
      asConstraints || inc.kind === 'constraint',
    );
  }
}

async function parseRequirementsFile(input: LockFileInput, out: LockBuilder): Promise<void> {
  const collected: Collected = { requirements: [], skipped: [], constraints: new Map() };
  await collect(input, input.file.path, input.text, collected, new Set(), 0, false);

  const byName = new Map<string, Package[]>();
  const added: [Requirement, Package][] = [];
  for (const req of collected.requirements) {
    const version = req.version ?? collected.constraints.get(pep503(req.name));
    if (!version) {
      collected.skipped.push({
        file: req.file,
        line: req.line,
        reason: `${req.name}${req.specifier ? ` ${req.specifier}` : ''} is not pinned to one version; skipped`,
      });
      continue;
    }
    const annotated = req.via.length > 0;
    const pkg = out.add({
      key: `${pep503(req.name)}@${version}`,
      name: req.name,
      version,
      type: 'pypi',
      direct: annotated
        ? req.via.some(
            (v) => /^-[rc]\s/.test(v) || v.startsWith('--requirement') || v.startsWith('--constraint'),
          )
        : undefined,
      metadata: {
        hashes: req.hashes,
        extras: req.extras,
        markers: req.markers,
        constrainedBy: req.version ? undefined : 'constraints file',
        file:
          req.file === input.file.path ? undefined : posix.relative(posix.dirname(input.file.path), req.file),
      },
    });
    const list = byName.get(pep503(req.name)) ?? [];
    list.push(pkg);
    byName.set(pep503(req.name), list);
    added.push([req, pkg]);
  }
  for (const [req, pkg] of added) {
    for (const via of req.via) {
      if (via.startsWith('-')) continue;
      for (const parent of byName.get(pep503(via.split(/\s/)[0]!)) ?? []) out.dependsOn(parent, pkg);
    }
  }
  const base = posix.dirname(input.file.path);
  for (const s of collected.skipped) {
    const where = s.file === input.file.path ? posix.basename(s.file) : posix.relative(base, s.file);
    out.problem(`${where}:${s.line}: ${s.reason}`);
  }
}

/** Whether a file name is a requirements file this cataloger reads as a primary input. */
export function isRequirementsFile(base: string, path: string): boolean {
  if (!/\.txt$/i.test(base)) return false;
  return /requirements/i.test(base) || posix.basename(posix.dirname(path)) === 'requirements';
}

/** pip requirements files. */
export const requirementsCataloger = defineLockCataloger({
  id: 'python-requirements',
  version: 3,
  primary: isRequirementsFile,
  companions: (base) => /constraints.*\.txt$/i.test(base),
  parse: parseRequirementsFile,
});
