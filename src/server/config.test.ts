import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServerConfig, redactUrl, SETTINGS, settingsHelp } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-server-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return name;
};

describe('server configuration', () => {
  it('defaults: embedded SQLite under the user data dir, loopback, SLA table', () => {
    const c = loadServerConfig({ env: { HOME: '/home/u' }, cwd: dir });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: '/home/u/.local/share/bulwark/server',
      databaseUrl: 'sqlite:/home/u/.local/share/bulwark/server/register.sqlite',
      vulnDb: '/home/u/.cache/bulwark/db/bulwark.sqlite',
      maxBodyBytes: 64 * 1024 * 1024,
      sla: { critical: 7, high: 30, medium: 90, low: 180, kev: 14 },
    });
    expect(c.adminPassword).toBeUndefined();
    expect(loadServerConfig({ env: { HOME: '/h', XDG_DATA_HOME: '/xdg' }, cwd: dir }).dataDir).toBe(
      '/xdg/bulwark/server',
    );
  });

  it('file, then environment, then flags: each later source wins', () => {
    const f = file(
      'a.yaml',
      'port: 9000\nhost: 0.0.0.0\nsla:\n  critical: 3\n  kev: 2\nsession-ttl: 30m\nmax-body: 1MiB\n',
    );
    const fromFile = loadServerConfig({ env: { HOME: dir }, cwd: dir, file: f });
    expect(fromFile).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      sessionTtlMs: 30 * 60_000,
      maxBodyBytes: 1024 * 1024,
    });
    expect(fromFile.sla).toMatchObject({ critical: 3, kev: 2, high: 30 });
    const env = { HOME: dir, BULWARK_SERVER_PORT: '9100', BULWARK_SERVER_SLA_CRITICAL: '5' };
    expect(loadServerConfig({ env, cwd: dir, file: f })).toMatchObject({ port: 9100, sla: { critical: 5 } });
    expect(loadServerConfig({ env, cwd: dir, file: f, flags: { port: '9200' } }).port).toBe(9200);
  });

  it('bad settings are one clear error naming the source', () => {
    const cases: [() => unknown, RegExp][] = [
      [
        () => loadServerConfig({ env: { BULWARK_SERVER_PORT: 'eighty' }, cwd: dir }),
        /BULWARK_SERVER_PORT: port: expected a whole number/,
      ],
      [
        () => loadServerConfig({ env: {}, cwd: dir, file: file('b.yaml', 'prot: 1\n') }),
        /b\.yaml: unknown setting "prot"/,
      ],
      [
        () => loadServerConfig({ env: {}, cwd: dir, file: file('c.yaml', 'admin-password: x\n') }),
        /may only come from the environment \(BULWARK_SERVER_ADMIN_PASSWORD\)/,
      ],
      [
        () => loadServerConfig({ env: {}, cwd: dir, file: file('d.yaml', 'port: [1\n') }),
        /d\.yaml: not valid YAML/,
      ],
      [() => loadServerConfig({ env: {}, cwd: dir, file: 'missing.yaml' }), /missing\.yaml: cannot read/],
      [
        () => loadServerConfig({ env: { BULWARK_SERVER_DATABASE_URL: 'mysql://a:secret@h/db' }, cwd: dir }),
        /expected sqlite:FILE or postgres/,
      ],
      [
        () => loadServerConfig({ env: { BULWARK_SERVER_SESSION_TTL: '12 hours' }, cwd: dir }),
        /expected a duration/,
      ],
    ];
    for (const [fn, re] of cases) expect(fn).toThrow(re);
  });

  it('never prints a database password', () => {
    expect(redactUrl('postgres://bulwark:s3cret@db:5432/reg')).toBe('postgres://bulwark:***@db:5432/reg');
  });

  it('--help documents every setting with its variable', () => {
    const help = settingsHelp();
    for (const s of SETTINGS) {
      expect(help).toContain(s.key);
      expect(help).toContain(s.env);
    }
  });
});
