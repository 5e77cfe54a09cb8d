import { describe, expect, it } from 'vitest';
import type { Finding } from '../../match/types.js';
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from './markdown.js';
import { mdCode, mdText } from './markdown-text.js';
import { SECRET_VALUES, emptyReport, sampleReport } from './test-support/sample-report.js';

describe('renderMarkdown', () => {
  it('starts with the target and facts, then counts by severity with fixable counts', () => {
    const lines = renderMarkdown(sampleReport()).split('\n');
    expect(lines[0]).toBe('## Bulwark scan: `registry.example.org/shop/web:1.4.2`');
    expect(lines[2]).toContain('**Vulnerabilities:** 7 (5 fixable)');
    expect(lines[2]).toContain('**Known exploited:** 1');
    expect(lines[2]).toContain('**Suppressed:** 2');
    const table = lines.slice(
      lines.indexOf('| Severity | Total | Fixable |'),
      lines.indexOf('| Severity | Total | Fixable |') + 6,
    );
    expect(table).toEqual([
      '| Severity | Total | Fixable |',
      '| --- | ---: | ---: |',
      '| 🔴 Critical | 2 | 1 |',
      '| 🟠 High | 3 | 3 |',
      '| 🟡 Medium | 1 | 1 |',
      '| ⚪ Negligible | 1 | 0 |',
    ]);
  });

  it('lists the top findings with linked ids and installed → fixed versions', () => {
    const text = renderMarkdown(sampleReport());
    expect(text).toContain(
      '| [CVE-2021-23337](https://nvd.nist.gov/vuln/detail/CVE-2021-23337) | 🟠 High | `lodash` (npm) | `4.17.15` → `4.17.21` | 91.23% | **KEV** | Command Injection in lodash |',
    );
    expect(text).toContain("`1:1.2.13.dfsg-1` → won't fix");
    expect(text).toContain('### Top 7 findings');
  });

  it('puts suppressed findings and expired suppressions in collapsible or warning blocks', () => {
    const text = renderMarkdown(sampleReport());
    expect(text).toContain('<details><summary>2 suppressed findings</summary>');
    expect(text).toContain('VEX not\\_affected (vulnerable\\_code\\_not\\_in\\_execute\\_path)');
    expect(text).toContain('> [!WARNING]');
    expect(text).toContain('CVE-2019-1010022 in `.bulwark.yaml#ignore[1]`');
  });

  it('collapses the full list when there are more findings than the top table', () => {
    const r = sampleReport();
    const many: Finding[] = Array.from({ length: 25 }, (_, i) => ({
      ...r.findings[0]!,
      id: `f${i}`,
      vulnerabilityId: `CVE-2024-${10000 + i}`,
      risk: 50 - i,
    }));
    const text = renderMarkdown({ ...r, findings: many });
    expect(text).toContain('### Top 10 findings');
    expect(text).toContain('<details><summary>All 25 findings</summary>');
    expect(text.match(/CVE-2024-10024/g)).toHaveLength(2); // in the link text and in its URL, in the full list only
  });

  it('escapes package names and advisory text: no HTML, no table breaks, no mentions', () => {
    const text = renderMarkdown(sampleReport());
    // Code spans show their content literally; outside them no raw tag may remain.
    const outsideCode = text.replace(/`[^`]*`/g, '');
    expect(outsideCode).not.toMatch(/(?<!\\)<(script|img|b)\b/); // `\<` is an escaped, literal `<`
    expect(text).toContain('`<script>alert(1)</script>`');
    expect(text).toContain('`1.0.1"><b>x</b>`');
    expect(text).toContain(
      'Bad \\</script\\>\\<script\\>alert(2)\\</script\\> \\& \\<img src=x onerror=alert(3)\\>',
    );
    expect(mdText('ping @octocat | *x*')).toBe('ping @\u200boctocat \\| \\*x\\*');
    expect(mdCode('a|b')).toBe('`a\\|b`');
    expect(mdCode('has `tick`')).toBe('`` has `tick` ``');
  });

  it(`never exceeds the comment limit (${GITHUB_COMMENT_LIMIT} by default) and says what was left out`, () => {
    const r = sampleReport();
    const base = r.findings.find((f) => f.vulnerabilityId === 'CVE-2024-5535')!;
    const huge: Finding[] = Array.from({ length: 3000 }, (_, i) => ({
      ...base,
      id: `f${i}`,
      vulnerabilityId: `CVE-2023-${20000 + i}`,
      summary: 'A long summary '.repeat(20),
      risk: 40 - i / 1000,
    }));
    const text = renderMarkdown({ ...r, findings: huge });
    expect(text.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(text).toMatch(
      /> \*\*Note:\*\* \d+ rows left out to stay within the 65,536-character comment limit/,
    );
    expect(text).toContain('### Top 10 findings');
    expect(text.trimEnd().endsWith('</sub>')).toBe(true);
    // The expired-suppression warning survives truncation; the full list is cut, not dropped.
    expect(text).toContain('CVE-2019-1010022 in `.bulwark.yaml#ignore[1]`');
    expect(text).toContain('<details><summary>All 3000 findings</summary>');
    expect(text).toContain('</details>');
    const small = renderMarkdown({ ...r, findings: huge }, { maxLength: 8000 });
    expect(small.length).toBeLessThanOrEqual(8000);
  });

  it('reports a clean scan, is deterministic and has no env values', () => {
    expect(renderMarkdown(emptyReport())).toContain('No vulnerabilities found.');
    const r = sampleReport();
    const a = renderMarkdown(r);
    expect(renderMarkdown({ ...r, findings: [...r.findings].reverse() })).toBe(a);
    for (const secret of SECRET_VALUES) expect(a).not.toContain(secret);
  });
});
