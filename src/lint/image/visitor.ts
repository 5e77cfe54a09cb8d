/**
 * Adapter from the single layer walk to the built-image checks: merges the layers into the final
 * filesystem (applying whiteouts and opaque markers) and, when the walk ends, feeds every surviving
 * entry to an {@link ImageChecker}. Reads no file content.
 */
import type { EntryHeader, ImageMetadata, LayerRef, LayerVisitor } from '../../source/types.js';
import { createImageChecker } from './check.js';
import type { ImageCheckOptions, ImageFinding } from './types.js';

interface Node {
  header: EntryHeader;
  layer: number;
}

export interface ImageCheckVisitor extends LayerVisitor {
  /** Run the checks on the merged tree; call after the walk. */
  finish(): ImageFinding[];
}

const parentOf = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
};

export function createImageCheckVisitor(
  meta: ImageMetadata,
  options: ImageCheckOptions = {},
): ImageCheckVisitor {
  const nodes = new Map<string, Node>();
  const children = new Map<string, Set<string>>();

  const remove = (path: string, belowLayer: number, keepSelf: boolean): void => {
    // Iterative depth-first removal of a path and everything under it from lower layers.
    const stack = [path];
    while (stack.length) {
      const p = stack.pop()!;
      const kids = children.get(p);
      if (kids) for (const k of kids) stack.push(k);
      if (p === path && keepSelf) continue;
      const node = nodes.get(p);
      if (node && node.layer < belowLayer) {
        nodes.delete(p);
        children.get(parentOf(p))?.delete(p);
        if (!kids || kids.size === 0) children.delete(p);
      }
    }
  };

  return {
    entry(layer: LayerRef, header: EntryHeader) {
      if (header.type === 'whiteout') {
        remove(header.path, layer.index, false);
        return;
      }
      if (header.type === 'opaque') {
        remove(header.path, layer.index, true);
        return;
      }
      const existing = nodes.get(header.path);
      // A non-directory replacing a directory hides the directory's lower content.
      if (existing && existing.header.type === 'dir' && header.type !== 'dir')
        remove(header.path, layer.index, true);
      nodes.set(header.path, { header, layer: layer.index });
      if (header.path !== '/') {
        const parent = parentOf(header.path);
        let set = children.get(parent);
        if (!set) children.set(parent, (set = new Set()));
        set.add(header.path);
      }
      return undefined;
    },
    finish() {
      const checker = createImageChecker(meta, options);
      for (const p of [...nodes.keys()].sort()) checker.entry(nodes.get(p)!.header);
      return checker.finish();
    },
  };
}
