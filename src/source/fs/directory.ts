/**
 * A folder as a source (`fs://`): a root filesystem or a source tree, walked once in sorted order as a
 * single pseudo-layer. Symlinks are reported, never followed (so loops cannot happen); `.git` folders
 * are skipped; `.gitignore` rules are honoured unless disabled.
 */
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { InputError, fsError } from '../../util/errors.js';
import type { EntryHeader, EntryType, LayerRef, LayerVisitor, Source, WalkOptions } from '../types.js';

export interface DirectoryOptions {
  /** Honour `.gitignore` files (default true). */
  readonly gitignore?: boolean;
  /** Glob patterns (relative to the root, e.g. `** /test/**`) to leave out. */
  readonly exclude?: readonly string[];
}

export const DIRECTORY_LAYER: LayerRef = { index: 0, digest: '', diffId: '', mediaType: '', size: 0 };

interface IgnoreScope {
  /** Folder of the .gitignore, relative to the root without leading slash ('' for the root). */
  readonly base: string;
  readonly rules: Ignore;
}

function typeOf(st: import('node:fs').Stats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'fifo';
}

export class DirectorySource implements Source {
  readonly description;
  private readonly excluded: ((p: string) => boolean) | undefined;

  constructor(
    readonly root: string,
    target: string,
    private readonly options: DirectoryOptions = {},
  ) {
    this.description = { kind: 'directory' as const, target, path: root };
    this.excluded = options.exclude?.length ? picomatch([...options.exclude], { dot: true }) : undefined;
  }

  static async open(root: string, target: string, options: DirectoryOptions = {}): Promise<DirectorySource> {
    let st;
    try {
      st = await lstat(root);
      if (st.isSymbolicLink()) st = await stat(root);
    } catch (err) {
      throw fsError(err, root);
    }
    if (!st.isDirectory()) throw new InputError('E_NOT_DIRECTORY', `${root}: not a directory`);
    return new DirectorySource(root, target, options);
  }

  async walk(visitor: LayerVisitor, options: WalkOptions = {}): Promise<void> {
    if (visitor.layerStart?.(DIRECTORY_LAYER) === 'skip') return;
    const useGitignore = this.options.gitignore !== false;
    const walkDir = async (rel: string, scopes: IgnoreScope[]): Promise<void> => {
      options.signal?.throwIfAborted();
      const abs = join(this.root, rel);
      let names: string[];
      try {
        names = (await readdir(abs)).sort();
      } catch (err) {
        visitor.problem?.({ path: `/${rel}`, reason: fsError(err, abs).message });
        return;
      }
      let here = scopes;
      if (useGitignore && names.includes('.gitignore')) {
        try {
          const text = await readFile(join(abs, '.gitignore'), 'utf8');
          here = [...scopes, { base: rel, rules: ignore().add(text) }];
        } catch {
          // an unreadable .gitignore is treated as absent
        }
      }
      for (const name of names) {
        const childRel = rel ? `${rel}/${name}` : name;
        const childAbs = join(abs, name);
        let st;
        try {
          st = await lstat(childAbs);
        } catch (err) {
          visitor.problem?.({ path: `/${childRel}`, reason: fsError(err, childAbs).message });
          continue;
        }
        const isDir = st.isDirectory();
        if (isDir && name === '.git') continue;
        if (this.excluded?.(isDir ? `${childRel}/` : childRel) || this.excluded?.(childRel)) continue;
        if (useGitignore && isIgnored(here, childRel, isDir)) continue;
        const type = typeOf(st);
        const header: EntryHeader = {
          path: `/${childRel}`,
          type,
          size: type === 'file' ? st.size : 0,
          mode: st.mode & 0o7777,
          uid: st.uid,
          gid: st.gid,
          mtime: Math.floor(st.mtimeMs / 1000),
          ...(type === 'symlink' ? { linkTarget: await readlink(childAbs) } : {}),
        };
        const sink = visitor.entry(DIRECTORY_LAYER, header);
        if (sink && type === 'file') {
          try {
            for await (const chunk of createReadStream(childAbs, { highWaterMark: 1024 * 1024 })) {
              sink.write(chunk as Buffer);
            }
            sink.end();
          } catch (err) {
            const e = fsError(err, childAbs);
            sink.abort?.(e);
            visitor.problem?.({ path: header.path, reason: e.message });
          }
        } else {
          sink?.end();
        }
        if (isDir) await walkDir(childRel, here);
      }
    };
    await walkDir('', []);
    visitor.layerEnd?.(DIRECTORY_LAYER);
  }

  async close(): Promise<void> {}
}

function isIgnored(scopes: readonly IgnoreScope[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const s of scopes) {
    const sub = s.base ? rel.slice(s.base.length + 1) : rel;
    const r = s.rules.test(isDir ? `${sub}/` : sub);
    if (r.ignored) ignored = true;
    else if (r.unignored) ignored = false;
  }
  return ignored;
}
