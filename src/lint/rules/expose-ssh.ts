import { splitWords, unquote } from '../dockerfile/words.js';
import type { LintRule } from '../types.js';

export const exposeSsh: LintRule = {
  id: 'expose-ssh',
  version: 1,
  title: 'SSH port 22 exposed',
  category: 'hygiene',
  severity: 'medium',
  rationale:
    'Running an SSH daemon in a container adds a long-lived credential and a remote login service; containers are debugged with `docker exec`/`kubectl exec`, not SSH.',
  fix: 'Remove `EXPOSE 22` and the SSH server; use `docker exec` / `kubectl exec` or an ephemeral debug container.',
  equivalents: { checkov: ['CKV_DOCKER_1'], trivy: ['DS004'] },
  check(ctx) {
    const escape = ctx.file.directives.escape;
    for (const inst of ctx.file.instructions) {
      if (inst.keyword !== 'EXPOSE') continue;
      for (const w of splitWords(inst.expanded, escape).words) {
        const port = unquote(w.raw, escape);
        const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(port);
        if (!m) continue;
        const lo = Number(m[1]);
        const hi = m[2] !== undefined ? Number(m[2]) : lo;
        if (lo <= 22 && 22 <= hi && (m[3] ?? 'tcp').toLowerCase() === 'tcp') {
          ctx.report({ instruction: inst, message: `EXPOSE ${port} publishes the SSH port` });
        }
      }
    }
  },
};
