/** The job settings of the server configuration (src/server/config.ts): defaults, lists, "off", limits. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServerConfig, settingsHelp } from '../config.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-jobs-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('job settings', () => {
  it('defaults: one job at a time in the server, no scheduled update, no registry allowed', () => {
    const c = loadServerConfig({ env: { HOME: dir }, cwd: dir });
    expect(c).toMatchObject({
      workers: 1,
      jobTimeoutMs: 30 * 60_000,
      jobAttempts: 3,
      jobRetryDelayMs: 30_000,
      jobPollIntervalMs: 2000,
      dbUpdateIntervalMs: 0,
      registryAllow: [],
    });
    expect(c.secretKey).toBeUndefined();
  });

  it('registry-allow from a YAML list or a comma-separated variable; durations accept off', () => {
    writeFileSync(
      join(dir, 'j.yaml'),
      'registry-allow: [Registry.Example.com, "127.0.0.1:5000"]\ndb-update-interval: 6h\nworkers: 0\n',
    );
    const f = loadServerConfig({ env: { HOME: dir }, cwd: dir, file: 'j.yaml' });
    expect(f).toMatchObject({
      registryAllow: ['registry.example.com', '127.0.0.1:5000'],
      dbUpdateIntervalMs: 6 * 3_600_000,
      workers: 0,
    });
    const e = loadServerConfig({
      env: {
        HOME: dir,
        BULWARK_SERVER_REGISTRY_ALLOW: 'ghcr.io, quay.io',
        BULWARK_SERVER_DB_UPDATE_INTERVAL: 'off',
      },
      cwd: dir,
      file: 'j.yaml',
    });
    expect(e).toMatchObject({ registryAllow: ['ghcr.io', 'quay.io'], dbUpdateIntervalMs: 0 });
    expect(loadServerConfig({ env: { HOME: dir }, cwd: dir, flags: { workers: '0' } }).workers).toBe(0);
  });

  it('the secret key comes from the environment only, and must be long enough', () => {
    writeFileSync(join(dir, 'k.yaml'), 'secret-key: abcdefabcdefabcdefabcdefabcdefabcdef\n');
    expect(() => loadServerConfig({ env: { HOME: dir }, cwd: dir, file: 'k.yaml' })).toThrow(
      /secret-key may only come from BULWARK_SERVER_SECRET_KEY/,
    );
    expect(() =>
      loadServerConfig({ env: { HOME: dir, BULWARK_SERVER_SECRET_KEY: 'short' }, cwd: dir }),
    ).toThrow(/at least 32 characters/);
    const key = 'k'.repeat(32);
    expect(loadServerConfig({ env: { HOME: dir, BULWARK_SERVER_SECRET_KEY: key }, cwd: dir }).secretKey).toBe(
      key,
    );
  });

  it('refuses bad values with the setting named', () => {
    const bad = (env: Record<string, string>) => () =>
      loadServerConfig({ env: { HOME: dir, ...env }, cwd: dir });
    expect(bad({ BULWARK_SERVER_JOB_ATTEMPTS: '0' })).toThrow(/job-attempts: must be at least 1/);
    expect(bad({ BULWARK_SERVER_JOB_TIMEOUT: '500ms' })).toThrow(/job-timeout/);
    expect(bad({ BULWARK_SERVER_JOB_POLL_INTERVAL: '10ms' })).toThrow(/job-poll-interval/);
    expect(bad({ BULWARK_SERVER_WORKERS: 'many' })).toThrow(/workers: expected a whole number/);
  });

  it('--help documents every job setting', () => {
    const help = settingsHelp();
    for (const k of [
      'workers',
      'job-timeout',
      'job-attempts',
      'job-retry-delay',
      'db-update-interval',
      'registry-allow',
    ])
      expect(help).toContain(k);
    expect(help).toContain('BULWARK_SERVER_SECRET_KEY');
  });
});
