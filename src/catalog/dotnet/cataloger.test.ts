import { describe, it, expect } from 'vitest';
import { memoryView } from '../test-support/memory-view.js';
import { dotnetDepsCataloger } from './cataloger.js';

const ctx = { source: { kind: 'directory' as const, target: '.', path: '.' } };

const DEPS = {
  runtimeTarget: { name: '.NETCoreApp,Version=v8.0', signature: '' },
  compilationOptions: {},
  targets: {
    '.NETCoreApp,Version=v8.0': {
      'MyApp/1.0.0': {
        dependencies: { 'Serilog.Sinks.Console': '5.0.1', 'Newtonsoft.Json': '13.0.3' },
        runtime: { 'MyApp.dll': {} },
      },
      'Newtonsoft.Json/13.0.3': { runtime: { 'lib/net6.0/Newtonsoft.Json.dll': {} } },
      'Serilog/3.1.1': {},
      'Serilog.Sinks.Console/5.0.1': { dependencies: { serilog: '3.1.1' } },
    },
  },
  libraries: {
    'MyApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    'Newtonsoft.Json/13.0.3': {
      type: 'package',
      serviceable: true,
      sha512:
        'sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==',
      path: 'newtonsoft.json/13.0.3',
    },
    'Serilog/3.1.1': { type: 'package', serviceable: true, sha512: 'sha512-x' },
    'Serilog.Sinks.Console/5.0.1': { type: 'package', serviceable: true, sha512: 'sha512-y' },
    'System.Private.CoreLib/8.0.0': { type: 'reference' },
  },
};

async function run(files: Record<string, string>) {
  return dotnetDepsCataloger.catalog(memoryView(files, dotnetDepsCataloger.match), ctx);
}

describe('dotnet-deps cataloger', () => {
  it('reads package libraries, direct dependencies and the dependency graph', async () => {
    const res = await run({ '/app/MyApp.deps.json': JSON.stringify(DEPS) });
    expect(res.unknowns).toEqual([]);
    expect(res.packages.map((p) => `${p.purl} direct=${p.direct ?? false}`)).toEqual([
      'pkg:nuget/Newtonsoft.Json@13.0.3 direct=true',
      'pkg:nuget/Serilog@3.1.1 direct=false',
      'pkg:nuget/Serilog.Sinks.Console@5.0.1 direct=true',
    ]);
    const id = (n: string) => res.packages.find((p) => p.name === n)!.id;
    expect(res.relationships).toEqual([
      { from: id('Serilog.Sinks.Console'), to: id('Serilog'), type: 'depends-on' },
    ]);
    expect(res.packages[0]!.metadata?.['path']).toBe('newtonsoft.json/13.0.3');
  });

  it('reports malformed deps.json files and goes on', async () => {
    const res = await run({
      '/app/a.deps.json': '{',
      '/app/b.deps.json': '{"targets": {}}',
      '/app/c.deps.json': JSON.stringify({
        libraries: { NoVersion: { type: 'package' }, 'Ok/1.0.0': { type: 'package' } },
      }),
    });
    expect(res.unknowns!.map((u) => [u.path, u.reason.replace(/:.*/, '')])).toEqual([
      ['/app/a.deps.json', 'malformed deps.json'],
      ['/app/b.deps.json', 'deps.json has no libraries object'],
      ['/app/c.deps.json', 'deps.json library "NoVersion" is malformed'],
    ]);
    expect(res.packages.map((p) => p.purl)).toEqual(['pkg:nuget/Ok@1.0.0']);
  });
});
