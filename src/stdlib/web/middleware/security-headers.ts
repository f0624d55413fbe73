// Security headers on every response — the program's, a streamed one and the runtime's own
// 4xx/5xx: `X-Content-Type-Options`, a Content-Security-Policy, `X-Frame-Options`, a
// `Referrer-Policy` and, on TLS connections only, `Strict-Transport-Security`. A header the
// program set itself is left as it is.
import type { Exchange, HeaderMap, Middleware } from "../exchange.js";
import { type Config, cfgBool, cfgInt, cfgText, defaultHeader, isOff, lowerName } from "./headers.js";

/** Framing as `X-Frame-Options` says it, and the CSP `frame-ancestors` that says the same. */
const FRAMING: Record<string, string> = { DENY: "'none'", SAMEORIGIN: "'self'" };

/**
 * Helmet's default policy, with framing from `web_server_frame_options`: scripts, fonts, images
 * and forms from this origin only, no plugins, no inline scripts; inline styles are allowed (many
 * small WFL pages carry a `<style>` block).
 */
export function defaultCsp(frameAncestors: string): string {
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "font-src 'self' https: data:",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self' https: 'unsafe-inline'",
  ].join("; ");
}

export interface SecurityHeaderSettings {
  csp: string | null;
  frameOptions: string | null;
  referrerPolicy: string | null;
  /** The whole `Strict-Transport-Security` value, or null when HSTS is off. */
  hsts: string | null;
}

export function securitySettings(config: Config): SecurityHeaderSettings {
  const frame = cfgText(config, "web_server_frame_options", "DENY").toUpperCase();
  const frameOptions = isOff(frame) ? null : frame in FRAMING ? frame : "DENY";
  const cspText = cfgText(config, "web_server_content_security_policy", "default");
  const csp = isOff(cspText) ? null : cspText.toLowerCase() === "default" ? defaultCsp(frameOptions ? FRAMING[frameOptions]! : "'self'") : cspText;
  const referrer = cfgText(config, "web_server_referrer_policy", "strict-origin-when-cross-origin");
  const maxAge = cfgInt(config, "web_server_hsts_max_age", 31_536_000);
  let hsts: string | null = null;
  if (cfgBool(config, "web_server_hsts", true) && maxAge > 0) {
    hsts = `max-age=${maxAge}`;
    if (cfgBool(config, "web_server_hsts_include_subdomains", true)) hsts += "; includeSubDomains";
    if (cfgBool(config, "web_server_hsts_preload", false)) hsts += "; preload";
  }
  return { csp, frameOptions, referrerPolicy: isOff(referrer) ? null : referrer, hsts };
}

export function securityHeaders(config: Config): Middleware {
  const s = securitySettings(config);
  // Made once per server: the headers sent on every response, by their lower-case names.
  const names: string[] = [];
  const values: string[] = [];
  const index = new Map<string, number>();
  const add = (name: string, value: string | null): void => {
    if (value === null) return;
    index.set(name.toLowerCase(), names.length);
    names.push(name);
    values.push(value);
  };
  add("X-Content-Type-Options", "nosniff");
  add("Content-Security-Policy", s.csp);
  add("X-Frame-Options", s.frameOptions);
  add("Referrer-Policy", s.referrerPolicy);
  const count = names.length;
  return {
    name: "security-headers",
    onHeaders(ex: Exchange | null, _status: number, headers: HeaderMap): void {
      // One pass over the response's headers marks the ones it has (under any spelling); the
      // others are added. A header the program set itself is left as it is.
      let present = 0;
      for (const k in headers) {
        const i = index.get(lowerName(k));
        if (i !== undefined) present |= 1 << i;
      }
      for (let i = 0; i < count; i++) if ((present & (1 << i)) === 0) headers[names[i]!] = values[i]!;
      // Browsers ignore HSTS over plain HTTP; sent there it would only mislead (and pin a
      // development host to HTTPS), so it goes out on TLS connections only.
      if (s.hsts !== null && ex?.secure === true) defaultHeader(headers, "Strict-Transport-Security", s.hsts);
    },
  };
}
