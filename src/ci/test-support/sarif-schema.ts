/**
 * The official SARIF 2.1.0 schema (as shipped by the @microsoft/jest-sarif devDependency) compiled
 * with ajv, as src/report/scan/sarif.test.ts does: draft-04 `id` respelled `$id`, patterns without `u`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);

export function sarifValidator(): ((doc: unknown) => boolean) & { errors?: unknown } {
  const raw = JSON.parse(
    readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
  ) as Record<string, unknown>;
  const { $schema: _draft, id, ...rest } = raw;
  const ajv = new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile({ $id: String(id), ...rest });
}
