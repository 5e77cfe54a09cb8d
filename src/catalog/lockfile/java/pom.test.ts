import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { find, flags, names, runCataloger } from '../test-support/run.js';
import { pomCataloger } from './pom.js';
import { parseXml } from './xml.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const parentPom = readFileSync(join(testdata, 'multi', 'pom.xml'), 'utf8');
const appPom = readFileSync(join(testdata, 'multi', 'app', 'pom.xml'), 'utf8');

describe('XML reader', () => {
  it('reads elements, text, CDATA, entities and drops namespace prefixes', () => {
    const root = parseXml(
      '<?xml version="1.0"?><!-- c --><a:r xmlns:a="u"><b x="1>2">x &amp; y &#65;&#x42;</b><c><![CDATA[<raw>]]></c><d/></a:r>',
    );
    expect(root.name).toBe('r');
    expect(root.children.map((c) => [c.name, c.text])).toEqual([
      ['b', 'x & y AB'],
      ['c', '<raw>'],
      ['d', ''],
    ]);
  });

  it('never expands entities declared in a DTD', () => {
    const laughs = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ' <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
      ' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">',
      ']>',
      '<project>&lol2;</project>',
    ].join('\n');
    expect(() => parseXml(laughs, 'pom.xml')).toThrow(/pom.xml:7: entity &lol2; is not supported/);
    const external =
      '<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><project><v>&xxe;</v></project>';
    expect(() => parseXml(external)).toThrow(/entity &xxe; is not supported/);
    expect(parseXml('<!DOCTYPE project><project>ok</project>').text).toBe('ok');
  });

  it.each([
    ['<a><b></a>', /<\/a> does not close <b>/],
    ['<a>', /<a> is not closed/],
    ['<a></a><b></b>', /more than one root/],
    ['', /no root element/],
    ['<a>x & y</a>', /bare "&"/],
    ['<a><!-- open', /unterminated comment/],
    [`${'<a>'.repeat(300)}`, /nested more than 256 levels/],
  ])('rejects %j', (text, message) => {
    expect(() => parseXml(text)).toThrow(message);
  });
});

describe('pom.xml', () => {
  it('resolves properties, parent properties and dependencyManagement from the local parent', async () => {
    const r = await runCataloger(pomCataloger, {
      '/repo/pom.xml': parentPom,
      '/repo/app/pom.xml': appPom,
    });
    const app = { ...r, packages: r.packages.filter((p) => p.locations[0]!.path === '/repo/app/pom.xml') };
    expect(flags(app)).toEqual([
      'com.example:common@2.1.0 direct=true scope=prod',
      'com.fasterxml.jackson.core:jackson-databind@2.16.0 direct=true scope=prod',
      'com.google.guava:guava@32.1.3-jre direct=true scope=prod',
      'com.h2database:h2@2.2.224 direct=true scope=optional',
      'io.netty:netty-transport-native-epoll@4.1.100.Final direct=true scope=prod',
      'org.junit.jupiter:junit-jupiter@5.10.1 direct=true scope=dev',
      'org.slf4j:slf4j-api@2.0.9 direct=true scope=prod',
    ]);
    expect(find(r, 'com.fasterxml.jackson.core:jackson-databind')).toMatchObject({
      type: 'maven',
      purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.16.0',
      metadata: {
        groupId: 'com.fasterxml.jackson.core',
        artifactId: 'jackson-databind',
        mavenScope: 'compile',
        project: 'com.example:app:2.1.0',
      },
    });
    expect(find(r, 'org.slf4j:slf4j-api').metadata).toMatchObject({ versionFrom: 'dependencyManagement' });
    expect(find(r, 'org.junit.jupiter:junit-jupiter').metadata).toMatchObject({ mavenScope: 'test' });
    expect(find(r, 'io.netty:netty-transport-native-epoll').purl).toBe(
      'pkg:maven/io.netty/netty-transport-native-epoll@4.1.100.Final?classifier=linux-x86_64',
    );
    expect(r.unknowns.map((u) => [u.path, u.reason])).toEqual([
      [
        '/repo/app/pom.xml',
        'org.apache.commons:commons-lang3: unresolved property in "org.apache.commons:commons-lang3:${commons.version}"',
      ],
      ['/repo/app/pom.xml', 'org.example:ranged: version range "[1.0,2.0)" is not one version'],
      [
        '/repo/app/pom.xml',
        'org.springframework.boot:spring-boot-starter-web: no version (managed by an imported BOM or a parent not in the scan?)',
      ],
    ]);
  });

  it('without the parent in the scan, what it would have provided is reported', async () => {
    const r = await runCataloger(pomCataloger, { '/elsewhere/app/pom.xml': appPom });
    expect(names(r)).toEqual([
      'com.example:common@2.1.0',
      'com.fasterxml.jackson.core:jackson-databind@2.16.0',
      'com.google.guava:guava@32.1.3-jre',
      'com.h2database:h2@2.2.224',
      'io.netty:netty-transport-native-epoll@4.1.100.Final',
    ]);
    expect(r.unknowns.map((u) => u.reason.split(':').slice(0, 2).join(':'))).toEqual([
      'org.apache.commons:commons-lang3',
      'org.example:ranged',
      'org.junit.jupiter:junit-jupiter',
      'org.slf4j:slf4j-api',
      'org.springframework.boot:spring-boot-starter-web',
    ]);
  });

  it('ignores a parent at relativePath whose coordinates do not match', async () => {
    const r = await runCataloger(pomCataloger, {
      '/repo/pom.xml': parentPom.replace('<artifactId>parent</artifactId>', '<artifactId>other</artifactId>'),
      '/repo/app/pom.xml': appPom,
    });
    expect(r.packages.some((p) => p.name === 'org.slf4j:slf4j-api')).toBe(false);
  });

  it.each([
    ['<project><dependencies>', /is not closed/],
    ['<settings/>', /root element is <settings>/],
  ])('rejects %j', async (text, reason) => {
    const r = await runCataloger(pomCataloger, { '/x/pom.xml': text });
    expect(r.unknowns[0]!.reason).toMatch(reason);
  });

  it('does not read the pom of an exploded jar', () => {
    expect(pomCataloger.match('/app/WEB-INF/classes/META-INF/maven/g/a/pom.xml')).toBe(false);
    expect(pomCataloger.match('/src/pom.xml')).toBe(true);
  });
});
