/**
 * The layering rules of README "How it works", checked on the real import graph of `src/`: every
 * relative import of every non-test module (static, `export … from`, type-only, dynamic `import()` and
 * `import('…').Type`), parsed by the TypeScript scanner so comments and strings never count.
 *
 * - no two top-level folders of src/ import each other (a file directly in src/ is its own unit);
 * - no file import cycle;
 * - cli/ is imported only from cli/, and server/ only from server/ and cli/: the engine and everything
 *   below it know nothing about their front ends, and never write to stdout, stderr or the console.
 *
 * Test files and test-support/ folders are left out: tests may reach across layers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** File → the files it imports; paths relative to src/ with `/` separators. */
type Graph = ReadonlyMap<string, ReadonlySet<string>>;

/** Relative module specifiers a TypeScript source imports, in every form. */
export function importsOf(text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((s) => s.startsWith('.'));
}

function isTestFile(rel: string): boolean {
  return rel.endsWith('.test.ts') || rel.endsWith('.d.ts') || rel.split('/').includes('test-support');
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const toRel = (abs: string): string => relative(SRC, abs).split(sep).join('/');

/** The import graph of src/ (non-test files), and the imports that resolve to no file. */
function buildGraph(): { graph: Graph; unresolved: string[] } {
  const graph = new Map<string, Set<string>>();
  const unresolved: string[] = [];
  for (const abs of sourceFiles(SRC)) {
    const from = toRel(abs);
    if (isTestFile(from)) continue;
    const targets = new Set<string>();
    for (const spec of importsOf(readFileSync(abs, 'utf8'))) {
      const base = resolve(dirname(abs), spec);
      const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
      const hit = candidates.find((c) => {
        try {
          return statSync(c).isFile();
        } catch {
          return false;
        }
      });
      if (hit) targets.add(toRel(hit));
      else unresolved.push(`${from} → ${spec}`);
    }
    graph.set(from, targets);
  }
  return { graph, unresolved };
}

/** The top-level folder of a file (`match/merge.ts` → `match`); a file directly in src/ is its own unit. */
export function unitOf(file: string): string {
  const i = file.indexOf('/');
  return i < 0 ? file : file.slice(0, i);
}

/** Pairs of units importing each other, each with one example edge per direction. */
export function mutualPairs(graph: Graph): string[] {
  const edges = new Map<string, string>();
  for (const [from, targets] of graph)
    for (const to of targets) {
      const a = unitOf(from);
      const b = unitOf(to);
      if (a !== b && !edges.has(`${a}→${b}`)) edges.set(`${a}→${b}`, `${from} → ${to}`);
    }
  const out: string[] = [];
  for (const [key, example] of edges) {
    const [a, b] = key.split('→') as [string, string];
    const back = edges.get(`${b}→${a}`);
    if (a < b && back) out.push(`${a} ↔ ${b}: ${example}; ${back}`);
  }
  return out.sort();
}

/** Every import cycle among files (strongly connected components of more than one file, or a self-import). */
export function fileCycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  // Iterative Tarjan: the graph is deep enough that recursion is a needless risk.
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; targets: string[]; i: number }[] = [];
    const enter = (node: string): void => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, targets: [...(graph.get(node) ?? [])].sort(), i: 0 });
    };
    enter(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.i < top.targets.length) {
        const to = top.targets[top.i++]!;
        if (!index.has(to)) enter(to);
        else if (onStack.has(to)) low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          scc.push(n);
        } while (n !== top.node);
        if (scc.length > 1 || graph.get(top.node)?.has(top.node)) cycles.push(scc.sort());
      }
    }
  }
  return cycles;
}

/** Which units may import a front end: cli/ only from cli/; server/ only from server/ and cli/. */
const FRONT_ENDS: Readonly<Record<string, readonly string[]>> = {
  cli: ['cli'],
  server: ['server', 'cli'],
};

/** Imports of a front end (cli/, server/) from a unit below it. */
export function frontEndImports(graph: Graph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph)
    for (const to of targets) {
      const allowed = FRONT_ENDS[unitOf(to)];
      if (allowed && !allowed.includes(unitOf(from))) out.push(`${from} → ${to}`);
    }
  return out.sort();
}

