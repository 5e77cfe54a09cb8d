/**
 * The final filesystem of an image, built while its layers stream by: whiteouts and opaque directories
 * applied, every node remembering the layer that wrote it. Only files some consumer asked for keep their
 * bytes; everything else is metadata, so memory follows the number of files, not their size.
 *
 * The one layer merge: the catalog (file view for catalogers) and the built-image checks of the lint
 * (final filesystem metadata) both apply layers through it.
 */
import { resolveLinkTarget } from './paths.js';
import type { EntryHeader, FileVersion, LayerRef } from './types.js';

export interface TreeNode {
  header: EntryHeader;
  layer: LayerRef;
  children?: Map<string, TreeNode>;
  /** Bytes of the final version, when requested. */
  content?: Buffer;
  /**
   * The final version's bytes kept in a temporary file instead of `content`, once the collector's
   * memory budget for file contents is used up (see CatalogCollector).
   */
  spilled?: { readonly path: string; readonly size: number };
  /** Versions written by successive layers since the path was last deleted (when history is kept). */
  history?: FileVersion[];
  /** A folder no layer wrote itself: made up as the parent of an entry (or the root before any `/`). */
  implicit?: true;
}

const MAX_SYMLINK_HOPS = 40;

function dirHeader(path: string): EntryHeader {
  return { path, type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0 };
}

function splitPath(path: string): string[] {
  return path.split('/').filter(Boolean);
}

export class FileTree {
  readonly root: TreeNode;

  constructor(rootLayer: LayerRef) {
    this.root = { header: dirHeader('/'), layer: rootLayer, children: new Map(), implicit: true };
  }

  /** The node at a literal path (no symlink resolution). */
  lookup(path: string): TreeNode | undefined {
    let node: TreeNode | undefined = this.root;
    for (const part of splitPath(path)) {
      node = node?.children?.get(part);
      if (!node) return undefined;
    }
    return node;
  }

  /** Parent directory node of `path`, creating implicit directories (replacing non-directories). */
  private parentFor(path: string, layer: LayerRef): { parent: TreeNode; name: string } | undefined {
    const parts = splitPath(path);
    const name = parts.pop();
    if (name === undefined) return undefined;
    let node = this.root;
    let cur = '';
    for (const part of parts) {
      cur += `/${part}`;
      let child = node.children!.get(part);
      if (!child || !child.children) {
        child = { header: dirHeader(cur), layer, children: new Map(), implicit: true };
        node.children!.set(part, child);
      }
      node = child;
    }
    return { parent: node, name };
  }

  /** Apply one layer entry. Returns the node now holding the entry (for file content). */
  apply(layer: LayerRef, header: EntryHeader): TreeNode | undefined {
    switch (header.type) {
      case 'whiteout': {
        const at = this.parentFor(header.path, layer);
        const existing = at?.parent.children!.get(at.name);
        // A whiteout hides lower layers only; an entry of this same layer (written before it) stays.
        if (at && existing && existing.layer.index < layer.index) at.parent.children!.delete(at.name);
        return undefined;
      }
      case 'opaque': {
        const node = header.path === '/' ? this.root : this.lookup(header.path);
        if (node?.children) pruneLower(node, layer.index);
        return undefined;
      }
      case 'dir': {
        if (header.path === '/') {
          this.root.header = { ...header, path: '/' };
          delete this.root.implicit;
          return this.root;
        }
        const at = this.parentFor(header.path, layer)!;
        const existing = at.parent.children!.get(at.name);
        if (existing?.children) {
          existing.header = header;
          existing.layer = layer;
          delete existing.implicit;
          return existing;
        }
        const node: TreeNode = { header, layer, children: new Map() };
        at.parent.children!.set(at.name, node);
        return node;
      }
      default: {
        if (header.path === '/') return undefined;
        const at = this.parentFor(header.path, layer)!;
        const previous = at.parent.children!.get(at.name);
        const node: TreeNode = { header, layer };
        if (previous?.history && !previous.children) node.history = previous.history;
        at.parent.children!.set(at.name, node);
        return node;
      }
    }
  }

  /**
   * Resolve `path` following symlinks inside the root (absolute targets are relative to the root, `..`
   * stops at `/`), and hard links to their target. Undefined when missing or when links loop.
   */
  resolve(path: string): TreeNode | undefined {
    let pending = splitPath(path);
    let node: TreeNode = this.root;
    let current = '';
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      const child: TreeNode | undefined = node.children?.get(part);
      if (!child) return undefined;
      if (child.header.type === 'symlink' && child.header.linkTarget !== undefined) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        const target = resolveLinkTarget(`${current}/${part}`, child.header.linkTarget);
        pending = [...splitPath(target), ...pending];
        node = this.root;
        current = '';
        continue;
      }
      node = child;
      current += `/${part}`;
    }
    if (node.header.type === 'hardlink' && node.header.linkTarget) {
      const target = this.lookup(node.header.linkTarget);
      if (target && target.header.type === 'file')
        return { ...target, header: { ...target.header, path: node.header.path } };
    }
    return node;
  }

  /** Every node in path order (depth-first, children sorted). */
  *walk(node: TreeNode = this.root): Generator<TreeNode> {
    yield node;
    if (!node.children) return;
    const names = [...node.children.keys()].sort();
    for (const n of names) yield* this.walk(node.children.get(n)!);
  }
}

function pruneLower(dir: TreeNode, layerIndex: number): void {
  for (const [name, child] of dir.children!) {
    if (child.layer.index < layerIndex) dir.children!.delete(name);
    else if (child.children) pruneLower(child, layerIndex);
  }
}
