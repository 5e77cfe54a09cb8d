import { describe, expect, it } from 'vitest';
import { explainCvss } from './cvss.js';

describe('CVSS in words', () => {
  it('breaks a 3.1 vector down metric by metric, with its score', () => {
    const v = explainCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:L/A:N')!;
    expect(v.version).toBe('3.1');
    expect(v.baseScore).toBe(7.1);
    expect(v.metrics.map((m) => `${m.metric}:${m.value}`)).toEqual([
      'AV:N',
      'AC:L',
      'PR:N',
      'UI:R',
      'S:U',
      'C:H',
      'I:L',
      'A:N',
    ]);
    expect(v.metrics[0]).toMatchObject({ name: 'Attack Vector', valueName: 'Network' });
    expect(v.metrics[0]!.description.length).toBeGreaterThan(10);
  });

  it('reads 2.0 and 4.0 vectors; rejects what is not a vector', () => {
    expect(explainCvss('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toMatchObject({ version: '2.0', baseScore: 7.5 });
    const v4 = explainCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')!;
    expect(v4.version).toBe('4.0');
    expect(v4.baseScore).toBe(9.3);
    expect(explainCvss('not a vector')).toBeUndefined();
  });
});