/** A synthetic graph from `from: to, to` lines. */
function graphOf(edges: Record<string, string[]>): Graph {
  const g = new Map<string, Set<string>>();
  for (const [from, to] of Object.entries(edges)) {
    g.set(from, new Set(to));
    for (const t of to) if (!g.has(t)) g.set(t, new Set());
  }
  return g;
}

describe('the checks themselves (synthetic graphs)', () => {
  it('finds every import form, and none in comments or strings', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from '../b/b.js';",
      "export { c } from './c.js';",
      "export * from './d/index.js';",
      "import './side-effect.js';",
      "const f = await import('./lazy.js');",
      "let g: import('./types.js').G;",
      "import { readFileSync } from 'node:fs';",
      "// import x from './commented.js';",
      'const s = "import(\'./in-a-string.js\')";',
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(
      ['../b/b.js', './a.js', './c.js', './d/index.js', './lazy.js', './side-effect.js', './types.js'].sort(),
    );
  });

  it('flags a folder pair importing each other, whichever files do it', () => {
    const g = graphOf({
      'catalog/run.ts': ['sbom/model.ts'],
      'sbom/format/json.ts': ['catalog/types.ts'],
      'match/match.ts': ['catalog/types.ts'],
    });
    expect(mutualPairs(g)).toEqual([
      'catalog ↔ sbom: catalog/run.ts → sbom/model.ts; sbom/format/json.ts → catalog/types.ts',
    ]);
    expect(mutualPairs(graphOf({ 'a/x.ts': ['b/y.ts'], 'index.ts': ['a/x.ts'] }))).toEqual([]);
    // A file directly in src/ is its own unit: index.ts → a and a → version.ts is no pair.
    expect(mutualPairs(graphOf({ 'index.ts': ['a/x.ts'], 'a/x.ts': ['version.ts'] }))).toEqual([]);
  });

  it('flags file cycles of any length, including through a dynamic import, and a self-import', () => {
    const g = graphOf({
      'cli/main.ts': ['cli/commands/index.ts'],
      'cli/commands/index.ts': ['cli/commands/scan.ts'],
      'cli/commands/scan.ts': ['cli/main.ts', 'cli/exit.ts'],
      'util/x.ts': ['util/x.ts'],
      'util/y.ts': ['util/z.ts'],
    });
    expect(fileCycles(g)).toEqual([
      ['cli/commands/index.ts', 'cli/commands/scan.ts', 'cli/main.ts'],
      ['util/x.ts'],
    ]);
    expect(fileCycles(graphOf({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'] }))).toEqual([]);
  });

  it('flags the engine or anything below it importing a front end', () => {
    const g = graphOf({
      'engine/scan.ts': ['cli/progress.ts', 'catalog/run.ts'],
      'match/match.ts': ['server/app.ts'],
      'cli/commands/serve.ts': ['server/app.ts', 'engine/scan.ts'],
      'server/app.ts': ['engine/scan.ts'],
      'index.ts': ['cli/main.ts'],
    });
    expect(frontEndImports(g)).toEqual([
      'engine/scan.ts → cli/progress.ts',
      'index.ts → cli/main.ts',
      'match/match.ts → server/app.ts',
    ]);
  });
});

describe('src/ import graph', () => {
  const { graph, unresolved } = buildGraph();

  it('is the real graph: every module is read and every relative import resolves', () => {
    expect(graph.size).toBeGreaterThan(300);
    expect(graph.get('engine/scan.ts')?.has('match/match.ts')).toBe(true);
    expect(graph.get('cli/commands/index.ts')?.has('cli/commands/scan.ts')).toBe(true); // dynamic import()
    expect(unresolved).toEqual([]);
  });

  it('has no pair of top-level folders importing each other', () => {
    expect(mutualPairs(graph)).toEqual([]);
  });

  it('has no file import cycle', () => {
    expect(fileCycles(graph)).toEqual([]);
  });

  it('keeps the engine and everything below it free of front-end imports (cli/, server/)', () => {
    expect(frontEndImports(graph)).toEqual([]);
  });

  it('leaves the terminal to the front ends: nothing below them writes to stdout, stderr or the console', () => {
    const writers = [...graph.keys()]
      .filter((f) => !FRONT_ENDS[unitOf(f)])
      .filter((f) =>
        /\bprocess\.(stdout|stderr)\b|\bconsole\.\w+\(/.test(readFileSync(join(SRC, f), 'utf8')),
      );
    expect(writers).toEqual([]);
  });
});
