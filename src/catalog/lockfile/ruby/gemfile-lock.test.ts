import { describe, expect, it } from 'vitest';
import { edges, find, flags, runCataloger } from '../test-support/run.js';
import { gemfileLockCataloger, parseGemfileLock } from './gemfile-lock.js';

const lock = `GIT
  remote: https://github.com/rails/jbuilder.git
  revision: 7b5c3b2
  specs:
    jbuilder (2.11.5)
      actionview (>= 5.0.0)

PATH
  remote: .
  specs:
    myapp (0.1.0)
      rack (~> 3.0)

GEM
  remote: https://rubygems.org/
  specs:
    actionview (7.1.2)
      builder (~> 3.1)
    builder (3.2.4)
    nokogiri (1.15.5-x86_64-linux)
      racc (~> 1.4)
    nokogiri (1.15.5-aarch64-linux)
      racc (~> 1.4)
    racc (1.7.3)
    rack (3.0.8)
    rspec (3.12.0)

PLATFORMS
  aarch64-linux
  x86_64-linux

DEPENDENCIES
  jbuilder!
  myapp!
  nokogiri (~> 1.15)
  rspec

CHECKSUMS
  builder (3.2.4) sha256=99caf08af60c8d7f3a6b004029c4c3c0bdaebced6c949165fe98f1db27fbbc10

RUBY VERSION
   ruby 3.2.2p53

BUNDLED WITH
   2.5.3
`;

describe('Gemfile.lock', () => {
  it('reads GEM and GIT specs, platforms, direct dependencies and edges', async () => {
    const r = await runCataloger(gemfileLockCataloger, { '/app/Gemfile.lock': lock });
    expect(r.unknowns).toEqual([]);
    expect(flags(r)).toEqual([
      'actionview@7.1.2 direct=false scope=undefined',
      'builder@3.2.4 direct=false scope=undefined',
      'jbuilder@2.11.5 direct=true scope=undefined',
      'nokogiri@1.15.5 direct=true scope=undefined',
      'nokogiri@1.15.5 direct=true scope=undefined',
      'racc@1.7.3 direct=false scope=undefined',
      // From the project's own gemspec (PATH remote: .).
      'rack@3.0.8 direct=true scope=undefined',
      'rspec@3.12.0 direct=true scope=undefined',
    ]);
    expect(edges(r)).toEqual([
      'actionview@7.1.2 -> builder@3.2.4',
      'jbuilder@2.11.5 -> actionview@7.1.2',
      'nokogiri@1.15.5 -> racc@1.7.3',
      'nokogiri@1.15.5 -> racc@1.7.3',
    ]);
    expect(
      r.packages
        .filter((p) => p.name === 'nokogiri')
        .map((p) => p.purl)
        .sort(),
    ).toEqual([
      'pkg:gem/nokogiri@1.15.5?platform=aarch64-linux',
      'pkg:gem/nokogiri@1.15.5?platform=x86_64-linux',
    ]);
    expect(find(r, 'builder').metadata).toEqual({
      checksum: 'sha256=99caf08af60c8d7f3a6b004029c4c3c0bdaebced6c949165fe98f1db27fbbc10',
      remote: 'https://rubygems.org/',
      bundledWith: '2.5.3',
    });
    expect(find(r, 'jbuilder').metadata).toMatchObject({ source: 'git', revision: '7b5c3b2' });
  });

  it('parses the side sections', () => {
    const parsed = parseGemfileLock(lock);
    expect(parsed.platforms).toEqual(['aarch64-linux', 'x86_64-linux']);
    expect(parsed.ruby).toBe('ruby 3.2.2p53');
    expect(parsed.dependencies).toEqual(['jbuilder', 'myapp', 'nokogiri', 'rspec']);
  });

  it.each([
    ['  specs:\n', /indented line before any section/],
    ['GEM\n  specs:\n    rack\n', /spec rack has no version/],
    ['GEM\n  specs:\n    rack (1.0) junk\n', /cannot read/],
    ['', /no sections/],
  ])('rejects %j', async (text, reason) => {
    const r = await runCataloger(gemfileLockCataloger, { '/x/Gemfile.lock': text });
    expect(r.unknowns[0]!.reason).toMatch(reason);
  });
});
