import { describe, expect, it } from 'vitest';
import { checkApproval, parseCatalogue } from '../../policy/approved/catalogue.js';
import { catalogueAlternatives } from './recommendations.js';

describe('recommendations and the approved catalogue', () => {
  const catalogue = parseCatalogue({
    approved: [
      { repository: 'registry.example/hardened/debian', tags: ['12-slim', '12-*'] },
      { repository: 'ghcr.io/acme/*', tags: ['1'] },
      { repository: 'debian', tags: ['12-slim', 'bookworm-slim'] },
      { repository: 'alpine', versions: '>=3.19' },
    ],
  })!;

  it('offers the concrete images of the catalogue as alternatives, in order, capped', () => {
    expect(catalogueAlternatives(catalogue, 10)).toEqual([
      'registry.example/hardened/debian:12-slim',
      'docker.io/library/debian:12-slim',
      'docker.io/library/debian:bookworm-slim',
    ]);
    expect(catalogueAlternatives(catalogue, 2)).toHaveLength(2);
  });

  it('marks candidates approved by the same rule as `bulwark policy`', () => {
    expect(checkApproval(catalogue, 'debian:12-slim').approved).toBe(true);
    expect(checkApproval(catalogue, 'debian:12').approved).toBe(false);
    expect(checkApproval(catalogue, 'ghcr.io/acme/base:1').approved).toBe(true);
  });
});
