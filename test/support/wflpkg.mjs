// Building .wflpkg archives (tar.gz) for tests, byte by byte: a hand-written ustar writer (so a
// test can make the hostile entries a real packer refuses — symlinks, hard links, `../` and
// absolute paths) and Node's zlib. Also the wflhash checksum and a multipart publish request.
//
//   const archive = wflpkg({ "project.wfl": manifest({ name: "demo", version: "26.2.1" }), "README.md": "# Demo" });
//   const res = await publish(base, token, { name: "demo", version: "26.2.1", archive });
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

function octal(n, width) {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

/** One ustar header (512 bytes). */
function header({ name, size = 0, type = "0", linkname = "", mode = 0o644 }) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write(octal(mode, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(1767225600, 12), 136, "ascii");
  h.write("        ", 148, "ascii");
  h.write(type, 156, "ascii");
  h.write(linkname, 157, 100, "utf8");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  h.write("wfl", 265, "ascii");
  h.write("wfl", 297, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
  return h;
}

/**
 * A tar.gz of `entries`: path → text | Buffer (a file), or { symlink: target } / { hardlink: target }
 * / { dir: true }. Order is kept.
 */
export function wflpkg(entries) {
  const parts = [];
  for (const [name, value] of Object.entries(entries)) {
    if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
      if (value.symlink !== undefined) parts.push(header({ name, type: "2", linkname: value.symlink }));
      else if (value.hardlink !== undefined) parts.push(header({ name, type: "1", linkname: value.hardlink }));
      else if (value.dir) parts.push(header({ name: name.endsWith("/") ? name : name + "/", type: "5", mode: 0o755 }));
      continue;
    }
    const body = Buffer.isBuffer(value) ? value : Buffer.from(value, "utf8");
    parts.push(header({ name, size: body.length }));
    parts.push(body);
    const pad = (512 - (body.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/** A project.wfl in the manifest grammar: the package record and dependency records. */
export function manifest({ name, version, description = "A test package", license = "MIT", keywords = [], permissions = [], repository, dependencies = [] }) {
  const lines = ["create map package:", `    name is "${name}"`, `    version is "${version}"`, `    description is "${description}"`, `    license is "${license}"`];
  lines.push(`    keywords is [${keywords.map((k) => `"${k}"`).join(", ")}]`);
  lines.push(`    permissions is [${permissions.map((k) => `"${k}"`).join(", ")}]`);
  if (repository) lines.push(`    repository is "${repository}"`);
  lines.push("end map");
  for (const d of dependencies) {
    lines.push("", "create map dependency:", `    name is "${d.name}"`, `    version is "${d.version}"`);
    if (d.scope) lines.push(`    scope is "${d.scope}"`);
    lines.push("end map");
  }
  return lines.join("\n") + "\n";
}

export const wflhash = (bytes) => "wflhash:" + createHash("sha256").update(bytes).digest("hex");

/** POST /api/v1/packages as the wflpkg client does; fields left undefined are not sent. */
export async function publish(base, token, { name, version, archive, checksum = archive ? wflhash(archive) : undefined }) {
  const form = new FormData();
  if (name !== undefined) form.set("name", name);
  if (version !== undefined) form.set("version", version);
  if (checksum !== undefined) form.set("checksum", checksum);
  if (archive !== undefined) form.set("archive", new Blob([archive], { type: "application/gzip" }), `${name}-${version}.wflpkg`);
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(base + "/api/v1/packages", { method: "POST", body: form, headers });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, headers: res.headers, body };
}
