import { at, commandsOf, instructionsOf, operands, program } from './helpers.js';
import type { LintRule } from '../types.js';

/** Octal mode that lets everyone write, without the sticky bit (`1777` /tmp-style dirs are fine). */
export function isWorldWritableMode(mode: string): boolean {
  if (/^[0-7]{3,4}$/.test(mode)) {
    const value = parseInt(mode, 8);
    return (value & 0o002) !== 0 && (value & 0o1000) === 0;
  }
  // symbolic clauses: `o+w`, `a=rwx`, `+w` (no who = all), `u+x,o+w`
  return mode.split(',').some((clause) => {
    const m = /^([ugoa]*)([+=])([rwxXst]*)$/.exec(clause);
    return !!m && m[3]!.includes('w') && (m[1] === '' || m[1]!.includes('a') || m[1]!.includes('o'));
  });
}

export const chmodWorldWritable: LintRule = {
  id: 'chmod-world-writable',
  version: 1,
  title: 'World-writable permissions (chmod 777)',
  category: 'hygiene',
  severity: 'medium',
  rationale:
    'A world-writable file or directory can be modified by any user in the container: an attacker who gets a foothold as any uid can replace binaries or configuration.',
  fix: 'Give ownership to the user that needs to write (`chown app:app /data` or `COPY --chown=app`) and use 755/644 (or 750/640).',
  check(ctx) {
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      for (const c of commandsOf(inst)) {
        if (program(c.words) !== 'chmod') continue;
        const mode = operands(c.words)[0]?.value;
        if (mode !== undefined && isWorldWritableMode(mode)) {
          ctx.report({
            instruction: inst,
            range: at(c.position, 5),
            message: `chmod ${mode} makes files world-writable`,
          });
        }
      }
    }
    for (const inst of ctx.file.instructions) {
      if (inst.keyword !== 'COPY' && inst.keyword !== 'ADD') continue;
      const flag = inst.flags.find((f) => f.name === 'chmod');
      if (flag?.value !== undefined && isWorldWritableMode(flag.value)) {
        ctx.report({
          instruction: inst,
          range: flag.range,
          message: `${inst.keyword} --chmod=${flag.value} makes files world-writable`,
        });
      }
    }
  },
};
