// Declared parameters of the builtins whose modules do not declare them inline (see ParamSpec in
// registry.ts). A builtin is declared exactly once: inline (`r.fn(name, { params }, impl)`) or
// here, never both; the registry refuses a builtin declared nowhere. Move an entry inline when
// its module next changes.
export const UNDECLARED_SIGNATURES: Readonly<Record<string, readonly string[]>> = {
  // filesystem
  list_dir: ["text"],
  path_basename: ["text"],
  path_dirname: ["text"],
  path_extension: ["text"],
  path_stem: ["text"],
  path_join: ["...text"],
  makedirs: ["text"],
  path_exists: ["text"],
  is_file: ["text"],
  is_dir: ["text"],
  file_mtime: ["text"],
  file_size: ["text|file"],
  count_lines: ["text"],
  remove_file: ["text"],
  remove_dir: ["text", "any?"],
  copy_file: ["text", "text"],
  move_file: ["text", "text"],
  file_mode: ["text"],
  set_file_mode: ["text", "text"],
  glob: ["text", "text"],
  rglob: ["text", "text"],
  // web
  mime_type: ["text"],
  path_params: ["text", "text"],
  path_matches: ["text", "text"],
  parse_query_string: ["text|binary|nothing"],
  parse_form_urlencoded: ["text|binary|nothing"],
  parse_cookies: ["text|binary|nothing"],
  parse_multipart: ["text|binary", "text"],
};
