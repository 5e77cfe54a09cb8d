/**
 * The catalog stage's consumer of the single pass: applies every entry to the {@link FileTree} and
 * buffers the bytes of exactly the files that a cataloger (or the distro detector) asked for.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContentSink, EntryHeader, LayerRef, LayerVisitor, SourceProblem } from '../source/types.js';
import { FileTree, type TreeNode } from '../source/tree.js';
import type { Unknown } from './types.js';
import { maxOf, pushAll } from '../util/arrays.js';

export interface FileRequest {
  /** Who asks (cataloger id), for messages. */
  readonly id: string;
  match(path: string): boolean;
  readonly history?: boolean;
  readonly maxFileSize?: number;
  /** Keep a matched file only when it contains one of these (see Cataloger.contentMarkers). */
  readonly contentMarkers?: readonly Uint8Array[];
}

export const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;
/**
 * Memory for kept file contents across the whole target. Beyond it, the final version of further files
 * (jars, archives, binaries: whatever catalogers asked for) goes to a private temporary file and is read
 * back when a cataloger asks for it, so an image of many large jars costs disk, not memory. Files whose
 * layer history is kept (package databases) always stay in memory: they are few and small.
 */
export const DEFAULT_CONTENT_BUDGET = 512 * 1024 * 1024;
/**
 * The largest single file the catalog can hold: a file's bytes end up in one Buffer and most
 * catalogers decode them as text, so a per-file limit beyond 2 GiB could never be honoured
 * (`--max-file-size` above it is a usage error).
 */
export const MAX_HOLDABLE_FILE_SIZE = 2 * 1024 ** 3;

export class CatalogCollector implements LayerVisitor {
  readonly tree: FileTree;
  /** Paths each request matched (final presence is checked against the tree at the end). */
  readonly matched: Set<string>[];
  readonly unknowns: Unknown[] = [];
  readonly problems: SourceProblem[] = [];

  /** Bytes of file contents held in memory now, and the most held at any time. */
  heldBytes = 0;
  peakHeldBytes = 0;
  /** Files whose contents went to the spill folder. */
  spilledFiles = 0;
  private spillDir: string | undefined;
  private spillSeq = 0;

  constructor(
    private readonly requests: readonly FileRequest[],
    firstLayer: LayerRef,
    private readonly maxFileSize = DEFAULT_MAX_FILE_SIZE,
    private readonly contentBudget = DEFAULT_CONTENT_BUDGET,
  ) {
    this.tree = new FileTree(firstLayer);
    this.matched = requests.map(() => new Set());
  }

  entry(layer: LayerRef, header: EntryHeader): ContentSink | undefined {
    const node = this.tree.apply(layer, header);
    if (!node || (header.type !== 'file' && header.type !== 'hardlink')) return undefined;
    let wanted = false;
    let keepHistory = false;
    let cap = 0;
    // Markers apply only when every request that matched the path has some; any request without
    // markers wants the file unconditionally.
    let markers: Uint8Array[] | undefined = [];
    for (let i = 0; i < this.requests.length; i++) {
      const r = this.requests[i]!;
      if (!r.match(header.path)) continue;
      this.matched[i]!.add(header.path);
      wanted = true;
      keepHistory ||= r.history === true;
      cap = Math.max(cap, r.maxFileSize ?? this.maxFileSize);
      if (r.contentMarkers?.length && markers) pushAll(markers, r.contentMarkers);
      else markers = undefined;
    }
    if (!wanted) return undefined;
    if (header.type === 'hardlink') {
      const target = header.linkTarget ? this.tree.lookup(header.linkTarget) : undefined;
      if (target?.spilled && !keepHistory) {
        node.spilled = target.spilled;
      } else if (target?.content) {
        node.content = target.content;
        if (keepHistory) node.history = [...(node.history ?? []), { layer, content: target.content }];
      } else if (header.linkTarget && this.matched.some((m) => m.has(header.linkTarget!))) {
        // The target was offered to the same catalogers and deliberately not kept (no content marker,
        // or over the size cap, which was reported for the target): the link adds nothing.
      } else {
        this.unknowns.push({
          path: header.path,
          layer,
          reason: `hard link to ${header.linkTarget ?? '?'} whose content was not kept`,
        });
      }
      return undefined;
    }
    if (header.size > cap) {
      this.unknowns.push({
        path: header.path,
        layer,
        reason: `skipped: ${header.size} bytes exceeds the ${cap}-byte per-file limit`,
      });
      return undefined;
    }
    return this.sinkFor(node, layer, keepHistory, markers?.length ? markers : undefined);
  }

