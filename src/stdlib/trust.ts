// The certificate authorities TLS connections trust — the HTTP client (`open url`) and e-mail
// (`connect to email server`) alike: Node's bundled list, the system's store, and the file
// NODE_EXTRA_CA_CERTS names. (bin/wfl keeps Node itself from loading NODE_EXTRA_CA_CERTS at every
// start-up, for speed, and the CLI puts it back in the environment: see src/cli/main.ts; so the
// list is made here, once, when the first TLS connection needs it.)
import type * as NodeTls from "node:tls";
import type * as NodeFs from "node:fs";
import { WflRuntimeError } from "../runtime/errors.js";

/** The system's bundle of trusted authorities (the first found), as Debian, Fedora and others keep it. */
const SYSTEM_BUNDLES = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem", "/etc/ssl/ca-bundle.pem"];
let trusted: string[] | null = null;

function builtin<T>(id: string): T {
  // Loaded when first needed: node:tls cannot be part of the start-up snapshot.
  return (process as unknown as { getBuiltinModule(id: string): T }).getBuiltinModule(id);
}

/**
 * Node's own list, the system's bundle, and the certificates in the file NODE_EXTRA_CA_CERTS
 * names. A missing or unreadable extra file is an error rather than silently trusting less.
 */
export function trustedAuthorities(): string[] {
  if (trusted) return trusted;
  const tls = builtin<typeof NodeTls>("node:tls");
  const fs = builtin<typeof NodeFs>("node:fs");
  const list = [...tls.rootCertificates];
  const getCa = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  let system = false;
  if (getCa) {
    try {
      list.push(...getCa("system"));
      system = true;
    } catch { /* not available: the bundle files below */ }
  }
  for (const f of system ? [] : SYSTEM_BUNDLES) {
    try {
      list.push(fs.readFileSync(f, "utf8"));
      break;
    } catch { /* try the next */ }
  }
  const extra = process.env.NODE_EXTRA_CA_CERTS ?? process.env.WFL_EXTRA_CA_CERTS;
  if (extra) {
    try {
      list.push(fs.readFileSync(extra, "utf8"));
    } catch (e) {
      throw new WflRuntimeError(`Cannot read the certificates NODE_EXTRA_CA_CERTS names (${extra}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`, "general");
    }
  }
  trusted = list;
  return list;
}
