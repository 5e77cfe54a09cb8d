import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** A copy of the launcher next to two fake builds that say which one ran. */
function fakeInstall(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-launcher-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'bulwark.js'), join(dir, 'bin', 'bulwark.js'));
  for (const which of ['cli', 'bundle']) {
    mkdirSync(join(dir, 'dist', which), { recursive: true });
    writeFileSync(
      join(dir, 'dist', which, 'main.js'),
      `export async function run(args) { process.stdout.write('${which} ' + args.join(' ')); return 0; }\n`,
    );
  }
  return dir;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function launch(dir: string): string {
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'bulwark.js'), 'a', 'b'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('bin/bulwark.js', () => {
  it('runs the bundle when it is at least as new as the tsc output', () => {
    const dir = fakeInstall();
    dirs.push(dir);
    const t = new Date('2026-01-01T00:00:00Z');
    utimesSync(join(dir, 'dist', 'cli', 'main.js'), t, t);
    utimesSync(join(dir, 'dist', 'bundle', 'main.js'), t, t);
    expect(launch(dir)).toBe('bundle a b');
  });

  it('runs the tsc output when the bundle is older (a tsc-only rebuild) or missing', () => {
    const dir = fakeInstall();
    dirs.push(dir);
    utimesSync(join(dir, 'dist', 'bundle', 'main.js'), new Date('2026-01-01Z'), new Date('2026-01-01Z'));
    utimesSync(join(dir, 'dist', 'cli', 'main.js'), new Date('2026-01-02Z'), new Date('2026-01-02Z'));
    expect(launch(dir)).toBe('cli a b');
    rmSync(join(dir, 'dist', 'bundle'), { recursive: true });
    expect(launch(dir)).toBe('cli a b');
  });

  it('npm run build produced a bundle that runs the real CLI', () => {
    expect(existsSync(join(ROOT, 'dist', 'bundle', 'main.js'))).toBe(true);
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'bundle', 'main.js')], { encoding: 'utf8' });
    expect(r.status).toBe(0); // a module with no side effects: loads cleanly
    const v = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(ROOT, 'dist', 'bundle', 'main.js'))}); process.exitCode = await m.run(['--version']);`,
      ],
      { encoding: 'utf8' },
    );
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
