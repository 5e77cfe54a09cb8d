/**
 * Adapter from the single layer walk to the built-image checks: merges the layers into the final
 * filesystem with the shared layer merge ({@link FileTree}: whiteouts and opaque markers applied) and,
 * when the walk ends, feeds every surviving entry to an {@link ImageChecker}. Reads no file content.
 */
import type { EntryHeader, ImageMetadata, LayerRef, LayerVisitor } from '../../source/types.js';
import { FileTree } from '../../source/tree.js';
import { createImageChecker } from './check.js';
import type { ImageCheckOptions, ImageFinding } from './types.js';

export interface ImageCheckVisitor extends LayerVisitor {
  /** Run the checks on the merged tree; call after the walk. */
  finish(): ImageFinding[];
}

export function createImageCheckVisitor(
  meta: ImageMetadata,
  options: ImageCheckOptions = {},
): ImageCheckVisitor {
  let tree: FileTree | undefined;

  return {
    entry(layer: LayerRef, header: EntryHeader) {
      tree ??= new FileTree(layer);
      tree.apply(layer, header);
      return undefined;
    },
    finish() {
      const checker = createImageChecker(meta, options);
      const headers: EntryHeader[] = [];
      // Folders no layer wrote (made up as parents) are not entries of the image, so they are not checked.
      if (tree) for (const node of tree.walk()) if (!node.implicit) headers.push(node.header);
      // Path order (not tree order) decides which findings a per-rule cap keeps.
      headers.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const h of headers) checker.entry(h);
      return checker.finish();
    },
  };
}
