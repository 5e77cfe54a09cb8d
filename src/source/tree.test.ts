import { describe, expect, it } from 'vitest';
import { FileTree } from './tree.js';
import type { EntryHeader, LayerRef } from './types.js';

const layer = (index: number): LayerRef => ({ index }) as LayerRef;
const entry = (path: string, type: EntryHeader['type'] = 'file'): EntryHeader => ({
  path,
  type,
  size: 0,
  mode: 0o644,
  uid: 0,
  gid: 0,
});

describe('FileTree (the layer merge)', () => {
  it('marks folders no layer wrote as implicit until a layer writes them', () => {
    const tree = new FileTree(layer(0));
    tree.apply(layer(0), entry('/a/b/c'));
    expect(tree.root.implicit).toBe(true);
    expect(tree.lookup('/a')?.implicit).toBe(true);
    tree.apply(layer(1), entry('/a', 'dir'));
    tree.apply(layer(1), entry('/', 'dir'));
    expect(tree.lookup('/a')?.implicit).toBeUndefined();
    expect(tree.root.implicit).toBeUndefined();
    expect(tree.lookup('/a/b')?.implicit).toBe(true);
    expect(tree.lookup('/a/b/c')?.implicit).toBeUndefined();
  });

  it('hides lower layers only: a whiteout keeps what its own layer wrote, an opaque folder keeps newer content', () => {
    const tree = new FileTree(layer(0));
    tree.apply(layer(0), entry('/x'));
    tree.apply(layer(0), entry('/d', 'dir'));
    tree.apply(layer(0), entry('/d/old'));
    tree.apply(layer(1), entry('/y'));
    tree.apply(layer(1), entry('/x', 'whiteout'));
    tree.apply(layer(1), entry('/y', 'whiteout'));
    tree.apply(layer(1), entry('/d/new'));
    tree.apply(layer(1), entry('/d', 'opaque'));
    const paths = [...tree.walk()].map((n) => n.header.path);
    expect(paths).toEqual(['/', '/d', '/d/new', '/y']);
  });
});
