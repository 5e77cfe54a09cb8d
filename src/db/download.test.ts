import { describe, expect, it } from 'vitest';
import { download, parseRetryAfter, redactUrl } from './download.js';

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
