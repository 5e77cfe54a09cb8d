/**
 * Every format over the source description of real test images (built by the shared image script).
 * `secrets-in-history` sets `ENV GITHUB_TOKEN=…` (config and history): the token must appear in no
 * output, while every output stays schema-valid.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { openSource } from '../../source/open.js';
import type { SourceDescription } from '../../source/types.js';
import { haveImages, imagePath, type TestImage } from '../../test-support/images.js';
import type { Sbom } from '../../model/sbom.js';
import { SBOM_FORMATS, formatSbom } from './index.js';
import { sampleImageSbom } from './test-support/sample-sbom.js';

const PINNED = new Date('2024-07-01T12:00:00Z');
const spdxValidate = new Ajv2019({ strict: false }).compile(
  JSON.parse(readFileSync(new URL('./testdata/spdx-schema-v2.3.json', import.meta.url), 'utf8')) as object,
);
const jsonValidate = new Ajv2020({ strict: true }).compile(
  JSON.parse(
    readFileSync(new URL('../../../schemas/bulwark-sbom-v1.schema.json', import.meta.url), 'utf8'),
  ) as object,
);
const cdxValidator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

async function describeImage(image: TestImage): Promise<SourceDescription> {
  const source = await openSource(`archive://${imagePath(image, 'docker.tar')}`);
  try {
    return source.description;
  } finally {
    await source.close();
  }
}

describe.skipIf(!haveImages())('formats over real image metadata', () => {
  it.each<TestImage>(['secrets-in-history', 'debian12-node'])('%s', async (image) => {
    const source = await describeImage(image);
    if (source.kind !== 'image') throw new Error('expected an image');
    const values = source.image.config.env
      .map((e) => e.slice(e.indexOf('=') + 1))
      .filter((v) => v.length >= 8);
    if (image === 'secrets-in-history') {
      expect(values.some((v) => v.startsWith('ghp_'))).toBe(true);
      expect(source.image.history.some((h) => h.createdBy?.includes('ENV GITHUB_TOKEN=ghp_'))).toBe(true);
    }
    const sbom: Sbom = { ...sampleImageSbom(), source };

    const outputs = Object.fromEntries(
      SBOM_FORMATS.map((f) => [f, formatSbom(sbom, f, { timestamp: PINNED })]),
    );
    expect(jsonValidate(JSON.parse(outputs['json']!))).toBe(true);
    expect(await cdxValidator.validate(outputs['cyclonedx-json']!)).toBeNull();
    const spdxOk = spdxValidate(JSON.parse(outputs['spdx-json']!));
    expect(spdxValidate.errors ?? []).toEqual([]);
    expect(spdxOk).toBe(true);
    for (const [format, text] of Object.entries(outputs)) {
      for (const value of values) expect(text, `${format} leaks an env value`).not.toContain(value);
    }
    expect(outputs['json']).toContain(source.image.manifestDigest);
  });
});
