/**
 * The "Policies" section of the HTML report (`bulwark policy -f html`): the health grade and each
 * policy's status with its violations and the exceptions that excused others. Every value escaped.
 */
import type { PolicyEvaluation, PolicyStatus } from '../policy-types.js';

const BADGE: Readonly<Record<PolicyStatus, string>> = {
  pass: 'sev-negligible',
  fail: 'sev-critical',
  unknown: 'sev-medium',
  disabled: 'sev-unknown',
};

function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Violations shown per policy in the page (the JSON output lists all). */
const MAX_SHOWN = 100;

export function policySection(ev: PolicyEvaluation): string {
  const c = ev.counts;
  const rows = ev.results
    .map((r) => {
      const items = r.violations
        .slice(0, MAX_SHOWN)
        .map((v) => {
          const where = [v.package, v.path, v.layer !== undefined ? `layer ${v.layer}` : '']
            .filter(Boolean)
            .join(', ');
          return `<li><code>${esc(v.id)}</code>${where ? ` <span class="muted">${esc(where)}</span>` : ''}: ${esc(v.message)}</li>`;
        })
        .join('');
      const more =
        r.violations.length > MAX_SHOWN
          ? `<li class="muted">… and ${r.violations.length - MAX_SHOWN} more</li>`
          : '';
      const excused = r.exceptions
        .slice(0, MAX_SHOWN)
        .map(
          (e) =>
            `<li class="muted"><code>${esc(e.id)}</code>${e.package ? ` (${esc(e.package)})` : ''} excused by ${esc(e.source)}: ${esc(e.reason)}</li>`,
        )
        .join('');
      const list = items || more || excused ? `<ul>${items}${more}${excused}</ul>` : '';
      return `<tr data-policy="${esc(r.id)}" data-status="${r.status}"><td><span class="badge ${BADGE[r.status]}">${r.status}</span></td><td><code>${esc(r.id)}</code></td><td>${esc(r.title)}<div class="muted">${esc(r.summary)}</div>${list}</td></tr>`;
    })
    .join('\n');
  return `<section class="card" aria-labelledby="policies-h" id="policies">
<h2 id="policies-h">Policies</h2>
<p>Health grade <strong id="health-grade">${ev.health.grade}</strong> (score ${ev.health.score}/100): ${c.fail} failed, ${c.pass} passed, ${c.unknown} unknown, ${c.disabled} disabled.</p>
<div class="table-wrap"><table id="policy-results"><caption class="skip">Policy results</caption>
<thead><tr><th scope="col">Status</th><th scope="col">Policy</th><th scope="col">What</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
</section>`;
}
