/**
 * Real Chromium for the dashboard tests: Debian's `chromium` driven by playwright-core (no browser
 * download), every request outside 127.0.0.1 intercepted and refused (and recorded, so a test can assert
 * there was none), console errors and page exceptions collected, axe-core injected for accessibility
 * checks, screenshots written to `.artifacts/dashboard/` (gitignored).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../test-support/images.js';

/** The browser binary: `CHROMIUM` from the environment, else Debian's `chromium` package. */
export function findChromium(): string | undefined {
  const candidates = [process.env['CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

export const ARTIFACTS_DIR = join(REPO_ROOT, '.artifacts', 'dashboard');

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** One signed-in (or anonymous) browser user: its context, page, and what the page did. */
export interface Session {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests to a host other than 127.0.0.1 (refused). */
  readonly offHost: string[];
  /** Console errors and uncaught exceptions, except the expected 401 of the sign-in probe. */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function openSession(
  browser: Browser,
  viewport = { width: 1366, height: 900 },
): Promise<Session> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
  const offHost: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      host = '';
    }
    if (host === '127.0.0.1' || url.startsWith('data:') || url === 'about:blank') return route.continue();
    offHost.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The app asks /api/v1/me to learn whether it is signed in; the browser logs the 401 answer.
    if (/status of 401/.test(m.text())) return;
    errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  return { context, page, offHost, errors, close: () => context.close() };
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Run axe-core (WCAG 2.0/2.1 A and AA rules and best practices) on the page and return the serious and
 * critical violations. axe is evaluated through the DevTools protocol, which the page's
 * Content-Security-Policy does not govern: the page itself stays as strict as in production.
 */
export async function axeSerious(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate('typeof window.axe');
  if (loaded !== 'object') await page.evaluate(`${axeSource}\n;void 0`);
  const violations = (await page.evaluate(`window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => ({ target: n.target, failureSummary: n.failureSummary })) })))`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Save a full-page PNG under {@link ARTIFACTS_DIR}; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
