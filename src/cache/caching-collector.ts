/**
 * A {@link LayerVisitor} in front of the catalog collector that serves layers from a {@link LayerCache}:
 * on a hit it replays the layer's recorded entries, file bytes and problems into the collector (which
 * cannot tell the difference) and answers `'skip'`, so the source never opens the blob; on a miss it
 * records the layer while it streams and stores it at `layerEnd`, which the source calls only after the
 * layer was read completely and its digests verified. A failed layer is never cached. Layers without a
 * diff ID (folders) pass straight through.
 */
import type {
  ContentSink,
  EntryHeader,
  LayerRef,
  LayerStartInfo,
  LayerVisitor,
  SourceProblem,
} from '../source/types.js';
import {
  MAX_LAYER_RECORD_BYTES,
  type LayerCache,
  type LayerRecord,
  type RecordedEntry,
} from './layer-cache.js';

interface Recording extends LayerRecord {
  readonly layer: LayerRef;
  /** Read failed, or the record grew past what the cache stores: it will not be written. */
  failed: boolean;
  /** File bytes recorded so far. */
  bytes: number;
}

export class CachingCollector implements LayerVisitor {
  /** Layers served from the cache in this walk (index order). */
  readonly replayed: number[] = [];
  private recording: Recording | undefined;

  /**
   * @param scrub applied to each file's bytes before they are stored (never to what the catalog sees
   *   now): the cache must not keep secrets in clear text, so the caller passes the secret masker.
   */
  constructor(
    private readonly inner: LayerVisitor,
    private readonly cache: LayerCache,
    private readonly key: string,
    /** Applied to file bytes before they are stored (the secret masker: no secret on disk). */
    private readonly scrub?: (content: Buffer) => Buffer,
    /** Largest record kept (the cache refuses larger ones); tests lower it. */
    private readonly maxRecordBytes = MAX_LAYER_RECORD_BYTES,
  ) {}

  /** File bytes held for the layer being recorded (0 once it outgrew what the cache stores). */
  get recordingBytes(): number {
    const rec = this.recording;
    return rec && !rec.failed ? rec.bytes : 0;
  }

  layerStart(layer: LayerRef, info?: LayerStartInfo): void | 'skip' {
    this.recording = undefined;
    const answer = this.inner.layerStart?.(layer, info);
    if (answer === 'skip' || !layer.diffId) return answer;
    // A blob not known to be the verified one (changed or new file) is read again, whatever we hold.
    let hit;
    if (info?.reusable === false) this.cache.stats.misses++;
    else hit = this.cache.read(layer.diffId, this.key);
    if (hit) {
      this.replay(layer, hit);
      this.replayed.push(layer.index);
      return 'skip';
    }
    this.recording = { layer, entries: [], contents: [], problems: [], failed: false, bytes: 0 };
    return undefined;
  }

  private replay(layer: LayerRef, record: LayerRecord): void {
    for (const e of record.entries) {
      const sink = this.inner.entry(layer, e.header);
      if (!sink) continue;
      const content = e.content >= 0 ? record.contents[e.content]! : Buffer.alloc(0);
      if (content.length > 0) sink.write(content);
      sink.end();
    }
    for (const p of record.problems)
      this.inner.problem?.({ layer, ...(p.path !== undefined ? { path: p.path } : {}), reason: p.reason });
  }

  entry(layer: LayerRef, header: EntryHeader): ContentSink | undefined | void {
    const sink = this.inner.entry(layer, header);
    const rec = this.recording;
    if (!rec || rec.layer.index !== layer.index) return sink;
    const recorded: RecordedEntry = { header, content: -1 };
    rec.entries.push(recorded);
    if (!sink) return sink;
    let chunks: Buffer[] = [];
    return {
      write: (chunk) => {
        if (!rec.failed) {
          rec.bytes += chunk.length;
          if (rec.bytes > this.maxRecordBytes) {
            // The cache would refuse this record: stop holding a second copy of the layer's files now.
            rec.failed = true;
            rec.contents.length = 0;
            chunks = [];
          } else chunks.push(Buffer.from(chunk));
        }
        sink.write(chunk);
      },
      end: () => {
        const verdict = sink.end();
        if (!rec.failed) {
          if (verdict === 'discarded') {
            // The collector did not keep these bytes, and an entry replayed without content is
            // discarded alike: keep the entry, not the bytes (most executables in /usr/bin).
            for (const c of chunks) rec.bytes -= c.length;
          } else {
            recorded.content = rec.contents.length;
            const content = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
            rec.contents.push(this.scrub ? this.scrub(content) : content);
          }
        }
        chunks = [];
        return verdict;
      },
      abort: (err) => {
        rec.failed = true;
        sink.abort?.(err);
      },
    };
  }

  layerEnd(layer: LayerRef): void {
    const rec = this.recording;
    this.recording = undefined;
    if (rec && rec.layer.index === layer.index && !rec.failed && layer.diffId) {
      this.cache.write(layer.diffId, this.key, {
        entries: rec.entries,
        contents: rec.contents,
        problems: rec.problems,
      });
    }
    this.inner.layerEnd?.(layer);
  }

  problem(p: SourceProblem): void {
    const rec = this.recording;
    if (rec && p.layer?.index === rec.layer.index)
      rec.problems.push({ ...(p.path !== undefined ? { path: p.path } : {}), reason: p.reason });
    this.inner.problem?.(p);
  }
}
