import { describe, expect, it } from 'vitest';
import { REDACTED, envName, redactCreatedBy, redactSource } from './redact.js';
import { SECRET_VALUES, sampleDirectorySbom, sampleImageSbom } from './test-support/sample-sbom.js';

describe('envName', () => {
  it.each([
    ['PATH=/usr/bin:/bin', 'PATH'],
    ['TOKEN=a=b=c', 'TOKEN'],
    ['EMPTY=', 'EMPTY'],
    ['BARE', 'BARE'],
  ])('%s → %s', (entry, name) => {
    expect(envName(entry)).toBe(name);
  });
});

describe('redactCreatedBy', () => {
  it.each([
    ['/bin/sh -c #(nop)  ENV TOKEN=abc', `/bin/sh -c #(nop)  ENV TOKEN=${REDACTED}`],
    ['/bin/sh -c #(nop)  ENV PASSWORD very secret words', `/bin/sh -c #(nop)  ENV PASSWORD ${REDACTED}`],
    ['ENV A=1 B="two words" C=\'x y\'', `ENV A=${REDACTED} B=${REDACTED} C=${REDACTED}`],
    ['ENV A=with\\ escaped\\ space', `ENV A=${REDACTED}`],
    ['env lower=case', `env lower=${REDACTED}`],
    ['RUN /bin/sh -c echo ENV=not-an-instruction', 'RUN /bin/sh -c echo ENV=not-an-instruction'],
    ['/bin/sh -c #(nop) ADD file:abc in / ', '/bin/sh -c #(nop) ADD file:abc in / '],
    ['ENVIRONMENT=x', 'ENVIRONMENT=x'],
  ])('%s', (input, expected) => {
    expect(redactCreatedBy(input)).toBe(expected);
  });

  it('keeps undefined', () => {
    expect(redactCreatedBy(undefined)).toBeUndefined();
  });
});

describe('redactSource', () => {
  it('keeps env names and drops every value, in config and history', () => {
    const source = redactSource(sampleImageSbom().source);
    if (source.kind !== 'image') throw new Error('expected an image source');
    expect(source.image.config.env).toEqual(['PATH', 'API_TOKEN', 'EMPTY']);
    const text = JSON.stringify(source);
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
    expect(text).toContain('ENV DB_PASSWORD <redacted>');
    expect(text).toContain('SESSION_KEY=<redacted>');
  });

  it('is idempotent and does not mutate its input', () => {
    const original = sampleImageSbom().source;
    const before = JSON.stringify(original);
    const once = redactSource(original);
    expect(redactSource(once)).toEqual(once);
    expect(JSON.stringify(original)).toBe(before);
  });

  it('returns folder sources unchanged', () => {
    const source = sampleDirectorySbom().source;
    expect(redactSource(source)).toEqual(source);
  });
});

describe('manifest annotations', () => {
  it('are masked like labels: a secret-named key loses its value, base-image names stay', () => {
    const sbom = sampleImageSbom();
    if (sbom.source.kind !== 'image') throw new Error('expected an image source');
    const secret = 'hunter2-in-an-annotation-9f9f';
    const source = redactSource({
      ...sbom.source,
      image: {
        ...sbom.source.image,
        annotations: {
          'org.opencontainers.image.base.name': 'docker.io/library/debian:12',
          'com.example.api-token': secret,
        },
      },
    });
    if (source.kind !== 'image') throw new Error('expected an image source');
    expect(source.image.annotations?.['org.opencontainers.image.base.name']).toBe(
      'docker.io/library/debian:12',
    );
    expect(source.image.annotations?.['com.example.api-token']).toBeDefined();
    expect(JSON.stringify(source)).not.toContain(secret);
  });
});
