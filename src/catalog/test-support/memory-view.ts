/**
 * An in-memory FileView for cataloger unit tests: `memoryView({ '/var/lib/dpkg/status': '…' })`.
 * Integration tests go through the real sources (fs://, archives) instead.
 */
import type { LayerRef } from '../../source/types.js';
import type { CatalogFile, FileVersion, FileView } from '../types.js';
import type { EntryHeader } from '../../source/types.js';

export interface MemoryFile {
  content: string | Buffer;
  layer?: LayerRef;
  /** Older versions, oldest first (the final `content` is appended as the last version). */
  history?: FileVersion[];
}

export function testLayer(index: number, createdBy = `layer ${index}`): LayerRef {
  const hex = String(index).padStart(64, '0');
  return {
    index,
    digest: `sha256:${hex}`,
    diffId: `sha256:${hex}`,
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    size: 0,
    createdBy,
  };
}

export function memoryView(
  files: Record<string, string | Buffer | MemoryFile>,
  match: (path: string) => boolean = () => true,
): FileView {
  const all = new Map<string, CatalogFile>();
  for (const [path, spec] of Object.entries(files)) {
    const f: MemoryFile = typeof spec === 'string' || Buffer.isBuffer(spec) ? { content: spec } : spec;
    const content = Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content);
    const versions: FileVersion[] = [...(f.history ?? []), { layer: f.layer, content }];
    all.set(path, {
      path,
      layer: f.layer,
      size: content.length,
      mode: 0o644,
      read: async () => content,
      history: async () => versions,
    });
  }
  const matched = [...all.values()]
    .filter((f) => match(f.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    files: () => matched,
    get: (path) => all.get(path),
    stat: (path): EntryHeader | undefined => {
      const f = all.get(path);
      return f ? { path, type: 'file', size: f.size, mode: f.mode, uid: 0, gid: 0 } : undefined;
    },
  };
}
