import { describe, expect, it } from 'vitest';
import { attributeLayers } from './attribution.js';
import { testLayer } from './test-support/memory-view.js';
import type { FileVersion } from './types.js';

/** A toy database: one `name=version` per line. */
function parse(content: Buffer): { name: string; version: string }[] {
  const text = content.toString('utf8');
  if (text.startsWith('CORRUPT')) throw new Error('corrupt');
  return text
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => {
      const [name, version] = l.split('=') as [string, string];
      return { name, version };
    });
}

function versions(...contents: string[]): FileVersion[] {
  return contents.map((c, i) => ({ layer: testLayer(i), content: Buffer.from(c) }));
}

function layersOf(vs: FileVersion[]): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const a of attributeLayers(vs, { parse, key: (p) => `${p.name}|${p.version}` }))
    out[a.item.name] = a.since.layer?.index;
  return out;
}

describe('attributeLayers', () => {
  it('credits each package to the layer that installed it', () => {
    expect(layersOf(versions('a=1', 'a=1\nb=1', 'a=1\nb=1\nc=1'))).toEqual({ a: 0, b: 1, c: 2 });
  });

  it('restarts the chain at an upgrade', () => {
    expect(layersOf(versions('a=1\nb=1', 'a=2\nb=1', 'a=2\nb=1\nc=1'))).toEqual({ a: 1, b: 0, c: 2 });
  });

  it('restarts the chain when a package was removed and reinstalled', () => {
    expect(layersOf(versions('a=1\nb=1', 'b=1', 'a=1\nb=1'))).toEqual({ a: 2, b: 0 });
  });

  it('credits the final layer when there is no history', () => {
    expect(layersOf(versions('a=1'))).toEqual({ a: 0 });
    expect(attributeLayers([], { parse, key: (p) => p.name })).toEqual([]);
  });

  it('stops at an unreadable older version', () => {
    expect(layersOf(versions('a=1', 'CORRUPT', 'a=1\nb=1', 'a=1\nb=1'))).toEqual({ a: 2, b: 2 });
  });

  it('tells the parser which version is the latest', () => {
    const seen: boolean[] = [];
    attributeLayers(versions('a=1', 'a=1'), {
      parse: (c, latest) => {
        seen.push(latest);
        return parse(c);
      },
      key: (p) => p.name,
    });
    expect(seen).toEqual([true, false]);
  });

  it('keeps the order of the final version and returns the version object', () => {
    const vs = versions('z=1', 'z=1\ny=1');
    const out = attributeLayers(vs, { parse, key: (p) => p.name });
    expect(out.map((a) => a.item.name)).toEqual(['z', 'y']);
    expect(out[0]!.since).toBe(vs[0]);
    expect(out[1]!.since).toBe(vs[1]);
  });
});
