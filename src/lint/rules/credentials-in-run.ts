import { at, commandsOf, instructionsOf, program } from './helpers.js';
import type { LintRule } from '../types.js';

const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/([^\s/:@]+):([^\s/@]+)@/i;
const PASSWORD_FLAGS = new Set([
  '--password',
  '--passwd',
  '--pass',
  '--token',
  '--api-key',
  '--apikey',
  '--secret',
  '--client-secret',
]);
const isReference = (v: string): boolean => /^\$/.test(v) || v === '' || v === '-';

/** Literal credentials in RUN: `curl -u user:pass`, `--password=…`, `https://user:pass@host`. */
export const credentialsInRun: LintRule = {
  id: 'credentials-in-run',
  version: 1,
  title: 'Credentials written into a RUN command',
  category: 'secrets',
  severity: 'high',
  rationale:
    'The full RUN command line is recorded in the image history and in build logs; a password or token written there is readable by anyone with the image.',
  fix: 'Pass the credential as a build secret: `RUN --mount=type=secret,id=token TOKEN=$(cat /run/secrets/token) …` and build with `--secret id=token,env=TOKEN`.',
  equivalents: { trivy: ['DS031'] },
  check(ctx) {
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      for (const c of commandsOf(inst)) {
        const words = c.words;
        for (let k = 0; k < words.length; k++) {
          const w = words[k]!.value;
          const url = URL_CREDENTIALS.exec(w);
          if (url && !isReference(url[2]!)) {
            ctx.report({
              instruction: inst,
              range: at(c.positionOf(words[k]!.start), w.length),
              message: `URL with an inline password for user "${url[1]}" in RUN`,
            });
            continue;
          }
          const eq = w.indexOf('=');
          const flag = (eq < 0 ? w : w.slice(0, eq)).toLowerCase();
          const prog = program(words);
          let value: string | undefined;
          if (PASSWORD_FLAGS.has(flag)) value = eq < 0 ? words[k + 1]?.value : w.slice(eq + 1);
          else if (
            (prog === 'curl' && (w === '-u' || w === '--user')) ||
            (prog === 'wget' && w === '--http-password')
          ) {
            const v = words[k + 1]?.value ?? '';
            value = prog === 'curl' ? (v.includes(':') ? v.slice(v.indexOf(':') + 1) : undefined) : v;
          } else if (prog === 'curl' && w.startsWith('--user=')) {
            const v = w.slice(7);
            value = v.includes(':') ? v.slice(v.indexOf(':') + 1) : undefined;
          }
          if (value !== undefined && !isReference(value)) {
            ctx.report({
              instruction: inst,
              range: at(c.positionOf(words[k]!.start), w.length),
              message: `${prog || 'command'} is given a literal password/token (${flag}) in RUN`,
            });
          }
        }
      }
    }
  },
};
