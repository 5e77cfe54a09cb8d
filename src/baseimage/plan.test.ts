import { describe, expect, it } from 'vitest';
import type { Finding } from '../match/types.js';
import { sampleReport } from '../report/scan/test-support/sample-report.js';
import { fixPlan, vulnerabilityDelta } from './plan.js';

const findings = (): Finding[] => sampleReport().findings.filter((f) => !f.suppressed);
const layer = (f: Finding): number => f.package.layer?.index ?? 0;

describe('vulnerability deltas and the fix plan', () => {
  const all = findings();
  const base = all.filter((f) => layer(f) === 0);
  const own = all.filter((f) => layer(f) > 0);

  it('a delta removes what the candidate lacks and adds what it brings, with net risk', () => {
    expect(base.length).toBeGreaterThan(1);
    const [kept, ...gone] = base;
    const d = vulnerabilityDelta(base, [kept!, ...own.slice(0, 1)]);
    expect(d.removed.map((v) => v.vulnerabilityId).sort()).toEqual(
      [...new Set(gone.map((f) => f.vulnerabilityId))].sort(),
    );
    expect(d.added).toHaveLength(1);
    expect(d.removedBySeverity.total).toBe(d.removed.length);
    const risk = (l: readonly { risk: number }[]): number => l.reduce((n, v) => n + v.risk, 0);
    expect(d.netRisk).toBeCloseTo(risk(d.removed) - risk(d.added), 2);
  });

  it('without a better base: upgrades only, riskiest first, each fixing something, nothing twice', () => {
    const plan = fixPlan({ own, base });
    expect(plan.every((s) => s.kind === 'upgrade' && s.fixes.length > 0)).toBe(true);
    for (let i = 1; i < plan.length; i++) expect(plan[i - 1]!.risk).toBeGreaterThanOrEqual(plan[i]!.risk);
    const fixed = plan.flatMap((s) => s.fixes.map((v) => `${s.package!.name} ${v.vulnerabilityId}`));
    expect(new Set(fixed).size).toBe(fixed.length);
    const fixable = new Set(
      all.filter((f) => f.fixState === 'fixed' && f.fixedVersion).map((f) => f.vulnerabilityId),
    );
    expect(new Set(plan.flatMap((s) => s.fixes.map((v) => v.vulnerabilityId)))).toEqual(fixable);
  });

  it('a base change comes first only when it lowers the net risk', () => {
    const clean = { reference: 'debian:12-slim', delta: vulnerabilityDelta(base, []), findings: [] };
    const plan = fixPlan({ own, base, best: clean });
    expect(plan[0]).toMatchObject({ kind: 'base', base: 'debian:12-slim' });
    expect(plan.slice(1).every((s) => s.kind === 'upgrade')).toBe(true);
    // Its upgrades no longer include the base's packages.
    const basePkgs = new Set(base.map((f) => f.matches[0]!.searchedBy.name));
    expect(plan.slice(1).some((s) => basePkgs.has(s.package!.name))).toBe(false);
    const worse = { reference: 'debian:13', delta: vulnerabilityDelta([], own), findings: own };
    expect(fixPlan({ own, base, best: worse })[0]!.kind).toBe('upgrade');
  });
});
