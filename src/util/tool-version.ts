import { readFileSync } from 'node:fs';

/** Bulwark's own version, read once from package.json (works from src/ under vitest and from dist/). */
export const BULWARK_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
