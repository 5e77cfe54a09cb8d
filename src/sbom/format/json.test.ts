import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Sbom } from '../../model/sbom.js';
import { formatJson, sortKeysDeep } from './json.js';
import { SECRET_VALUES, sampleDirectorySbom, sampleImageSbom } from './test-support/sample-sbom.js';

const schema = JSON.parse(
  readFileSync(new URL('../../../schemas/bulwark-sbom-v1.schema.json', import.meta.url), 'utf8'),
) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

function parse(
  sbom: Sbom,
): Record<string, unknown> & { packages: { id: string; type: string; name: string }[] } {
  return JSON.parse(formatJson(sbom)) as ReturnType<typeof parse>;
}

describe('formatJson', () => {
  it.each([
    ['image', sampleImageSbom()],
    ['folder', sampleDirectorySbom()],
  ])('validates against schemas/bulwark-sbom-v1.schema.json (%s)', (_name, sbom) => {
    const doc = JSON.parse(formatJson(sbom)) as unknown;
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema rejects env values and unknown fields', () => {
    const doc = parse(sampleImageSbom()) as unknown as { source: { image: { config: { env: string[] } } } };
    doc.source.image.config.env.push('LEAK=value');
    expect(validate(doc)).toBe(false);
    const extra = { ...parse(sampleImageSbom()), surprise: true };
    expect(validate(extra)).toBe(false);
  });

  it('uses 2-space indentation and ends with one newline', () => {
    const text = formatJson(sampleImageSbom());
    expect(text.startsWith('{\n  "schema": "bulwark-sbom/v1",\n  "tool": {\n    "name": "bulwark"')).toBe(
      true,
    );
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
  });

  it('is byte-identical for the same SBOM, whatever the input order of lists and keys', () => {
    const a = sampleImageSbom();
    const b = sampleImageSbom();
    const shuffled: Sbom = {
      ...b,
      packages: [...b.packages].reverse().map((p) => ({
        ...p,
        metadata: p.metadata && Object.fromEntries(Object.entries(p.metadata).reverse()),
      })),
      relationships: [...b.relationships].reverse(),
      catalogers: [...b.catalogers].reverse(),
    };
    expect(formatJson(shuffled)).toBe(formatJson(a));
  });

  it('sorts packages by type, name, version and relationships by from, type, to', () => {
    const doc = parse(sampleImageSbom());
    expect(doc.packages.map((p) => `${p.type}/${p.name}`)).toEqual([
      'deb/libc6',
      'deb/libssl3',
      'deb/tzdata',
      'npm/@types/node',
      'npm/debug',
      'npm/express',
      'npm/weird-pkg',
    ]);
    const rels = doc['relationships'] as { from: string; type: string; to: string }[];
    const keys = rels.map((r) => `${r.from} ${r.type} ${r.to}`);
    expect(keys).toEqual([...keys].sort());
    expect(keys[0]).toBe('deb-libssl3-0123456789abcdef depends-on deb-libc6-0123456789abcdef');
  });

  it('never writes env values, only names', () => {
    const text = formatJson(sampleImageSbom());
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
    expect(text).toContain('"API_TOKEN"');
  });

  it('keeps package details: layer, locations, licences, metadata with sorted keys', () => {
    const doc = parse(sampleImageSbom()) as unknown as { packages: Record<string, unknown>[] };
    const libssl = doc.packages.find((p) => p['name'] === 'libssl3')!;
    expect(libssl['layer']).toMatchObject({ index: 1, diffId: `sha256:${'d'.repeat(64)}` });
    expect(libssl['locations']).toEqual([
      { path: '/var/lib/dpkg/status', layer: expect.objectContaining({ index: 1 }) },
    ]);
    expect(Object.keys(libssl['metadata'] as object)).toEqual(['installedSize', 'maintainer']);
    const tz = doc.packages.find((p) => p['name'] === 'tzdata')!;
    expect(tz['licenses']).toEqual(['LicenseRef-public-domain', 'Some Custom Licence Text v1']);
  });
});

describe('sortKeysDeep', () => {
  it('orders keys by code point at every depth and drops undefined', () => {
    const out = sortKeysDeep({ b: 1, a: { d: [{ z: 1, y: undefined, x: 2 }], c: 'é' }, B: null });
    expect(JSON.stringify(out)).toBe('{"B":null,"a":{"c":"é","d":[{"x":2,"z":1}]},"b":1}');
  });

  it('survives cycles and non-JSON values', () => {
    const cyclic: Record<string, unknown> = { n: Number.NaN, big: 10n, when: new Date(0), fn: () => 1 };
    cyclic['self'] = cyclic;
    const text = JSON.stringify(sortKeysDeep(cyclic));
    expect(text).toContain('"big":"10"');
    expect(text).toContain('"n":null');
    expect(text).toContain('"when":"1970-01-01T00:00:00.000Z"');
    expect(text).not.toContain('fn');
    expect(text).toContain('"self":null');
  });

  it('cuts absurd nesting instead of overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    const text = JSON.stringify(sortKeysDeep(deep));
    expect(text).not.toContain('leaf');
    expect(text.length).toBeLessThan(1000);
  });
});
