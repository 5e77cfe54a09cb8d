/** JSON Web Tokens: structure-checked by decoding the header and payload. */
import { jwtStructureOk } from '../validators.js';
import { family } from './define.js';

export const JWT_RULES = family('jwt', [
  {
    id: 'jwt',
    title: 'JSON Web Token',
    severity: 'medium',
    keywords: ['eyj'],
    regex:
      /(?<![A-Za-z0-9_.-])(?<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})(?![A-Za-z0-9_-])/,
    validate: jwtStructureOk,
    // The jwt.io sample token appears in countless tutorials.
    allowlist: [/\.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c$/],
    // Prefixed tokens that embed a JWT (Mapbox, Sentry, 1Password) are reported by their own rule.
    generic: true,
    examples: ['Authorization: Bearer {jwt}'],
    placeholder: 'token: eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4eHh4In0.xxxxxxxxxxxxxxxx',
  },
  {
    id: 'jwt-secret',
    title: 'JWT signing secret',
    severity: 'high',
    keywords: ['jwt_secret', 'jwtsecret', 'jwt_signing_key', 'jwt-secret'],
    regex:
      /(?:[jJ][wW][tT][_-]?(?:[sS][eE][cC][rR][eE][tT]|[sS][iI][gG][nN][iI][nN][gG][_-]?[kK][eE][yY]))[\w.-]{0,20}?["']?\s{0,3}(?:=|:=|:|=>)\s{0,3}(["'\x60]?)(?<secret>[^\s'"\x60;,]{16,200})\1(?=[\s'"\x60;,]|$)/,
    minEntropy: 3.5,
    examples: ['JWT_SECRET={A:48}'],
  },
]);
