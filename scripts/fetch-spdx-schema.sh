#!/usr/bin/env bash
# Re-obtain the official SPDX 2.3 JSON Schema used by the SPDX format tests and compare it with the
# committed copy (src/sbom/format/testdata/spdx-schema-v2.3.json). `--update` replaces the copy.
# Needs Maven (`mvn`) and `unzip`; reads only Maven Central.
set -euo pipefail

ARTIFACT='org.spdx:tools-java:1.1.8'
ENTRY='resources/spdx-schema-v2.3.json'
EXPECTED_SHA256='84ee72e4f0f12cbc119847b65be560726637bc22c6178838033275dbad5b8a22'

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$repo_root/src/sbom/format/testdata/spdx-schema-v2.3.json"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mvn -q -Dmaven.repo.local="$work/m2" dependency:get -Dartifact="$ARTIFACT" -Dtransitive=false
jar="$(find "$work/m2" -name 'tools-java-*.jar' | head -n 1)"
unzip -p "$jar" "$ENTRY" >"$work/schema.json"

actual="$(sha256sum "$work/schema.json" | cut -d' ' -f1)"
if [[ "$actual" != "$EXPECTED_SHA256" ]]; then
  echo "fetch-spdx-schema: $ENTRY in $ARTIFACT has sha256 $actual, expected $EXPECTED_SHA256" >&2
  exit 1
fi
if [[ "${1:-}" == "--update" ]]; then
  cp "$work/schema.json" "$target"
  echo "fetch-spdx-schema: updated $target"
elif cmp -s "$work/schema.json" "$target"; then
  echo "fetch-spdx-schema: committed copy matches $ARTIFACT"
else
  echo "fetch-spdx-schema: committed copy differs from $ARTIFACT (run with --update)" >&2
  exit 1
fi
