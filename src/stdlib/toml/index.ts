// TOML module: parse_toml, stringify_toml, stringify_toml_pretty.
import type { Registry } from "../registry.js";
import { text } from "../args.js";
import { parseToml } from "./parse.js";
import { stringifyToml } from "./stringify.js";

export { parseToml, stringifyToml };

export function register(r: Registry): void {
  r.fn("parse_toml", { params: ["text"] }, ([v]) => parseToml(text("parse_toml", v!)));
  r.fn("stringify_toml", { params: ["any"] }, ([v]) => stringifyToml(v!, false, "stringify_toml"));
  r.fn("stringify_toml_pretty", { params: ["any"] }, ([v]) => stringifyToml(v!, true, "stringify_toml_pretty"));
}
