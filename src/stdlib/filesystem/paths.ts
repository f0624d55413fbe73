// Path text helpers with the component rules of a Unix path: trailing slashes and `.`
// components are ignored, `..` is kept, and joining an absolute part restarts the path.
// Backslashes count as separators too, so Windows-style input behaves.

interface Parts {
  root: string; // "/" or ""
  comps: string[];
}

function split(p: string): Parts {
  const s = p.replace(/\\/g, "/");
  const root = s.startsWith("/") ? "/" : "";
  const raw = s.split("/");
  const comps: string[] = [];
  raw.forEach((c, i) => {
    if (c === "") return;
    // A leading "." is kept (Rust keeps CurDir at the start); interior ones are noise.
    if (c === "." && !(i === 0 && root === "")) return;
    comps.push(c);
  });
  return { root, comps };
}

/** The last component, or "" when there is none (`/`, `..`). */
export function basename(p: string): string {
  const { comps } = split(p);
  const last = comps[comps.length - 1];
  return last === undefined || last === ".." || last === "." ? "" : last;
}

/** Everything before the last component ("" for a bare file name or the root). */
export function dirname(p: string): string {
  const { root, comps } = split(p);
  if (comps.length === 0) return "";
  return root + comps.slice(0, -1).join("/");
}

/** The extension without its dot: "gz" for "a.tar.gz", "" for "README" or ".bashrc". */
export function extension(p: string): string {
  const name = basename(p);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1);
}

/** The file name without its extension: "archive.tar" for "archive.tar.gz". */
export function stem(p: string): string {
  const name = basename(p);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? name : name.slice(0, dot);
}

/** Join components with "/"; an absolute component replaces everything before it. */
export function join(parts: string[]): string {
  let out = "";
  for (const part of parts) {
    if (part.startsWith("/") || /^[A-Za-z]:[\\/]/.test(part)) out = part;
    else if (out === "") out = part;
    else out = out.endsWith("/") || out.endsWith("\\") ? out + part : out + "/" + part;
  }
  return out;
}

/**
 * Compile a glob to a RegExp over "/"-separated relative paths:
 * `*` any run within a segment, `?` one character, `[abc]`/`[!a-z]` classes,
 * `{a,b}` alternatives, and `**` any number of whole segments.
 */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  let inBraces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        // "**/" matches zero or more directories; a trailing "**" matches anything.
        const atSegStart = i === 0 || glob[i - 1] === "/";
        i++;
        if (glob[i + 1] === "/" && atSegStart) {
          i++;
          re += "(?:[^/]+/)*";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let body = glob.slice(i + 1, end);
        const neg = body.startsWith("!") || body.startsWith("^");
        if (neg) body = body.slice(1);
        re += "[" + (neg ? "^" : "") + body.replace(/[\\\]]/g, "\\$&") + "]";
        i = end;
      }
    } else if (c === "{") {
      inBraces++;
      re += "(?:";
    } else if (c === "}" && inBraces > 0) {
      inBraces--;
      re += ")";
    } else if (c === "," && inBraces > 0) re += "|";
    else re += c.replace(/[.+^$()|\\/{}]/g, "\\$&");
  }
  while (inBraces-- > 0) re += ")";
  return new RegExp("^" + re + "$");
}
