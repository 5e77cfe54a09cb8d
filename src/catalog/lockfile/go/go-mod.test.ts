import { describe, expect, it } from 'vitest';
import { find, flags, names, runCataloger } from '../test-support/run.js';
import { goModCataloger, parseGoMod } from './go-mod.js';

const goMod = `// The service.
module example.com/svc

go 1.21

toolchain go1.21.5

require (
	github.com/gin-gonic/gin v1.9.1
	github.com/old/lib v1.0.0
	github.com/some/local v0.3.0
	golang.org/x/sys v0.15.0 // indirect
	"github.com/quoted/mod" v2.0.0+incompatible // indirect; pinned for CVE
	github.com/bad/version v1.2.0
)

require gopkg.in/yaml.v3 v3.0.1 // indirect

replace github.com/old/lib => github.com/fork/lib v1.0.1

replace (
	github.com/some/local v0.3.0 => ../local
	github.com/gin-gonic/gin v1.9.0 => github.com/never/used v9.9.9
)

exclude github.com/bad/version v1.2.0

retract v0.9.0 // published by mistake
`;

const goSum = `github.com/gin-gonic/gin v1.9.1 h1:4idEAncQnU5cB7BeOkPtxjfCSye0AAm1R0RVIqJ+Jmg=
github.com/gin-gonic/gin v1.9.1/go.mod h1:hPrL7YrpYKXt5YId3A/Tnip5kqbEAP+KLuI3SUcPTeU=
github.com/fork/lib v1.0.1 h1:fork=
`;

describe('go.mod', () => {
  it('records requires with directness, replacements, hashes and the stdlib', async () => {
    const r = await runCataloger(goModCataloger, { '/src/svc/go.mod': goMod, '/src/svc/go.sum': goSum });
    expect(flags(r)).toEqual([
      'github.com/fork/lib@v1.0.1 direct=true scope=undefined',
      'github.com/gin-gonic/gin@v1.9.1 direct=true scope=undefined',
      'github.com/quoted/mod@v2.0.0+incompatible direct=false scope=undefined',
      'github.com/some/local@(devel) direct=true scope=undefined',
      'golang.org/x/sys@v0.15.0 direct=false scope=undefined',
      'gopkg.in/yaml.v3@v3.0.1 direct=false scope=undefined',
      'stdlib@go1.21.5 direct=undefined scope=undefined',
    ]);
    expect(find(r, 'github.com/gin-gonic/gin')).toMatchObject({
      type: 'golang',
      purl: 'pkg:golang/github.com/gin-gonic/gin@v1.9.1',
      metadata: { h1: 'h1:4idEAncQnU5cB7BeOkPtxjfCSye0AAm1R0RVIqJ+Jmg=', module: 'example.com/svc' },
    });
    expect(find(r, 'github.com/fork/lib').metadata).toMatchObject({
      h1: 'h1:fork=',
      replaces: { path: 'github.com/old/lib', version: 'v1.0.0' },
    });
    expect(find(r, 'github.com/some/local').metadata).toMatchObject({ localPath: '../local' });
    expect(find(r, 'stdlib')).toMatchObject({
      purl: 'pkg:golang/stdlib@go1.21.5',
      metadata: { from: 'toolchain' },
    });
    expect(r.relationships).toEqual([]);
    expect(r.unknowns.map((u) => u.reason)).toEqual([
      'go.mod:14: github.com/bad/version@v1.2.0 is excluded; Go selects another version',
    ]);
  });

  it('uses the go line for the stdlib when there is no toolchain line', async () => {
    const r = await runCataloger(goModCataloger, { '/m/go.mod': 'module m\n\ngo 1.22.3\n' });
    expect(names(r)).toEqual(['stdlib@go1.22.3']);
    expect(find(r, 'stdlib').metadata).toMatchObject({ from: 'go' });
  });

  it.each([
    ['module m\nrequire (\n  a v1\n', /go.mod:2: "require \(" block is not closed/],
    ['module "m\n', /go.mod:1: unterminated string/],
    ['module m\n)\n', /go.mod:2: unexpected "\)"/],
  ])('rejects %j', async (text, reason) => {
    const r = await runCataloger(goModCataloger, { '/bad/go.mod': text });
    expect(r.packages).toEqual([]);
    expect(r.unknowns[0]!.reason).toMatch(reason);
  });

  it('reports a require without a version and a malformed replace', async () => {
    const r = await runCataloger(goModCataloger, {
      '/x/go.mod': 'module x\nrequire a.example/b\nrequire c.example/d v1.0.0\nreplace c.example/d =>\n',
    });
    expect(names(r)).toEqual(['c.example/d@v1.0.0']);
    expect(r.unknowns.map((u) => u.reason)).toEqual([
      'go.mod:2: require without a version',
      'go.mod:4: malformed replace',
    ]);
  });

  it('keeps comments out of tokens', () => {
    expect(parseGoMod('require a/b v1.0.0 // indirect\n')).toEqual([
      { verb: 'require', args: ['a/b', 'v1.0.0'], comment: 'indirect', line: 1 },
    ]);
  });
});
