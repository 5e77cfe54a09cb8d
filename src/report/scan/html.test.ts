import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml, scriptJson } from './html.js';
import {
  HOSTILE_NAME,
  HOSTILE_SUMMARY,
  SECRET_VALUES,
  emptyReport,
  sampleFolderReport,
  sampleReport,
} from './test-support/sample-report.js';

const PINNED = { timestamp: new Date('2024-07-02T10:00:00Z') };

describe('renderHtml (static checks; behaviour is tested in a browser in html-browser.test.ts)', () => {
  it('is one self-contained document: no external resource of any kind', () => {
    const html = renderHtml(sampleReport(), PINNED);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    // No element loads anything: no src, no stylesheet links, no @import or url() in CSS.
    expect(html).not.toMatch(/<[a-z][^>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/<(iframe|object|embed|img|video|audio)\b/i);
    // And the browser is told to refuse any load anyway.
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[A-Za-z0-9+/=]+&#39;; script-src &#39;sha256-/,
    );
  });

  it('escapes hostile package names and advisory text everywhere', () => {
    const html = renderHtml(sampleReport(), PINNED);
    expect(html).not.toContain(HOSTILE_NAME);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain(escapeHtml(HOSTILE_NAME));
    // Exactly the two scripts we wrote; the JSON block cannot be closed early.
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    const json = /<script type="application\/json" id="bulwark-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(json).not.toMatch(/[<>&]/);
    const data = JSON.parse(json) as { findings: { summary: string | null; package: { name: string } }[] };
    expect(data.findings.find((f) => f.package.name === HOSTILE_NAME)!.summary).toBe(HOSTILE_SUMMARY);
  });

  it('scriptJson and escapeHtml neutralise every dangerous character', () => {
    expect(scriptJson({ a: '</script><!--&\u2028' })).toBe(
      '{"a":"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028"}',
    );
    expect(escapeHtml(`<a href="x" onclick='y'>&`)).toBe(
      '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;',
    );
  });

  it('shows the header, the severity chart, the findings and the layers', () => {
    const html = renderHtml(sampleReport(), PINNED);
    expect(html).toContain('<title>Vulnerability report: registry.example.org/shop/web:1.4.2</title>');
    expect(html).toContain('Debian GNU/Linux 12 (bookworm)');
    expect(html).toContain(`sha256:${'e'.repeat(64)}`);
    expect(html).toContain('2024-07-02T10:00:00Z');
    expect(html).toContain(
      '<desc id="chart-desc">critical: 2 (1 fixable), high: 3 (3 fixable), medium: 1 (1 fixable), low: 0 (0 fixable), negligible: 1 (0 fixable), unknown: 0 (0 fixable)</desc>',
    );
    expect(html.match(/<tr data-i="\d+"/g)).toHaveLength(9);
    expect(html.match(/<tr data-i="\d+" class="suppressed" hidden>/g)).toHaveLength(2);
    expect(html.match(/<span class="idx">Layer \d<\/span>/g)).toEqual([
      '<span class="idx">Layer 0</span>',
      '<span class="idx">Layer 1</span>',
      '<span class="idx">Layer 2</span>',
    ]);
    expect(html).toContain('<code>RUN npm ci --omit=dev</code>');
    expect(html).toContain('1 suppression expired');
  });

  it('never contains env values or ENV history values', () => {
    const html = renderHtml(sampleReport(), PINNED);
    for (const secret of SECRET_VALUES) expect(html).not.toContain(secret);
  });

  it('handles folders and clean scans', () => {
    expect(renderHtml(sampleFolderReport(), PINNED)).toContain(
      'This scan is of a folder: there are no image layers.',
    );
    expect(renderHtml(emptyReport(), PINNED)).toContain('<td colspan="8">No vulnerabilities found.</td>');
  });

  it('is byte-identical for a pinned time whatever the input order', () => {
    const r = sampleReport();
    expect(renderHtml({ ...r, findings: [...r.findings].reverse() }, PINNED)).toBe(renderHtml(r, PINNED));
  });
});
