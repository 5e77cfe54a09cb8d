import { describe, expect, it } from 'vitest';
import { bypassesProxy, parseProxyUrl, proxyAuthorization, proxyFor, redactProxy } from './proxy.js';

const u = (s: string) => new URL(s);

describe('proxyFor', () => {
  it('picks the variable of the scheme, lower case first', () => {
    const env = { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: 'plain:3' };
    expect(proxyFor(u('https://ghcr.io/v2/'), env)?.host).toBe('lower:2');
    expect(proxyFor(u('http://mirror.local/x'), env)?.href).toBe('http://plain:3/');
    expect(proxyFor(u('https://ghcr.io/v2/'), {})).toBeUndefined();
    expect(proxyFor(u('http://mirror.local/'), { HTTPS_PROXY: 'http://p:1' })).toBeUndefined();
  });

  it('reaches loopback directly when NO_PROXY is unset, and proxies it when NO_PROXY is set without it', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', HTTP_PROXY: 'http://p:3128' };
    expect(proxyFor(u('http://127.0.0.1:5000/v2/'), env)).toBeUndefined();
    expect(proxyFor(u('https://localhost:5000/v2/'), env)).toBeUndefined();
    expect(proxyFor(u('https://[::1]:5000/v2/'), env)).toBeUndefined();
    expect(proxyFor(u('https://ghcr.io/v2/'), env)).toBeDefined();
    expect(proxyFor(u('http://127.0.0.1:5000/v2/'), { ...env, NO_PROXY: '' })).toBeDefined();
    expect(proxyFor(u('http://127.0.0.1:5000/v2/'), { ...env, no_proxy: 'example.com' })).toBeDefined();
  });

  it('honours NO_PROXY (no_proxy first)', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', NO_PROXY: '.corp.example, registry.local:5000' };
    expect(proxyFor(u('https://a.corp.example/'), env)).toBeUndefined();
    expect(proxyFor(u('https://registry.local:5000/'), env)).toBeUndefined();
    expect(proxyFor(u('https://registry.local:5001/'), env)).toBeDefined();
    expect(proxyFor(u('https://127.0.0.1:5000/'), env)).toBeDefined();
    expect(proxyFor(u('https://a.corp.example/'), { ...env, no_proxy: 'other' })).toBeDefined();
  });
});

describe('bypassesProxy', () => {
  it.each([
    ['https://example.com/', 'example.com', true],
    ['https://sub.example.com/', 'example.com', true],
    ['https://sub.example.com/', '.example.com', true],
    ['https://sub.example.com/', '*.example.com', true],
    ['https://badexample.com/', 'example.com', false],
    ['https://example.com/', 'example.com:443', true],
    ['https://example.com/', 'example.com:8443', false],
    ['http://10.1.2.3:80/', '10.1.2.3', true],
    ['http://10.1.2.30/', '10.1.2.3', false],
    ['http://[::1]:5000/', '[::1]:5000', true],
    ['http://[::1]:5000/', '::1', true],
    ['https://anything/', '*', true],
    ['https://anything/', '', false],
  ])('%s with NO_PROXY=%j → %s', (url, list, expected) => {
    expect(bypassesProxy(u(url), list)).toBe(expected);
  });
});

describe('proxy URLs', () => {
  it('reads credentials and never shows them', () => {
    const p = parseProxyUrl('http://us%40er:p%3Ass@proxy:3128');
    expect(proxyAuthorization(p)).toBe(`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
    expect(redactProxy(p)).toBe('http://***@proxy:3128/');
    expect(proxyAuthorization(parseProxyUrl('proxy:3128'))).toBeUndefined();
  });

  it('refuses schemes it cannot speak', () => {
    expect(() => parseProxyUrl('socks5://proxy:1080')).toThrow(/only http:\/\/ proxies are supported/);
  });
});
