import { describe, expect, it } from 'vitest';
import { substitute } from './expand.js';
import { findHeredocMarkers, parseDockerfile } from './parser.js';
import { tokenizeShell } from './shell.js';

const df = (lines: string[]): string => `${lines.join('\n')}\n`;

describe('directives', () => {
  it('reads syntax and escape at the top and uses the escape character for continuations', () => {
    const file = parseDockerfile(
      df(['# syntax=docker/dockerfile:1.7', '# escape=`', 'FROM windows', 'RUN dir `', '  C:\\app']),
    );
    expect(file.directives).toEqual({ syntax: 'docker/dockerfile:1.7', escape: '`' });
    const run = file.instructions[1]!;
    expect(run.keyword).toBe('RUN');
    expect(run.args).toBe('dir   C:\\app');
    expect(run.range.start).toEqual({ line: 4, column: 1 });
    expect(run.range.end.line).toBe(5);
  });

  it('stops looking for directives after a blank line, comment or instruction', () => {
    const file = parseDockerfile(df(['# a comment', '# escape=`', 'FROM alpine', 'RUN echo a \\', '  b']));
    expect(file.directives.escape).toBe('\\');
    expect(file.instructions[1]!.args).toBe('echo a   b');
  });

  it('rejects an invalid escape value with a diagnostic', () => {
    const file = parseDockerfile(df(['# escape=x', 'FROM alpine']));
    expect(file.diagnostics.map((d) => d.code)).toContain('invalid-directive');
    expect(file.directives.escape).toBe('\\');
  });
});

describe('continuations', () => {
  it('joins lines, skips comments and blank lines inside, and maps offsets back to lines', () => {
    const file = parseDockerfile(
      df([
        'FROM debian:12',
        'RUN apt-get update && \\',
        '    # a comment inside',
        '',
        '    apt-get install -y curl',
      ]),
    );
    const run = file.instructions[1]!;
    expect(run.args).toBe('apt-get update &&     apt-get install -y curl');
    expect(run.range).toEqual({ start: { line: 2, column: 1 }, end: { line: 5, column: 28 } });
    const off = run.text.indexOf('install');
    expect(run.positionAt(off)).toEqual({ line: 5, column: 13 });
    // the comment inside the continuation is not a file comment (so it cannot act as a suppression)
    expect(file.comments.map((c) => c.line)).toEqual([]);
  });

  it('keeps instruction columns for indented instructions', () => {
    const file = parseDockerfile(df(['FROM alpine', '   USER app']));
    expect(file.instructions[1]!.range.start).toEqual({ line: 2, column: 4 });
  });
});

