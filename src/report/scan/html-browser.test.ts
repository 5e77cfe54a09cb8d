/**
 * The HTML report in a real browser (headless Chromium, Debian's `chromium` package): it renders
 * without errors, the search box and filters narrow the table, columns sort, the detail panel shows a
 * finding, hostile package text stays text, and the page makes no network request at all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from './html.js';
import { Browser, findChromium, type Page } from './test-support/chromium.js';
import { HOSTILE_NAME, HOSTILE_SUMMARY, sampleReport } from './test-support/sample-report.js';
import { prerequisite } from '../../test-support/require.js';

const chromium = findChromium();
prerequisite(
  chromium !== undefined,
  'HTML report browser tests: no chromium found (apt-get install -y chromium, or set CHROMIUM).',
);

describe.skipIf(!chromium)('HTML report in headless Chromium', () => {
  let dir: string;
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(sampleReport(), { timestamp: new Date('2024-07-02T10:00:00Z') }));
    url = pathToFileURL(file).href;
    browser = Browser.launch(chromium!);
    page = await browser.newPage();
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const visibleIds = (): Promise<string[]> =>
    page.evaluate<string[]>(
      `Array.from(document.querySelectorAll('#findings tbody tr[data-i]')).filter(r => !r.hidden).map(r => r.querySelector('button.vuln').textContent)`,
    );

  it('renders with no console error, exception or dialog, and the script ran', async () => {
    expect(await page.evaluate<string | null>(`document.documentElement.getAttribute('data-ready')`)).toBe(
      'true',
    );
    expect(page.errors).toEqual([]);
    expect(page.dialogs).toEqual([]);
    expect(await page.evaluate<string>(`document.title`)).toBe(
      'Vulnerability report: registry.example.org/shop/web:1.4.2',
    );
    // 7 findings stand, 2 are suppressed (hidden until asked for).
    expect(await visibleIds()).toHaveLength(7);
    expect(await page.evaluate<string>(`document.getElementById('count').textContent`)).toBe(
      '7 of 9 findings shown',
    );
  });

  it('keeps hostile package text as text: no injected element, no script run', async () => {
    expect(await page.evaluate<number>(`document.scripts.length`)).toBe(2);
    expect(
      await page.evaluate<number>(`document.querySelectorAll('img, b, iframe, object, embed').length`),
    ).toBe(0);
    const names = await page.evaluate<string[]>(
      `Array.from(document.querySelectorAll('#findings tbody td:nth-child(3) code')).map(c => c.textContent)`,
    );
    expect(names).toContain(HOSTILE_NAME);
    expect(page.dialogs).toEqual([]);
  });

  it('filters the table as the user types in the search box', async () => {
    await page.evaluate(`document.getElementById('q').focus()`);
    await page.type('lodash');
    expect((await visibleIds()).sort()).toEqual(['CVE-2020-8203', 'CVE-2021-23337']);
    expect(await page.evaluate<string>(`document.getElementById('count').textContent`)).toBe(
      '2 of 9 findings shown',
    );
    // Aliases are searchable too.
    await page.evaluate(`(() => { const q = document.getElementById('q'); q.select(); })()`);
    await page.type('GHSA-35jh');
    expect(await visibleIds()).toEqual(['CVE-2021-23337']);
    await page.evaluate(
      `(() => { const q = document.getElementById('q'); q.value = ''; q.dispatchEvent(new Event('input')); })()`,
    );
    expect(await visibleIds()).toHaveLength(7);
  });

  it('filters by severity, fixable only and suppressed', async () => {
    await page.evaluate(
      `(() => { const s = document.getElementById('sev'); s.value = 'critical'; s.dispatchEvent(new Event('change')); })()`,
    );
    expect((await visibleIds()).sort()).toEqual(['CVE-2023-45853', 'CVE-2024-5535']);
    await page.evaluate(`document.getElementById('fixable-only').click()`);
    expect(await visibleIds()).toEqual(['CVE-2024-5535']);
    await page.evaluate(`document.getElementById('show-suppressed').click()`);
    expect((await visibleIds()).sort()).toEqual(['CVE-2021-44906', 'CVE-2024-5535']);
    await page.evaluate(`(() => {
      const s = document.getElementById('sev'); s.value = ''; s.dispatchEvent(new Event('change'));
      document.getElementById('fixable-only').click();
      document.getElementById('show-suppressed').click();
    })()`);
    expect(await visibleIds()).toHaveLength(7);
  });

  it('sorts by a column when its header is clicked, and toggles the direction', async () => {
    const packages = (): Promise<string[]> =>
      page.evaluate<string[]>(
        `Array.from(document.querySelectorAll('#findings tbody tr[data-i]')).filter(r => !r.hidden).map(r => r.querySelector('td:nth-child(3) code').textContent)`,
      );
    await page.evaluate(`document.querySelector('th[data-key="package"] button').click()`);
    const asc = await packages();
    expect(asc).toEqual(
      [...asc].sort((a, b) =>
        a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0,
      ),
    );
    expect(asc[0]).toBe(HOSTILE_NAME); // '<' sorts before letters
    expect(
      await page.evaluate<string>(
        `document.querySelector('th[data-key="package"]').getAttribute('aria-sort')`,
      ),
    ).toBe('ascending');
    await page.evaluate(`document.querySelector('th[data-key="package"] button').click()`);
    expect(await packages()).toEqual(
      [...asc]
        .reverse()
        .sort((a, b) => (a.toLowerCase() > b.toLowerCase() ? -1 : a.toLowerCase() < b.toLowerCase() ? 1 : 0)),
    );
    expect(
      await page.evaluate<string>(
        `document.querySelector('th[data-key="package"]').getAttribute('aria-sort')`,
      ),
    ).toBe('descending');
    expect(
      await page.evaluate<string | null>(
        `document.querySelector('th[data-key="risk"]').getAttribute('aria-sort')`,
      ),
    ).toBeNull();

    await page.evaluate(`document.querySelector('th[data-key="severity"] button').click()`);
    const severities = await page.evaluate<string[]>(
      `Array.from(document.querySelectorAll('#findings tbody tr[data-i]')).filter(r => !r.hidden).map(r => r.querySelector('.badge').textContent)`,
    );
    expect(severities).toEqual(['critical', 'critical', 'high', 'high', 'high', 'medium', 'negligible']);
  });

  it('explains a finding in the detail panel, with hostile text shown literally', async () => {
    await page.evaluate(
      `Array.from(document.querySelectorAll('button.vuln')).find(b => b.textContent === 'CVE-2021-23337').click()`,
    );
    const text = await page.evaluate<string>(`document.getElementById('detail').innerText`);
    expect(await page.evaluate<boolean>(`document.getElementById('detail').hidden`)).toBe(false);
    expect(text).toContain('GHSA-35jh-r3h4-6jhm');
    expect(text).toContain('4.17.21');
    expect(text).toContain('introduced 0, fixed 4.17.21: 4.17.15 is in [0, 4.17.21)');
    expect(text).toContain('#2 RUN npm ci --omit=dev');
    const aliasHref = await page.evaluate<string>(`document.querySelector('#detail ul a').href`);
    expect(aliasHref).toBe('https://github.com/advisories/GHSA-35jh-r3h4-6jhm');

    await page.evaluate(
      `Array.from(document.querySelectorAll('button.vuln')).find(b => b.textContent === 'GHSA-9xx9-hostile').click()`,
    );
    const hostile = await page.evaluate<string>(`document.getElementById('detail').innerText`);
    expect(hostile).toContain(HOSTILE_SUMMARY);
    expect(hostile).toContain(HOSTILE_NAME);
    // The `javascript:` reference is shown as text, never as a link.
    expect(
      await page.evaluate<string[]>(
        `Array.from(document.querySelectorAll('#detail a')).map(a => a.protocol)`,
      ),
    ).not.toContain('javascript:');
    expect(
      await page.evaluate<number>(
        `document.querySelectorAll('#detail img, #detail script, #detail b').length`,
      ),
    ).toBe(0);
    expect(page.dialogs).toEqual([]);
  });

  it('shows each layer with its instruction and the vulnerabilities it brought', async () => {
    const layers = await page.evaluate<string[]>(
      `Array.from(document.querySelectorAll('ol.layers > li')).map(li => li.innerText)`,
    );
    expect(layers).toHaveLength(3);
    expect(layers[0]).toContain('ADD file:9b2e0d3c4f in /');
    expect(layers[0]).toContain('CVE-2024-2961');
    expect(layers[1]).toContain('apt-get install');
    expect(layers[1]).toContain('CVE-2024-5535');
    expect(layers[2]).toContain('npm ci --omit=dev');
    expect(layers[2]).toContain('CVE-2021-23337');
    expect(layers[2]).not.toContain('CVE-2024-5535');
  });

  it('made no network request: the only request is the report file itself', async () => {
    expect(page.requests.length).toBeGreaterThan(0);
    expect(page.requests.filter((r) => r !== url)).toEqual([]);
  });

  it('takes a screenshot (for a person to look at)', async () => {
    await page.evaluate(
      `Array.from(document.querySelectorAll('button.vuln')).find(b => b.textContent === 'CVE-2024-5535').click()`,
    );
    const png = await page.screenshot();
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const out = process.env['BULWARK_SCREENSHOT'] ?? join(dir, 'report.png');
    writeFileSync(out, png);
  });

  it('the observers do catch a request, a script and an error (control page)', async () => {
    const control = join(dir, 'control.html');
    writeFileSync(
      control,
      '<!DOCTYPE html><title>c</title><img src="http://127.0.0.1:9/x.png"><script>alert("x")</script>',
    );
    const other = await browser.newPage();
    await other.goto(pathToFileURL(control).href);
    expect(other.requests).toContain('http://127.0.0.1:9/x.png');
    expect(other.dialogs).toEqual(['x']);
    expect(other.errors.length).toBeGreaterThan(0);
  });
});
