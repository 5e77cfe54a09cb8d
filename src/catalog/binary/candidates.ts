/**
 * Which paths might be compiled executables (Go, Rust) worth buffering. `match(path)` sees only the
 * path, not the mode, so we use the folders executables are conventionally installed in and skip
 * names with extensions of non-executable files. Content is then rejected cheaply by magic bytes.
 *
 * Executables elsewhere (e.g. `/srv/tool`) are missed by design: buffering every file of an image to
 * look for ELF magic would cost far more than it finds.
 */

/** Folders whose direct children are executables. */
const BIN_DIRS =
  /^(?:\/usr(?:\/local)?)?\/s?bin\/[^/]+$|^\/(?:root\/)?go\/bin\/[^/]+$|^\/home\/[^/]+\/(?:go\/)?bin\/[^/]+$|^\/root\/(?:\.local\/|\.cargo\/)?bin\/[^/]+$|^\/home\/[^/]+\/(?:\.local|\.cargo)\/bin\/[^/]+$/;
/** Trees where application images put their binaries at any depth. */
const APP_TREES = /^\/(?:opt|app|ko-app|srv\/app|usr\/libexec|usr\/local\/libexec|workspace|bin\/app)\//;
/**
 * Extensions that are certainly not executables (scripts, docs, data, libraries we do not scan).
 * `.exe` is allowed: Windows images and cross-compiled tools.
 */
const NOT_BINARY =
  /\.(?:sh|bash|py|pyc|rb|pl|pm|js|mjs|cjs|ts|json|ya?ml|toml|xml|html?|css|md|txt|rst|conf|cfg|ini|properties|jar|war|class|so(?:\.[\d.]+)?|a|o|h|c|go|rs|mod|sum|lock|log|gz|xz|zst|bz2|zip|tar|tgz|png|jpe?g|gif|svg|ico|pem|crt|key|pub|1|gz|map|d\.ts|env|service|desktop|mo|po)$/i;

/** True for paths that may hold a Go or Rust executable. */
export function isExecutableCandidate(path: string): boolean {
  if (NOT_BINARY.test(path)) return false;
  if (BIN_DIRS.test(path)) return true;
  if (APP_TREES.test(path)) {
    // Inside app trees only extension-less names (or .exe), and not in folders of data and libraries:
    // a JDK under /opt holds a 100 MiB+ extension-less `lib/modules` file we must not buffer.
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base.includes('.') && !base.toLowerCase().endsWith('.exe')) return false;
    return !/\/(?:node_modules|site-packages|dist-packages|vendor|\.git|share|include|man|lib|lib64|legal|conf|etc|jmods|data|static|assets|templates|docs?)\//.test(
      path,
    );
  }
  return false;
}