describe('heredocs', () => {
  it('RUN <<EOF keeps the body and the range up to the terminator', () => {
    const file = parseDockerfile(
      df(['FROM alpine', 'RUN <<EOF', 'apk add curl', 'echo done', 'EOF', 'USER app']),
    );
    const run = file.instructions[1]!;
    expect(run.heredocs).toHaveLength(1);
    expect(run.heredocs[0]).toMatchObject({
      name: 'EOF',
      quoted: false,
      stripTabs: false,
      content: 'apk add curl\necho done\n',
      bodyStartLine: 3,
      terminated: true,
    });
    expect(run.range.end.line).toBe(5);
    expect(file.instructions[2]!.keyword).toBe('USER');
    expect(file.instructions[2]!.range.start.line).toBe(6);
  });

  it('<<-EOF strips leading tabs; quoted delimiters are recorded', () => {
    const file = parseDockerfile(df(['FROM alpine', 'RUN <<-"END" sh', '\techo $HOME', '\tEND', 'USER app']));
    expect(file.instructions[1]!.heredocs[0]).toMatchObject({
      name: 'END',
      quoted: true,
      stripTabs: true,
      content: 'echo $HOME\n',
    });
    expect(file.instructions[2]!.keyword).toBe('USER');
  });

  it('several heredocs on one line are read in order', () => {
    const file = parseDockerfile(
      df(['FROM alpine', "RUN <<A cat > /a && <<'B' cat > /b", 'one', 'A', 'two', 'B', 'USER app']),
    );
    const run = file.instructions[1]!;
    expect(run.heredocs.map((h) => [h.name, h.content, h.bodyStartLine])).toEqual([
      ['A', 'one\n', 3],
      ['B', 'two\n', 5],
    ]);
    expect(file.instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN', 'USER']);
  });

  it('COPY <<EOF /path creates an inline file whose content is not parsed as instructions', () => {
    const file = parseDockerfile(
      df(['FROM alpine', 'COPY <<EOF /etc/app.conf', 'USER root', 'FROM scratch', 'EOF', 'USER app']),
    );
    expect(file.instructions.map((i) => i.keyword)).toEqual(['FROM', 'COPY', 'USER']);
    expect(file.instructions[1]!.heredocs[0]!.content).toBe('USER root\nFROM scratch\n');
    expect(file.stages).toHaveLength(1);
  });

  it('an unterminated heredoc swallows the rest of the file and is reported', () => {
    const file = parseDockerfile(df(['FROM alpine', 'RUN <<EOF', 'echo hi', 'USER app']));
    expect(file.instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN']);
    expect(file.instructions[1]!.heredocs[0]!.terminated).toBe(false);
    expect(file.diagnostics.map((d) => d.code)).toEqual(['unterminated-heredoc']);
  });

  it('exec form, here-strings and shifts are not heredocs', () => {
    expect(findHeredocMarkers('cat <<<"$x"')).toEqual([]);
    expect(findHeredocMarkers('echo $((1<<2))')).toEqual([]);
    expect(findHeredocMarkers('echo "<<EOF"')).toEqual([]);
    expect(findHeredocMarkers('python3 2<<EOF')).toEqual([{ name: 'EOF', stripTabs: false, quoted: false }]);
    const file = parseDockerfile(df(['FROM alpine', 'RUN ["sh", "-c", "cat <<EOF"]', 'USER app']));
    expect(file.instructions[1]!.heredocs).toEqual([]);
    expect(file.instructions[2]!.keyword).toBe('USER');
  });
});

describe('forms and flags', () => {
  it('distinguishes exec and shell form (invalid JSON falls back to shell form)', () => {
    const file = parseDockerfile(
      df([
        'FROM alpine',
        'CMD ["node", "server.js"]',
        "CMD ['node']",
        'ENTRYPOINT /bin/start',
        'HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost/"]',
      ]),
    );
    const [, cmd, bad, ep, hc] = file.instructions;
    expect(cmd!.form).toBe('exec');
    expect(cmd!.json).toEqual(['node', 'server.js']);
    expect(bad!.form).toBe('shell');
    expect(ep!.form).toBe('shell');
    expect(hc!.json).toEqual(['curl', '-f', 'http://localhost/']);
    expect(hc!.flags).toEqual([expect.objectContaining({ name: 'interval', value: '5s' })]);
  });

  it('parses --from, --chown, --chmod, --link, --checksum, --platform and --mount with ranges', () => {
    const file = parseDockerfile(
      df([
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=npm go build',
        'FROM alpine:3.20',
        'COPY --from=build --chown=app:app --chmod=755 --link /out/app /usr/local/bin/app',
        'ADD --checksum=sha256:abc https://example.com/x.tgz /x.tgz',
      ]),
    );
    const [from, run, , copy, add] = file.instructions;
    expect(from!.flags).toEqual([
      {
        name: 'platform',
        value: '$BUILDPLATFORM',
        range: { start: { line: 1, column: 6 }, end: { line: 1, column: 31 } },
      },
    ]);
    expect(run!.flags.map((f) => [f.name, f.value])).toEqual([
      ['mount', 'type=cache,target=/root/.cache'],
      ['mount', 'type=secret,id=npm'],
    ]);
    expect(run!.args).toBe('go build');
    expect(copy!.flags.map((f) => [f.name, f.value])).toEqual([
      ['from', 'build'],
      ['chown', 'app:app'],
      ['chmod', '755'],
      ['link', undefined],
    ]);
    expect(copy!.args).toBe('/out/app /usr/local/bin/app');
    expect(add!.flags[0]).toMatchObject({ name: 'checksum', value: 'sha256:abc' });
    expect(file.stages[0]!.platform).toBe('$BUILDPLATFORM');
  });
});

describe('ENV, ARG, LABEL and expansion', () => {
  it('parses key=value pairs, quotes and the legacy ENV form', () => {
    const file = parseDockerfile(
      df([
        'FROM alpine',
        'ENV A=1 B="two words" C=\'$A\'',
        'ENV LEGACY value with spaces',
        'LABEL "com.example.x"="y z"',
        'ARG V=3 W',
      ]),
    );
    const [, env, legacy, label, arg] = file.instructions;
    expect(env!.pairs.map((p) => [p.key, p.value])).toEqual([
      ['A', '1'],
      ['B', 'two words'],
      ['C', '$A'],
    ]);
    expect(env!.pairs[1]!.range.start).toEqual({ line: 2, column: 9 });
    expect(legacy!.pairs.map((p) => [p.key, p.value])).toEqual([['LEGACY', 'value with spaces']]);
    expect(label!.pairs.map((p) => [p.key, p.value])).toEqual([['com.example.x', 'y z']]);
    expect(arg!.pairs.map((p) => [p.key, p.value, p.rawValue])).toEqual([
      ['V', '3', '3'],
      ['W', undefined, undefined],
    ]);
  });

  it('expands $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alt}; unknown variables stay as written', () => {
    const vars = new Map<string, string | undefined>([
      ['A', 'x'],
      ['EMPTY', ''],
      ['DECLARED', undefined],
    ]);
    const lookup = (n: string) => (vars.has(n) ? { value: vars.get(n) } : undefined);
    expect(substitute('$A ${A} ${A:-d} ${EMPTY:-d} ${NOPE:-d} ${A:+alt} ${EMPTY:+alt}', lookup, '\\')).toBe(
      'x x x d d alt ',
    );
    expect(substitute('$NOPE ${DECLARED} ${A%%.*}', lookup, '\\')).toBe('$NOPE ${DECLARED} ${A%%.*}');
    expect(substitute('\'$A\' "$A" \\$A', lookup, '\\')).toBe('\'$A\' "x" \\$A');
    expect(substitute('${NOPE:-${A}-y}', lookup, '\\')).toBe('x-y');
    expect(substitute('${A', lookup, '\\')).toBe('${A');
  });

  it('scopes ARG and ENV per build stage', () => {
    const file = parseDockerfile(
      df([
        'ARG BASE=node',
        'ARG TAG=20',
        'FROM ${BASE}:${TAG:-18} AS build',
        'ENV APP=/srv',
        'ARG TAG',
        'WORKDIR $APP/$TAG',
        'FROM build AS test',
        'WORKDIR $APP',
        'FROM alpine:${TAG}',
        'WORKDIR ${APP:-/none}',
      ]),
    );
    expect(file.stages.map((s) => [s.index, s.name, s.image, s.baseStage])).toEqual([
      [0, 'build', 'node:20', undefined],
      [1, 'test', 'build', 0],
      [2, undefined, 'alpine:20', undefined],
    ]);
    const workdirs = file.instructions.filter((i) => i.keyword === 'WORKDIR').map((i) => i.expanded);
    expect(workdirs).toEqual(['/srv/20', '/srv', '/none']);
    expect(file.stages[0]!.args.has('TAG')).toBe(true);
    expect(file.globalArgs.get('BASE')).toBe('node');
  });

  it('reports an unterminated quote in ENV', () => {
    const file = parseDockerfile(df(['FROM alpine', 'ENV A="unclosed']));
    expect(file.diagnostics.map((d) => d.code)).toEqual(['unterminated-quote']);
  });
});

describe('stages, ONBUILD and bad input', () => {
  it('assigns stage indexes and ONBUILD triggers', () => {
    const file = parseDockerfile(
      df([
        'FROM alpine AS base',
        'ONBUILD RUN <<EOF',
        'sudo make',
        'EOF',
        'ONBUILD COPY . /app',
        'FROM base',
      ]),
    );
    const onbuild = file.instructions[1]!;
    expect(onbuild.keyword).toBe('ONBUILD');
    expect(onbuild.trigger).toMatchObject({ keyword: 'RUN', args: '<<EOF', stage: 0 });
    expect(onbuild.trigger!.heredocs[0]!.content).toBe('sudo make\n');
    expect(file.instructions[2]!.trigger).toMatchObject({ keyword: 'COPY', args: '. /app' });
    expect(file.instructions[2]!.trigger!.positionAt(file.instructions[2]!.trigger!.argsOffset)).toEqual({
      line: 5,
      column: 14,
    });
    expect(file.stages[1]!.baseStage).toBe(0);
  });

  it('reports unknown instructions and instructions before FROM, and keeps going', () => {
    const file = parseDockerfile(df(['RUN echo before', 'FROM alpine', 'RUNN echo typo', 'USER app']));
    expect(file.diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([
      ['no-from', 1],
      ['unknown-instruction', 3],
    ]);
    expect(file.instructions.map((i) => i.keyword)).toEqual(['RUN', 'FROM', 'RUNN', 'USER']);
  });

  it('parses a 10 MB Dockerfile in linear time', () => {
    const block =
      'RUN apt-get update && \\\n    apt-get install -y curl # trailing\nENV A_$X=1 B="two words"\n';
    const text = `FROM alpine\n${block.repeat(Math.ceil(10_000_000 / block.length))}`;
    const t0 = performance.now();
    const file = parseDockerfile(text);
    const ms = performance.now() - t0;
    expect(file.instructions.length).toBeGreaterThan(200_000);
    expect(ms).toBeLessThan(15_000);
  });

  it('survives pathological inputs (unbalanced braces, endless continuations, CRLF)', () => {
    expect(() => parseDockerfile(`FROM a\nENV X=${'${'.repeat(100_000)}\n`)).not.toThrow();
    expect(parseDockerfile(`FROM a\r\nRUN a \\\r\n b\r\n`).instructions[1]!.args).toBe('a  b');
    expect(parseDockerfile('FROM a\nRUN x \\').instructions[1]!.args).toBe('x');
    expect(parseDockerfile('').instructions).toEqual([]);
  });
});

describe('shell tokenizer', () => {
  it('splits commands and pipelines and removes quotes', () => {
    const { commands } = tokenizeShell(
      'set -eux; curl -fsSL "https://x/y.sh" | sudo bash -s -- 2>/dev/null && FOO=1 cd /app || echo \'a|b\'',
    );
    expect(commands.map((c) => [c.words.map((w) => w.value).join(' '), c.pipeline, c.pipeIndex])).toEqual([
      ['set -eux', 0, 0],
      ['curl -fsSL https://x/y.sh', 1, 0],
      ['sudo bash -s --', 1, 1],
      ['cd /app', 2, 0],
      ['echo a|b', 3, 0],
    ]);
    expect(commands[3]!.assignments.map((a) => a.value)).toEqual(['FOO=1']);
  });

  it('flags an unterminated quote and skips comments', () => {
    expect(tokenizeShell('echo "oops').unterminatedAt).toBe(5);
    expect(tokenizeShell('echo a # | sh\necho b').commands.map((c) => c.words.length)).toEqual([2, 2]);
  });
});
