import { describe, expect, it } from 'vitest';
import { nextPageQuery } from '../source/registry/client.js';
import { compareVersionParts, parseTag, selectCandidateTags } from './tags.js';

describe('the candidate tag rule', () => {
  it('reads a tag as version and variant', () => {
    expect(parseTag('12.4-slim')).toEqual({ tag: '12.4-slim', version: [12, 4], variant: ['slim'] });
    expect(parseTag('v3.19.1')).toEqual({ tag: 'v3.19.1', version: [3, 19, 1], variant: [] });
    expect(parseTag('bookworm-slim')).toEqual({
      tag: 'bookworm-slim',
      version: [],
      variant: ['bookworm', 'slim'],
    });
    expect(compareVersionParts([12, 10], [12, 9])).toBeGreaterThan(0);
  });

  const debian = [
    '11',
    '11-slim',
    '12',
    '12-slim',
    '12.4',
    '12.5',
    '12.5-slim',
    '12.11',
    '13',
    'bookworm',
    'bookworm-slim',
    'latest',
  ];

  it('a floating major tag: its refresh and its slim variant, never another major', () => {
    expect(selectCandidateTags('12', debian)).toEqual([
      { tag: '12', kind: 'refresh', reason: 'the same tag 12, rebuilt' },
      { tag: '12-slim', kind: 'slimmer', reason: 'a slim variant' },
    ]);
  });

  it('a pinned version: the newest of the same major and granularity (numeric order), and a slim one not older', () => {
    expect(selectCandidateTags('12.4', debian)).toEqual([
      { tag: '12.4', kind: 'refresh', reason: 'the same tag 12.4, rebuilt' },
      { tag: '12.11', kind: 'update', reason: 'newer 12.11 of the same variant' },
      { tag: '12.5-slim', kind: 'slimmer', reason: 'a slim variant' },
    ]);
    expect(selectCandidateTags('12.11', debian).map((c) => c.tag)).toEqual(['12.11']);
  });

  it('a codename tag: its slim variant; a slim tag gets no slimmer one; unknown tags no refresh', () => {
    expect(selectCandidateTags('bookworm', debian).map((c) => `${c.kind} ${c.tag}`)).toEqual([
      'refresh bookworm',
      'slimmer bookworm-slim',
    ]);
    expect(selectCandidateTags('12-slim', debian).map((c) => c.tag)).toEqual(['12-slim']);
    expect(selectCandidateTags('12.99', ['12.4', '12.5'])).toEqual([]);
  });
});

describe('tags-list pagination', () => {
  it('follows rel="next" keeping only n and last', () => {
    expect(nextPageQuery('</v2/library/debian/tags/list?n=2&last=12>; rel="next"')).toBe('n=2&last=12');
    expect(nextPageQuery('<https://evil.example/v2/x/tags/list?last=b&other=1>; rel=next')).toBe('last=b');
    expect(nextPageQuery('</v2/x/tags/list?n=2>; rel="next"')).toBeUndefined();
    expect(nextPageQuery('</v2/x/tags/list?n=2&last=a>; rel="prev"')).toBeUndefined();
    expect(nextPageQuery(undefined)).toBeUndefined();
  });
});
