/**
 * Language packages installed by Debian packages, on a real image: debian12-node built by the shared
 * image script with `APT_PKGS="python3-requests ruby-rack liblog4j2-java node-cookie node-path-to-regexp"`.
 * Every Python distribution, node module, gem specification and jar that a dpkg package lists must
 * appear with the name and version its own file declares, attributed to the layer that wrote the file, and linked FROM that dpkg package by an
 * `ownership-by-file-overlap` relationship. The expectations are computed here from the image's own
 * files (dpkg status, `info/*.list`, the metadata files, the jars' pom.properties) with plain regexes
 * and fflate, independently of the catalogers.
 */
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../source/open.js';
import { haveLangImage, langImagePath } from '../test-support/images.js';
import { DEFAULT_CATALOGERS } from './registry.js';
import { catalogSource } from './run.js';
import type { FileTree } from '../source/tree.js';
import type { Cataloger, Package } from './types.js';
import type { Sbom } from '../model/sbom.js';

const LIST = /^\/var\/lib\/dpkg\/info\/([^/]+)\.list$/;
const PY_META = /\/(?:site|dist)-packages\/[^/]+\.(?:dist-info\/METADATA|egg-info\/PKG-INFO|egg-info)$/;
const GEMSPEC = /\/specifications\/(?:default\/)?[^/]+\.gemspec$/;
const JAR = /^\/usr\/share\/java\/[^/]+\.jar$/;
/** A Debian node-* module: `/usr/share/nodejs/<name>/package.json` or `/usr/lib/nodejs/@scope/<name>/package.json`. */
const NODE = /^\/usr\/(?:share|lib)\/nodejs\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/;
const POM = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;

/** Buffers the raw files the expectations are computed from; it reports no packages itself. */
const probe: Cataloger = {
  id: 'test-probe',
  version: 1,
  match: (p) =>
    p === '/var/lib/dpkg/status' ||
    LIST.test(p) ||
    PY_META.test(p) ||
    GEMSPEC.test(p) ||
    JAR.test(p) ||
    NODE.test(p),
  catalog: () => ({ packages: [] }),
};

interface Expected {
  type: 'pypi' | 'gem' | 'maven' | 'npm';
  name: string;
  version: string;
  purl: string;
  path: string;
  owner: string;
  layer: number;
}

interface Facts {
  sbom: Sbom;
  expected: Expected[];
  /** dpkg package name → its status stanza. */
  status: Map<string, string>;
}

function text(tree: FileTree, path: string): string {
  return tree.lookup(path)!.content!.toString('utf8');
}

/** Installed packages of the dpkg status file, by name. */
function installed(status: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const stanza of status.split(/\n\n+/)) {
    const name = /^Package: (.+)$/m.exec(stanza)?.[1];
    if (name && /^Status: install ok installed$/m.test(stanza)) out.set(name, stanza);
  }
  return out;
}

/** `Name`/`Version` from the header block of core metadata (the body after the first blank line is prose). */
function pythonHeader(content: string): { name: string; version: string } | undefined {
  const head = content.split(/\r?\n\r?\n/)[0]!;
  const name = /^Name: *(\S+)\s*$/m.exec(head)?.[1];
  const version = /^Version: *(\S+)\s*$/m.exec(head)?.[1];
  return name && version ? { name, version } : undefined;
}

