import { describe, expect, it } from 'vitest';
import { edges, find, flags, runCataloger } from '../test-support/run.js';
import { nugetLockCataloger } from './packages-lock.js';

const lock = {
  version: 1,
  dependencies: {
    'net8.0': {
      'Newtonsoft.Json': {
        type: 'Direct',
        requested: '[13.0.3, )',
        resolved: '13.0.3',
        contentHash:
          'HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==',
      },
      'Serilog.Sinks.Console': {
        type: 'Direct',
        requested: '[5.0.1, )',
        resolved: '5.0.1',
        contentHash: 'abc',
        dependencies: { Serilog: '3.1.1' },
      },
      Serilog: { type: 'Transitive', resolved: '3.1.1', contentHash: 'def' },
      'System.Text.Json': {
        type: 'CentralTransitive',
        requested: '[8.0.0, )',
        resolved: '8.0.0',
        contentHash: 'ghi',
      },
      'MyCompany.Shared': { type: 'Project', dependencies: { 'Newtonsoft.Json': '[13.0.3, )' } },
    },
    'net8.0/linux-x64': {
      'Microsoft.NETCore.App.Runtime.linux-x64': {
        type: 'Direct',
        requested: '[8.0.0, )',
        resolved: '8.0.0',
        contentHash: 'rt',
      },
      serilog: { type: 'Transitive', resolved: '3.1.1', contentHash: 'def' },
    },
    'net6.0': {
      'Newtonsoft.Json': { type: 'Direct', requested: '[13.0.3, )', resolved: '13.0.3', contentHash: 'x' },
      Broken: { type: 'Transitive' },
    },
  },
};

describe('packages.lock.json', () => {
  it('merges frameworks, keeps Direct/Transitive and skips Project entries', async () => {
    const r = await runCataloger(nugetLockCataloger, { '/src/Api/packages.lock.json': JSON.stringify(lock) });
    expect(flags(r)).toEqual([
      'Microsoft.NETCore.App.Runtime.linux-x64@8.0.0 direct=true scope=undefined',
      'Newtonsoft.Json@13.0.3 direct=true scope=undefined',
      'Serilog.Sinks.Console@5.0.1 direct=true scope=undefined',
      'Serilog@3.1.1 direct=false scope=undefined',
      'System.Text.Json@8.0.0 direct=false scope=undefined',
    ]);
    expect(edges(r)).toEqual(['Serilog.Sinks.Console@5.0.1 -> Serilog@3.1.1']);
    expect(find(r, 'Newtonsoft.Json')).toMatchObject({
      type: 'nuget',
      purl: 'pkg:nuget/Newtonsoft.Json@13.0.3',
      metadata: { requested: '[13.0.3, )', targetFrameworks: ['net6.0', 'net8.0'] },
    });
    expect(find(r, 'Serilog').metadata).toMatchObject({ targetFrameworks: ['net8.0', 'net8.0/linux-x64'] });
    expect(r.unknowns.map((u) => u.reason)).toEqual(['net6.0/Broken: no resolved version']);
  });

  it.each([
    ['{"version": 1}', /no "dependencies" object/],
    ['not json', /invalid JSON/],
  ])('rejects %j', async (text, reason) => {
    const r = await runCataloger(nugetLockCataloger, { '/x/packages.lock.json': text });
    expect(r.unknowns[0]!.reason).toMatch(reason);
  });
});
