import { copySources } from './copy-sensitive-file.js';
import type { LintRule } from '../types.js';

export const addRemoteWithoutChecksum: LintRule = {
  id: 'add-remote-without-checksum',
  version: 1,
  title: 'ADD of a remote URL without --checksum',
  category: 'supply-chain',
  severity: 'medium',
  rationale:
    'ADD downloads the URL at build time and trusts whatever the server returns; without a checksum a compromised or changed file goes straight into the image.',
  fix: 'Add `--checksum=sha256:<hex>` to the ADD (BuildKit), or download with curl and verify with `sha256sum -c` in the same RUN.',
  equivalents: { checkov: ['CKV_DOCKER_4'], trivy: ['DS005'] },
  check(ctx) {
    for (const inst of ctx.file.instructions) {
      const target = inst.trigger ?? inst;
      if (target.keyword !== 'ADD' || target.flags.some((f) => f.name === 'checksum')) continue;
      for (const src of copySources(target, ctx.file.directives.escape)) {
        if (/^(?:https?|ftp):\/\//i.test(src.value) || /^git@/.test(src.value)) {
          ctx.report({ instruction: inst, message: `ADD ${src.value} downloads without --checksum` });
        }
      }
    }
  },
};
