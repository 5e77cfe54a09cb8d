import { describe, expect, it } from 'vitest';
import type { LayerRef, LayerVisitor, SourceProblem } from './types.js';
import { combineVisitors } from './visitors.js';

const layer = (index: number): LayerRef => ({
  index,
  digest: `sha256:${index}`,
  diffId: `sha256:${index}`,
  mediaType: 'x',
  size: 0,
});

/** A consumer that skips the given layers and records what it hears. */
function consumer(skip: readonly number[]) {
  const heard: string[] = [];
  const visitor: LayerVisitor = {
    layerStart: (l) => (skip.includes(l.index) ? 'skip' : undefined),
    entry: (l, h) => void heard.push(`entry ${l.index} ${h.path}`),
    layerEnd: (l) => void heard.push(`end ${l.index}`),
    problem: (p: SourceProblem) => void heard.push(`problem ${p.layer?.index ?? '-'} ${p.reason}`),
  };
  return { visitor, heard };
}

describe('combineVisitors', () => {
  it('skips a layer only when every consumer skips it, and routes its entries and problems to the readers', () => {
    const cached = consumer([0, 1]);
    const reader = consumer([]);
    const both = combineVisitors([cached.visitor, reader.visitor]);
    const file = { path: '/a', type: 'file' as const, size: 0, mode: 0o644, uid: 0, gid: 0 };

    expect(both.layerStart!(layer(0))).toBeUndefined();
    both.entry(layer(0), file);
    both.problem!({ layer: layer(0), reason: 'bad entry' });
    both.layerEnd!(layer(0));
    both.problem!({ reason: 'index problem' });

    const alone = combineVisitors([consumer([1]).visitor, consumer([1]).visitor]);
    expect(alone.layerStart!(layer(1))).toBe('skip');

    // The consumer that skipped layer 0 (it replayed it, problems included) hears nothing of it twice.
    expect(cached.heard).toEqual(['problem - index problem']);
    expect(reader.heard).toEqual(['entry 0 /a', 'problem 0 bad entry', 'end 0', 'problem - index problem']);
  });
});
