import { describe, expect, it } from 'vitest';
import { webhookUrlProblem } from './url.js';

describe('webhook URLs', () => {
  it('allows http(s) only, without credentials', () => {
    expect(webhookUrlProblem('https://hooks.example.com/x', null)).toBeUndefined();
    expect(webhookUrlProblem('http://10.0.0.1:8080/x', null)).toBeUndefined();
    expect(webhookUrlProblem('ftp://hooks.example.com/x', null)).toMatch(/only http and https/);
    expect(webhookUrlProblem('javascript:alert(1)', null)).toMatch(/only http and https/);
    expect(webhookUrlProblem('https://a:b@hooks.example.com/', null)).toMatch(/no user name or password/);
    expect(webhookUrlProblem('::', null)).toBe('not a URL');
  });

  it('matches the allow-list by host, host:port (default ports too), *.domain and [IPv6]', () => {
    const allowed = [
      'hooks.example.com',
      'ci.example.org:8443',
      '*.slack-like.test',
      '[::1]:9000',
      '127.0.0.1',
    ];
    const ok = (u: string) => webhookUrlProblem(u, allowed) === undefined;
    expect(ok('https://hooks.example.com/a')).toBe(true);
    expect(ok('http://HOOKS.example.com:81/a')).toBe(true); // a host without a port allows every port
    expect(ok('https://ci.example.org:8443/a')).toBe(true);
    expect(ok('https://ci.example.org/a')).toBe(false); // 443 ≠ 8443
    expect(ok('https://team.slack-like.test/a')).toBe(true);
    expect(ok('https://slack-like.test/a')).toBe(false); // the wildcard is for subdomains
    expect(ok('https://evilslack-like.test/a')).toBe(false);
    expect(ok('http://[::1]:9000/a')).toBe(true);
    expect(ok('http://[::1]:9001/a')).toBe(false);
    expect(ok('http://127.0.0.1:1234/a')).toBe(true);
    expect(ok('http://169.254.169.254/latest')).toBe(false);
    expect(ok('http://hooks.example.com.evil.test/a')).toBe(false);
    expect(webhookUrlProblem('http://localhost/', allowed)).toBe(
      'host localhost is not in webhook-allowed-hosts',
    );
  });
});
