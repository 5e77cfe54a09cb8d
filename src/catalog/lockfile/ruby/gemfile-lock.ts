/**
 * Gemfile.lock (Bundler). Sections start at column 0 (`GEM`, `GIT`, `PATH`, `PLATFORMS`,
 * `DEPENDENCIES`, `CHECKSUMS`, `RUBY VERSION`, `BUNDLED WITH`). In source sections, `specs:` lists
 * gems at four spaces (`name (version[-platform])`) and their dependencies at six
 * (`name (constraints)`). `DEPENDENCIES` lists the Gemfile's direct gems (`name!` for gems from a
 * git/path source). PATH sources are the project's own gems: not packages, their dependencies are
 * direct. Gemfile.lock does not record Gemfile groups, so no dev/prod scope.
 */
import type { Package } from '../../types.js';
import {
  defineLockCataloger,
  lockError,
  purlFor,
  redactUrl,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';
import { pushAll } from '../../../util/arrays.js';

interface Spec {
  name: string;
  version: string;
  platform?: string;
  source: 'GEM' | 'GIT' | 'PATH';
  remote?: string;
  revision?: string;
  deps: string[];
  line: number;
}

export interface GemfileLock {
  specs: Spec[];
  dependencies: string[];
  platforms: string[];
  checksums: Map<string, string>;
  bundledWith?: string;
  ruby?: string;
}

const SPEC = /^([^\s(]+)(?: \(([^)]+)\))?$/;

/** `1.14.0-x86_64-linux` → version and platform (a gem version itself never contains a dash). */
function splitPlatform(text: string): { version: string; platform?: string } {
  const dash = text.indexOf('-');
  return dash > 0 ? { version: text.slice(0, dash), platform: text.slice(dash + 1) } : { version: text };
}

export function parseGemfileLock(text: string): GemfileLock {
  const out: GemfileLock = { specs: [], dependencies: [], platforms: [], checksums: new Map() };
  let section = '';
  let remote: string | undefined;
  let revision: string | undefined;
  let current: Spec | undefined;
  let sawSection = false;
  text.split(/\r?\n/).forEach((raw, idx) => {
    const no = idx + 1;
    if (raw.trim() === '') return;
    const indent = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (indent === 0) {
      section = body;
      sawSection = true;
      remote = revision = undefined;
      current = undefined;
      return;
    }
    if (!sawSection) throw lockError(`Gemfile.lock:${no}: indented line before any section`);
    switch (section) {
      case 'GEM':
      case 'GIT':
      case 'PATH': {
        if (indent === 2) {
          const kv = /^(\w+): ?(.*)$/.exec(body);
          if (kv?.[1] === 'remote') remote = kv[2];
          if (kv?.[1] === 'revision') revision = kv[2];
          return;
        }
        const m = SPEC.exec(body);
        if (!m) throw lockError(`Gemfile.lock:${no}: cannot read "${body}"`);
        if (indent === 4) {
          if (!m[2]) throw lockError(`Gemfile.lock:${no}: spec ${m[1]} has no version`);
          const { version, platform } = splitPlatform(m[2]);
          current = { name: m[1]!, version, platform, source: section, remote, revision, deps: [], line: no };
          out.specs.push(current);
        } else if (indent === 6 && current) {
          current.deps.push(m[1]!);
        }
        return;
      }
      case 'PLATFORMS':
        out.platforms.push(body);
        return;
      case 'DEPENDENCIES':
        if (indent === 2) out.dependencies.push(body.split(' ')[0]!.replace(/!$/, ''));
        return;
      case 'CHECKSUMS': {
        const m = /^(\S+) \(([^)]+)\)(?: (.+))?$/.exec(body);
        if (m?.[3]) out.checksums.set(`${m[1]}@${m[2]}`, m[3]);
        return;
      }
      case 'RUBY VERSION':
        out.ruby = body;
        return;
      case 'BUNDLED WITH':
        out.bundledWith = body;
        return;
      default:
        return; // sections added by later Bundler versions
    }
  });
  if (!sawSection) throw lockError('Gemfile.lock: no sections');
  return out;
}

function parseGemfileLockFile(input: LockFileInput, out: LockBuilder): void {
  const lock = parseGemfileLock(input.text);
  const byName = new Map<string, Package[]>();
  const projectDeps: string[] = [];
  for (const spec of lock.specs) {
    if (spec.source === 'PATH') {
      pushAll(projectDeps, spec.deps);
      continue;
    }
    const full = spec.platform ? `${spec.version}-${spec.platform}` : spec.version;
    const pkg = out.add({
      key: `${spec.name}@${full}`,
      name: spec.name,
      version: spec.version,
      type: 'gem',
      direct: false,
      purl: purlFor('gem', spec.name, spec.version, spec.platform ? { platform: spec.platform } : undefined),
      metadata: {
        platform: spec.platform,
        source: spec.source === 'GIT' ? 'git' : undefined,
        remote: spec.remote ? redactUrl(spec.remote) : undefined,
        revision: spec.revision,
        checksum: lock.checksums.get(`${spec.name}@${full}`),
        bundledWith: lock.bundledWith,
      },
    });
    const list = byName.get(spec.name) ?? [];
    list.push(pkg);
    byName.set(spec.name, list);
  }
  for (const spec of lock.specs) {
    if (spec.source === 'PATH') continue;
    const from = out.get(`${spec.name}@${spec.platform ? `${spec.version}-${spec.platform}` : spec.version}`);
    for (const dep of spec.deps) for (const to of byName.get(dep) ?? []) out.dependsOn(from, to);
  }
  for (const name of [...lock.dependencies, ...projectDeps]) {
    for (const p of byName.get(name) ?? []) p.direct = true;
  }
}

/** Gemfile.lock (and gems.locked, its newer name). */
export const gemfileLockCataloger = defineLockCataloger({
  id: 'gemfile-lock',
  version: 3,
  primary: (base) => base === 'Gemfile.lock' || base === 'gems.locked',
  parse: parseGemfileLockFile,
});
