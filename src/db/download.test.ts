import { describe, expect, it } from 'vitest';
import { download, isDnsFailure, parseRetryAfter, redactUrl } from './download.js';

describe('download helpers', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Wed, 21 Oct 2015 07:28:10 GMT', 10_000],
    ['soon', undefined],
    [null, undefined],
  ])('parseRetryAfter(%j)', (value, ms) => {
    expect(parseRetryAfter(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(ms);
  });

  it('never shows credentials or signed query strings', () => {
    expect(redactUrl('https://user:secret@mirror.example/osv/Go/all.zip?X-Goog-Signature=abc')).toBe(
      'https://***@mirror.example/osv/Go/all.zip?…',
    );
  });

  it('refuses non-HTTP URLs', async () => {
    await expect(download('file:///etc/passwd', '/nonexistent/x')).rejects.toThrow(
      /only http and https URLs are supported/,
    );
    await expect(download('http://', '/nonexistent/x')).rejects.toThrow(/not a valid URL/);
  });
});

describe('DNS failures', () => {
  it('fail at once, without the retry back-off', async () => {
    const retries: string[] = [];
    const t0 = performance.now();
    const err = await download('http://bulwark-test.invalid/osv/ecosystems.txt', '/nonexistent/x', {
      onRetry: (reason) => retries.push(reason),
    }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(retries).toEqual([]);
    expect(err?.code).toBe('E_DNS');
    expect(err?.message).toMatch(
      /cannot resolve host "bulwark-test\.invalid" \(DNS lookup failed: (ENOTFOUND|EAI_AGAIN)/,
    );
  });

  it('are told apart from other connection failures', () => {
    const fetchError = (code: string) =>
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
    expect(isDnsFailure(fetchError('ENOTFOUND'))).toBe(true);
    expect(isDnsFailure(fetchError('EAI_AGAIN'))).toBe(true);
    expect(isDnsFailure(fetchError('ECONNREFUSED'))).toBe(false);
    expect(isDnsFailure(fetchError('ECONNRESET'))).toBe(false);
  });
});