function pomProperties(content: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of content.split(/\r?\n/)) {
    const m = /^\s*([^#!=:\s]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** What the image's own files say should be reported, for every file a dpkg package lists. */
function expectations(tree: FileTree): { expected: Expected[]; status: Map<string, string> } {
  const status = installed(text(tree, '/var/lib/dpkg/status'));
  const owners = new Map<string, string>();
  for (const node of tree.walk(tree.lookup('/var/lib/dpkg/info')!)) {
    const m = LIST.exec(node.header.path);
    if (!m || !node.content) continue;
    const pkg = m[1]!.replace(/:[^:]+$/, ''); // multi-arch lists are named <pkg>:<arch>.list
    if (!status.has(pkg)) continue;
    for (const line of node.content.toString('utf8').split('\n'))
      if (line.startsWith('/')) owners.set(line, pkg);
  }
  const expected: Expected[] = [];
  for (const [path, owner] of owners) {
    const node = tree.lookup(path);
    // Only regular files: a listed symlink (e.g. /usr/share/java/x-1.0.jar → x.jar) is not read.
    if (!node?.content || node.header.type !== 'file') continue;
    const base = { path, owner, layer: node.layer.index };
    if (PY_META.test(path)) {
      const h = pythonHeader(node.content.toString('utf8'));
      if (!h) continue;
      const purlName = h.name.toLowerCase().replace(/[-_.]+/g, '-');
      expected.push({ type: 'pypi', ...h, purl: `pkg:pypi/${purlName}@${h.version}`, ...base });
    } else if (GEMSPEC.test(path)) {
      const spec = node.content.toString('utf8');
      const name = /^\s*s\.name = "([^"]+)"/m.exec(spec)?.[1];
      const version = /^\s*s\.version = "([^"]+)"/m.exec(spec)?.[1];
      if (name && version)
        expected.push({ type: 'gem', name, version, purl: `pkg:gem/${name}@${version}`, ...base });
    } else if (NODE.test(path)) {
      const doc = JSON.parse(node.content.toString('utf8')) as { name?: unknown; version?: unknown };
      if (typeof doc.name === 'string' && typeof doc.version === 'string') {
        const scoped = /^(@[^/]+)\/(.+)$/.exec(doc.name);
        const purl = scoped
          ? `pkg:npm/${encodeURIComponent(scoped[1]!)}/${scoped[2]}@${doc.version}`
          : `pkg:npm/${doc.name}@${doc.version}`;
        expected.push({ type: 'npm', name: doc.name, version: doc.version, purl, ...base });
      }
    } else if (JAR.test(path)) {
      const entries = unzipSync(node.content, { filter: (f) => POM.test(f.name) });
      for (const data of Object.values(entries)) {
        const props = pomProperties(Buffer.from(data).toString('utf8'));
        const [g, a, v] = [props.get('groupId'), props.get('artifactId'), props.get('version')];
        if (g && a && v)
          expected.push({
            type: 'maven',
            name: `${g}:${a}`,
            version: v,
            purl: `pkg:maven/${g}/${a}@${v}`,
            ...base,
          });
      }
    }
  }
  return { expected, status };
}

async function facts(target: string): Promise<Facts> {
  const { sbom, tree } = await catalogSource(await openSource(target), {
    catalogers: [...DEFAULT_CATALOGERS, probe],
  });
  return { sbom, ...expectations(tree) };
}

/** The reported package matching an expectation (type, name, version and the file it was read from). */
function find(sbom: Sbom, e: Expected): Package | undefined {
  return sbom.packages.find(
    (p) =>
      p.type === e.type &&
      p.name === e.name &&
      p.version === e.version &&
      p.locations.some((l) => l.path === e.path),
  );
}

/** Names of the dpkg packages linked to `pkg` by ownership-by-file-overlap. */
function ownersOf(sbom: Sbom, pkg: Package): string[] {
  return sbom.relationships
    .filter((r) => r.type === 'ownership-by-file-overlap' && r.to === pkg.id)
    .map((r) => sbom.packages.find((p) => p.id === r.from))
    .filter((p): p is Package => p?.type === 'deb')
    .map((p) => p.name)
    .sort();
}

