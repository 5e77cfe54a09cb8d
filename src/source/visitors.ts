/** Several consumers sharing one pass over a source. */
import type {
  ContentSink,
  EntryHeader,
  LayerRef,
  LayerStartInfo,
  LayerVisitor,
  SourceProblem,
} from './types.js';

export function combineVisitors(visitors: readonly LayerVisitor[]): LayerVisitor {
  if (visitors.length === 1) return visitors[0]!;
  let active: LayerVisitor[] = [];
  let current: number | undefined;
  return {
    layerStart(layer: LayerRef, info?: LayerStartInfo) {
      // A layer is skipped only when every consumer already knows its results.
      const answers = visitors.map((v) => v.layerStart?.(layer, info));
      if (answers.every((a) => a === 'skip')) {
        current = undefined;
        return 'skip';
      }
      active = visitors.filter((_, i) => answers[i] !== 'skip');
      current = layer.index;
      return undefined;
    },
    entry(layer: LayerRef, header: EntryHeader) {
      const sinks: ContentSink[] = [];
      for (const v of active) {
        const s = v.entry(layer, header);
        if (s) sinks.push(s);
      }
      if (sinks.length <= 1) return sinks[0];
      return {
        write: (c) => sinks.forEach((s) => s.write(c)),
        end: () => sinks.forEach((s) => s.end()),
        abort: (e) => sinks.forEach((s) => s.abort?.(e)),
      };
    },
    layerEnd(layer: LayerRef) {
      for (const v of active) v.layerEnd?.(layer);
    },
    problem(p: SourceProblem) {
      // A problem inside a layer that some consumer skipped (e.g. replayed from its cache, problems
      // included) goes only to the consumers reading it, so nobody hears of it twice.
      const readers = p.layer !== undefined && p.layer.index === current ? active : visitors;
      for (const v of readers) v.problem?.(p);
    },
  };
}
