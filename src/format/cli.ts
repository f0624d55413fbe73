// `wfl --format FILE [--in-place | --check]`.
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { formatSource } from "./format.js";
import { formatDiagnostic } from "../diagnostics/format.js";

export function formatCommand(args: string[], color: boolean): number {
  const inPlace = args.includes("--in-place");
  const check = args.includes("--check");
  const files = args.filter((a) => !a.startsWith("--"));
  const unknown = args.find((a) => a.startsWith("--") && a !== "--in-place" && a !== "--check");
  if (unknown) return fail(`Unknown option '${unknown}' for --format (use --in-place or --check)`);
  if (files.length === 0) return fail("--format needs a file");
  if (inPlace && check) return fail("--in-place and --check do not go together");
  if (files.length > 1 && !inPlace && !check) return fail("--format prints one file; use --in-place or --check for several");
  let status = 0;
  for (const file of files) {
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch (e) {
      process.stderr.write(`error[FILE]: Cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      status = 1;
      continue;
    }
    const bom = source.charCodeAt(0) === 0xfeff ? "\ufeff" : "";
    const body = bom ? source.slice(1) : source;
    const r = formatSource(body, file);
    if (!r.ok) {
      for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d.code, d.message, file, body, d.span, { color }));
      status = 1;
      continue;
    }
    const formatted = bom + r.text;
    if (check) {
      if (formatted !== source) {
        process.stdout.write(`${file}: would be reformatted\n`);
        status = 1;
      }
    } else if (inPlace) {
      if (formatted !== source) {
        // Written beside the file and renamed over it: a crash never leaves half a program.
        const tmp = `${file}.wfl-format-${process.pid}.tmp`;
        writeFileSync(tmp, formatted);
        renameSync(tmp, file);
      }
    } else {
      process.stdout.write(formatted);
    }
  }
  return status;
}

function fail(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return 1;
}