/** Installed dpkg packages named in a Depends field (alternatives included, versions dropped). */
function depends(stanza: string, status: Map<string, string>): string[] {
  const field = /^Depends: (.+)$/m.exec(stanza)?.[1] ?? '';
  return field
    .split(/[,|]/)
    .map((d) => d.trim().split(/[\s:(]/)[0]!)
    .filter((d) => status.has(d));
}

const FORMS = [
  ['OCI layout', () => `oci-dir://${langImagePath('oci')}`],
  ['docker-archive', () => langImagePath('docker.tar')],
] as const;

describe.skipIf(!haveLangImage())(
  'Debian language packages in debian12-node (python3-requests, ruby-rack, liblog4j2-java, node-cookie, node-path-to-regexp)',
  () => {
    const results = new Map<string, Facts>();
    beforeAll(async () => {
      for (const [label, target] of FORMS) results.set(label, await facts(target()));
    }, 240_000);

    describe.each(FORMS.map(([label]) => label))('%s', (label) => {
      it('reports every dist-info/egg-info, gemspec, jar and node module a dpkg package lists, with its own name, version, PURL and layer', () => {
        const { sbom, expected } = results.get(label)!;
        for (const type of ['pypi', 'gem', 'maven', 'npm'] as const)
          expect(expected.filter((e) => e.type === type).length, type).toBeGreaterThan(0);
        for (const e of expected) {
          const p = find(sbom, e);
          expect(p, `${e.type} ${e.name}@${e.version} at ${e.path}`).toBeDefined();
          expect({ at: e.path, purl: p!.purl, layer: p!.layer?.index }).toEqual({
            at: e.path,
            purl: e.purl,
            layer: e.layer,
          });
        }
        expect(sbom.unknowns.filter((u) => expected.some((e) => e.path === u.path))).toEqual([]);
      });

      it('links each of them FROM the dpkg package that owns its file', () => {
        const { sbom, expected } = results.get(label)!;
        for (const e of expected) {
          expect({ pkg: `${e.type} ${e.name} ${e.path}`, owners: ownersOf(sbom, find(sbom, e)!) }).toEqual({
            pkg: `${e.type} ${e.name} ${e.path}`,
            owners: [e.owner],
          });
        }
      });

      it('shows requests and the dependencies Debian installed for it, each linked to its python3-* package', () => {
        const { sbom, expected, status } = results.get(label)!;
        const py = expected.filter((e) => e.type === 'pypi');
        const requests = py.find((e) => e.owner === 'python3-requests');
        expect(requests?.name).toBe('requests');
        expect(ownersOf(sbom, find(sbom, requests!)!)).toEqual(['python3-requests']);
        // The Python libraries python3-requests depends on (urllib3, idna, certifi, chardet / charset-normalizer …).
        const deps = depends(status.get('python3-requests')!, status).filter((d) =>
          py.some((e) => e.owner === d),
        );
        expect(deps.length).toBeGreaterThanOrEqual(3);
        for (const dep of deps) {
          const e = py.find((x) => x.owner === dep)!;
          const p = find(sbom, e)!;
          expect({ dep, name: p.name, version: p.version, owners: ownersOf(sbom, p) }).toEqual({
            dep,
            name: e.name,
            version: e.version,
            owners: [dep],
          });
        }
        expect(py.map((e) => e.name.toLowerCase())).toEqual(
          expect.arrayContaining(['urllib3', 'idna', 'certifi']),
        );
      });

      it('shows the rack gem from rubygems-integration, linked to ruby-rack', () => {
        const { sbom, expected, status } = results.get(label)!;
        const rack = expected.find((e) => e.type === 'gem' && e.owner === 'ruby-rack');
        expect(rack?.name).toBe('rack');
        expect(rack?.path).toMatch(
          /^\/usr\/share\/rubygems-integration\/[^/]+\/specifications\/rack-[^/]+\.gemspec$/,
        );
        // Debian's version is the upstream version plus a revision: 2.2.22 → 2.2.22-0+deb12u1.
        expect(/^Version: (.+)$/m.exec(status.get('ruby-rack')!)?.[1]?.startsWith(rack!.version)).toBe(true);
        expect(ownersOf(sbom, find(sbom, rack!)!)).toEqual(['ruby-rack']);
      });

      it('shows the Debian node-* modules under /usr/share/nodejs as npm packages, linked to their node-* package', () => {
        const { sbom, expected, status } = results.get(label)!;
        const modules = expected.filter((e) => e.type === 'npm');
        expect(modules.map((e) => `${e.name} <- ${e.owner}`).sort()).toEqual(
          expect.arrayContaining(['cookie <- node-cookie', 'path-to-regexp <- node-path-to-regexp']),
        );
        for (const e of modules) {
          const p = find(sbom, e)!;
          // Debian's version is the upstream version plus a revision (and bundled components): 0.5.0 → 0.5.0-2.
          expect(/^Version: (.+)$/m.exec(status.get(e.owner)!)?.[1]?.startsWith(`${p.version}`)).toBe(true);
          expect(ownersOf(sbom, p)).toEqual([e.owner]);
        }
      });

      it('shows the log4j jars with their Maven coordinates, linked to liblog4j2-java', () => {
        const { sbom, expected, status } = results.get(label)!;
        const jars = expected.filter(
          (e) =>
            e.type === 'maven' &&
            /^\/usr\/share\/java\/log4j-[^/]+\.jar$/.test(e.path) &&
            e.owner === 'liblog4j2-java',
        );
        const artifacts = jars.map((e) => e.name);
        expect(artifacts).toEqual(
          expect.arrayContaining([
            'org.apache.logging.log4j:log4j-api',
            'org.apache.logging.log4j:log4j-core',
          ]),
        );
        const debVersion = /^Version: (.+)$/m.exec(status.get('liblog4j2-java')!)![1]!;
        for (const e of jars) {
          const p = find(sbom, e)!;
          expect(p.name.startsWith('org.apache.logging.log4j:')).toBe(true);
          expect(debVersion.startsWith(`${p.version}-`)).toBe(true);
          expect(p.purl).toBe(`pkg:maven/org.apache.logging.log4j/${p.name.split(':')[1]}@${p.version}`);
          expect(ownersOf(sbom, p)).toEqual(['liblog4j2-java']);
        }
      });
    });

    it('gives the same language packages and links for both formats', () => {
      const summary = (f: Facts) =>
        f.sbom.packages
          .filter((p) => p.type !== 'deb')
          .map(
            (p) =>
              `${p.type} ${p.name}@${p.version} ${p.locations.map((l) => l.path).join(',')} <- ${ownersOf(f.sbom, p).join(',')}`,
          )
          .sort();
      const [a, b] = FORMS.map(([label]) => summary(results.get(label)!));
      expect(a!.length).toBeGreaterThan(0);
      expect(b).toEqual(a);
    });
  },
);
