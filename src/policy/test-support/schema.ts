/** The JSON schemas of `bulwark policy -f json` and `bulwark catalog verify -f json`, compiled once for tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../test-support/images.js';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const load = (name: string): object =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', name), 'utf8')) as object;
const policy = ajv.compile(load('bulwark-policy-v1.schema.json'));
const verify = ajv.compile(load('bulwark-catalog-verify-v1.schema.json'));

/** Assert `doc` is a valid bulwark-policy/v1 document. */
export function expectPolicyDocument(doc: unknown): void {
  policy(doc);
  expect(policy.errors ?? []).toEqual([]);
}

/** Assert `doc` is a valid bulwark-catalog-verify/v1 document. */
export function expectVerifyDocument(doc: unknown): void {
  verify(doc);
  expect(verify.errors ?? []).toEqual([]);
}
