/**
 * PEP 503 name normalisation, the one way every layer (catalogers, SBOM readers, the database, the
 * matcher) compares Python project names: lower case, runs of `-`, `_`, `.` become one `-`
 * (`Foo_Bar.baz` → `foo-bar-baz`). Lives at the bottom so none of them imports another for it.
 */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
