import { at, commandsOf, instructionsOf, program } from './helpers.js';
import type { LintRule } from '../types.js';

/** TLS verification switched off: `curl -k`/`--insecure`, `wget --no-check-certificate`, pip `--trusted-host`. */
export const insecureDownload: LintRule = {
  id: 'insecure-download',
  version: 1,
  title: 'Download with TLS certificate verification disabled',
  category: 'supply-chain',
  severity: 'high',
  rationale:
    'Without certificate verification anyone on the network path can replace the download; the image then contains attacker-controlled files.',
  fix: 'Remove `-k`/`--insecure`/`--no-check-certificate`; if the server uses a private CA, install that CA certificate (`COPY ca.crt /usr/local/share/ca-certificates/` + `update-ca-certificates`).',
  equivalents: { checkov: ['CKV2_DOCKER_2', 'CKV2_DOCKER_3'] },
  check(ctx) {
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      for (const c of commandsOf(inst)) {
        const prog = program(c.words);
        for (const w of c.words.slice(1)) {
          const v = w.value;
          const bad =
            (prog === 'curl' && (v === '--insecure' || (/^-[A-Za-z]+$/.test(v) && v.includes('k')))) ||
            (prog === 'wget' && v === '--no-check-certificate') ||
            ((prog === 'pip' || prog === 'pip3') &&
              (v === '--trusted-host' || v.startsWith('--trusted-host=')));
          if (bad) {
            ctx.report({
              instruction: inst,
              range: at(c.positionOf(w.start), v.length),
              message: `${prog} ${v} disables TLS certificate verification`,
            });
            break;
          }
        }
      }
    }
  },
};
