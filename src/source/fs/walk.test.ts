/**
 * The one folder walk: git's ignore rules (nested `.gitignore`, negations, `.git/info/exclude`),
 * `--no-gitignore` and `--exclude`, and the same file set for every consumer — the catalog's `fs://`
 * source, `bulwark secrets`, lint's Dockerfile discovery — with one walk serving every scanner of
 * `bulwark scan fs://DIR --scanners vuln,secret,config`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogSource } from '../../catalog/run.js';
import { DEFAULT_LINT_CONFIG } from '../../lint/config.js';
import { discoverDockerfiles } from '../../lint/input.js';
import { createFolderScanners } from '../../extra-scanners/extra.js';
import { SecretEngine } from '../../secrets/engine.js';
import { scanPath } from '../../secrets/scan-files.js';
import { expandTemplate } from '../../secrets/test-support/fake.js';
import type { LayerVisitor, Source } from '../types.js';
import { DirectorySource } from './directory.js';
import { walkFolder, type FolderWalkOptions } from './walk.js';

const engine = new SecretEngine();
const TOKEN = (seed: string): string => expandTemplate('ghp_{gh}', seed);

let root: string;
/** Every file gets a distinct GitHub token, so the secret scanner names exactly the files it read. */
const FILES = [
  '.gitignore',
  'Dockerfile',
  'Dockerfile.dev',
  'app/.gitignore',
  'app/main.js',
  'app/debug.log',
  'app/keep.log',
  'app/build/out.js',
  'app/vendor/lib.js',
  'docs/notes.txt',
  'secret.env',
  'local.txt',
  'tmp/cache.txt',
  'node_modules/left-pad/index.js',
];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bulwark-walk-'));
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  for (const f of FILES) write(f, `GITHUB_TOKEN=${TOKEN(f)}\n`);
  // Root rules: logs, env files, node_modules, a whole folder; Dockerfile.dev ignored.
  write('.gitignore', '*.log\n*.env\nnode_modules/\ntmp/\nDockerfile.dev\n');
  // Nested rules: re-include one log (negation), ignore a build folder relative to app/.
  write('app/.gitignore', '!keep.log\nbuild/\n');
  // The repository's own exclude file (not committed): local.txt.
  mkdirSync(join(root, '.git', 'info'), { recursive: true });
  writeFileSync(join(root, '.git', 'info', 'exclude'), 'local.txt\n');
  writeFileSync(join(root, '.git', 'config'), `token = ${TOKEN('git-config')}\n`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const files = (options: FolderWalkOptions = {}): string[] =>
  [...walkFolder(root, options)].filter((e) => e.stats.isFile()).map((e) => e.rel);

const EXPECTED_DEFAULT = [
  '.gitignore',
  'Dockerfile',
  'app/.gitignore',
  'app/keep.log',
  'app/main.js',
  'app/vendor/lib.js',
  'docs/notes.txt',
];

describe('walkFolder', () => {
  it('honours nested .gitignore files, negations and .git/info/exclude, never enters .git', () => {
    expect(files()).toEqual(EXPECTED_DEFAULT);
  });

  it('includes everything but .git with gitignore: false', () => {
    expect(files({ gitignore: false })).toEqual([...FILES].sort());
  });

  it('leaves out --exclude globs (a folder, a pattern), with or without git rules', () => {
    expect(files({ exclude: ['docs', '**/vendor/**'] })).toEqual(
      EXPECTED_DEFAULT.filter((f) => !f.startsWith('docs/') && !f.includes('vendor/')),
    );
    expect(files({ gitignore: false, exclude: ['node_modules/', '*.log', '**/*.log'] })).not.toContain(
      'app/keep.log',
    );
  });

  it('lists depth-first in sorted order, folders before their contents', () => {
    const all = [...walkFolder(root)].map((e) => e.rel);
    expect(all.indexOf('app')).toBeLessThan(all.indexOf('app/main.js'));
    expect(all.indexOf('app/vendor/lib.js')).toBeLessThan(all.indexOf('docs'));
  });
});

describe('every folder consumer sees the same files', () => {
  /** Files the fs:// source delivers to a visitor. */
  async function sourceFiles(options: { gitignore?: boolean; exclude?: string[] }): Promise<string[]> {
    const source = await DirectorySource.open(root, `fs://${root}`, options);
    const seen: string[] = [];
    await source.walk({
      entry(_layer, header) {
        if (header.type === 'file') seen.push(header.path.slice(1));
        return undefined;
      },
    });
    return seen;
  }

  /** Files `bulwark secrets` read (each file holds one token, so findings name them). */
  async function secretFiles(options: { noIgnore?: boolean; exclude?: string[] }): Promise<string[]> {
    const result = await scanPath(root, { engine, ...options });
    return result.findings.map((f) => f.path).sort();
  }

  it.each([
    ['default', {}, {}],
    ['--no-gitignore', { gitignore: false }, { noIgnore: true }],
    ['--exclude', { exclude: ['app/vendor', 'docs/**'] }, { exclude: ['app/vendor', 'docs/**'] }],
  ] as const)('%s', async (_name, sourceOptions, secretOptions) => {
    const viaSource = await sourceFiles({ ...sourceOptions } as { gitignore?: boolean; exclude?: string[] });
    const viaSecrets = await secretFiles({ ...secretOptions } as { noIgnore?: boolean; exclude?: string[] });
    // The .gitignore files hold rules, not tokens: every other file is one finding.
    expect(viaSecrets).toEqual(viaSource.filter((f) => !f.endsWith('.gitignore')).sort());
    expect(viaSource.length).toBeGreaterThan(3);
  });

  it('lint discovers the Dockerfiles git does not ignore (all of them with gitignore: false)', () => {
    expect(discoverDockerfiles(root)).toEqual(['Dockerfile']);
    expect(discoverDockerfiles(root, { gitignore: false })).toEqual(['Dockerfile', 'Dockerfile.dev']);
  });
});

describe('scan fs:// with every scanner', () => {
  it('walks the folder once, reads each file once, and the secret and config scanners report from that walk', async () => {
    const opened = await DirectorySource.open(root, `fs://${root}`);
    let walks = 0;
    const deliveries = new Map<string, number>();
    const counting: Source = {
      description: opened.description,
      close: () => opened.close(),
      walk(visitor: LayerVisitor, options) {
        walks++;
        return opened.walk(
          {
            ...visitor,
            entry(layer, header) {
              const sink = visitor.entry(layer, header);
              if (sink) deliveries.set(header.path, (deliveries.get(header.path) ?? 0) + 1);
              return sink;
            },
          },
          options,
        );
      },
    };
    const scanners = createFolderScanners(root, {
      scanners: ['vuln', 'secret', 'config'],
      engine,
      lintConfig: DEFAULT_LINT_CONFIG,
    });
    await catalogSource(counting, { visitors: scanners.visitors });
    const extra = scanners.finish();
    expect(walks).toBe(1);
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    expect(extra.secrets!.map((f) => f.path).sort()).toEqual(
      EXPECTED_DEFAULT.filter((f) => !f.endsWith('.gitignore')),
    );
    expect(extra.secrets!.every((f) => f.layer === undefined && f.status === undefined)).toBe(true);
    const dockerfiles = new Set(extra.misconfigurations!.map((m) => (m.kind === 'dockerfile' ? m.path : '')));
    expect([...dockerfiles]).toEqual(['Dockerfile']);
  });
});