  private sinkFor(
    node: TreeNode,
    layer: LayerRef,
    keepHistory: boolean,
    markers?: Uint8Array[],
  ): ContentSink {
    let chunks: Buffer[] = [];
    let size = 0;
    let spill: { fd: number; path: string } | undefined;
    let found = markers === undefined;
    const overlap = markers ? maxOf(markers.map((m) => m.length)) - 1 : 0;
    let tail = Buffer.alloc(0);
    return {
      write: (chunk) => {
        // Copy: the source may reuse its buffers after the call returns.
        const copy = Buffer.from(chunk);
        size += copy.length;
        if (spill) writeAll(spill.fd, copy);
        else if (!keepHistory && this.heldBytes + size > this.contentBudget) {
          // Over budget: this file continues on disk (what came so far included).
          spill = this.openSpill();
          for (const c of chunks) writeAll(spill.fd, c);
          writeAll(spill.fd, copy);
          chunks = [];
        } else chunks.push(copy);
        if (!found && markers) {
          // Search across the chunk boundary too: the last bytes of the previous chunk + this chunk.
          const window = tail.length ? Buffer.concat([tail, copy.subarray(0, overlap)]) : undefined;
          found = markers.some(
            (m) => copy.indexOf(m) >= 0 || (window !== undefined && window.indexOf(m) >= 0),
          );
          tail =
            copy.length >= overlap
              ? copy.subarray(copy.length - overlap)
              : Buffer.concat([tail, copy]).subarray(-overlap);
        }
      },
      end: () => {
        if (spill) closeSync(spill.fd);
        if (!found) {
          // No marker: not a file this request can use; drop the bytes now.
          if (spill) rmSync(spill.path, { force: true });
          return 'discarded';
        }
        this.release(node);
        if (spill) {
          node.spilled = { path: spill.path, size };
          this.spilledFiles++;
          return;
        }
        const content = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        node.content = content;
        this.hold(content.length);
        if (keepHistory) node.history = [...(node.history ?? []), { layer, content }];
      },
      abort: (err) => {
        if (spill) {
          closeSync(spill.fd);
          rmSync(spill.path, { force: true });
        }
        this.unknowns.push({ path: node.header.path, layer, reason: `could not be read: ${err.message}` });
      },
    };
  }

  problem(p: SourceProblem): void {
    this.problems.push(p);
  }

  /** Remove the spilled files (call once the catalogers are done). */
  dispose(): void {
    if (this.spillDir) rmSync(this.spillDir, { recursive: true, force: true });
    this.spillDir = undefined;
  }

  private hold(n: number): void {
    this.heldBytes += n;
    if (this.heldBytes > this.peakHeldBytes) this.peakHeldBytes = this.heldBytes;
  }

  /** A later layer replaces the node's content: the old bytes stop counting (unless history keeps them). */
  private release(node: TreeNode): void {
    if (node.content && !node.history) this.heldBytes -= node.content.length;
    // A replaced spill file stays until dispose(): a hard link may share it.
    node.content = undefined;
    node.spilled = undefined;
  }

  private openSpill(): { fd: number; path: string } {
    this.spillDir ??= mkdtempSync(join(tmpdir(), 'bulwark-spill-'));
    const path = join(this.spillDir, String(this.spillSeq++));
    return { fd: openSync(path, 'wx', 0o600), path };
  }
}

/** writeSync may write less than asked: loop until the buffer is out. */
function writeAll(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
}
