/**
 * A folder as a source (`fs://`): a root filesystem or a source tree, walked once in sorted order as a
 * single pseudo-layer, through the shared folder walk (./walk.ts): symlinks are reported, never
 * followed; `.git` folders are skipped; `.gitignore` rules and `--exclude` globs are honoured.
 */
import { createReadStream } from 'node:fs';
import { lstat, readlink, stat } from 'node:fs/promises';
import { InputError, fsError } from '../../util/errors.js';
import type { EntryHeader, EntryType, LayerRef, LayerVisitor, Source, WalkOptions } from '../types.js';
import { walkFolder } from './walk.js';

export interface DirectoryOptions {
  /** Honour `.gitignore` files (default true). */
  readonly gitignore?: boolean;
  /** Glob patterns (relative to the root, e.g. `** /test/**`) to leave out. */
  readonly exclude?: readonly string[];
}

export const DIRECTORY_LAYER: LayerRef = { index: 0, digest: '', diffId: '', mediaType: '', size: 0 };

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

  constructor(
    readonly root: string,
    target: string,
    private readonly options: DirectoryOptions = {},
  ) {
    this.description = { kind: 'directory' as const, target, path: root };
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
    const entries = walkFolder(
      this.root,
      {
        gitignore: this.options.gitignore !== false,
        ...(this.options.exclude ? { exclude: this.options.exclude } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (p) => visitor.problem?.({ path: `/${p.rel === '.' ? '' : p.rel}`, reason: p.reason }),
    );
    for (const { rel, abs, stats: st } of entries) {
      const type = typeOf(st);
      const header: EntryHeader = {
        path: `/${rel}`,
        type,
        size: type === 'file' ? st.size : 0,
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        mtime: Math.floor(st.mtimeMs / 1000),
        ...(type === 'symlink' ? { linkTarget: await readlink(abs) } : {}),
      };
      const sink = visitor.entry(DIRECTORY_LAYER, header);
      if (sink && type === 'file') {
        try {
          for await (const chunk of createReadStream(abs, { highWaterMark: 1024 * 1024 })) {
            sink.write(chunk as Buffer);
          }
          sink.end();
        } catch (err) {
          const e = fsError(err, abs);
          sink.abort?.(e);
          visitor.problem?.({ path: header.path, reason: e.message });
        }
      } else {
        sink?.end();
      }
    }
    visitor.layerEnd?.(DIRECTORY_LAYER);
  }

  async close(): Promise<void> {}
}
