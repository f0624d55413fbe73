// Markdown module: `render_markdown of text` → HTML, on markdown-it (loaded on first use, outside
// the bundles). The output is safe to put in a page as it is (a template outputs it with `| safe`):
// - raw HTML in the source is not passed through (`html: false`: `<script>` comes out escaped);
// - links keep markdown-it's validation (no `javascript:`, `vbscript:`, `file:` or most `data:`
//   URLs), bare URLs are not turned into links (`linkify: false`), and every link gets
//   `rel="nofollow noopener noreferrer"`;
// - an image is kept only when its source is http or https; any other becomes its alt text;
// - input over 1 MiB (UTF-8) is an error.
import type MarkdownItFactory from "markdown-it";
import type { Registry } from "../registry.js";
import { requirePackage } from "../../runtime/packages.js";
import { WflRuntimeError, fail } from "../../runtime/errors.js";

export const MAX_MARKDOWN_BYTES = 1024 * 1024;

type MarkdownIt = ReturnType<typeof MarkdownItFactory>;

let renderer: MarkdownIt | undefined;

function markdown(): MarkdownIt {
  if (renderer) return renderer;
  let make: typeof MarkdownItFactory;
  try {
    const m = requirePackage<typeof MarkdownItFactory & { default?: typeof MarkdownItFactory }>("markdown-it");
    make = m.default ?? m;
  } catch (e) {
    throw new WflRuntimeError(`render_markdown is not available (the markdown-it package could not be loaded: ${String(e instanceof Error ? e.message : e).split("\n")[0]})`, "general");
  }
  const md = make({ html: false, linkify: false, typographer: false });
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    tokens[idx]!.attrSet("rel", "nofollow noopener noreferrer");
    return self.renderToken(tokens, idx, options);
  };
  const image = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const src = String(token.attrGet("src") ?? "");
    if (/^https?:\/\//i.test(src)) return image(tokens, idx, options, env, self);
    return md.utils.escapeHtml(self.renderInlineAsText(token.children ?? [], options, env));
  };
  renderer = md;
  return md;
}

export function register(r: Registry): void {
  r.fn("render_markdown", { params: ["text"] }, ([v]) => {
    const source = v as string;
    if (source.length > MAX_MARKDOWN_BYTES || Buffer.byteLength(source, "utf8") > MAX_MARKDOWN_BYTES) {
      throw fail(`render_markdown: the text is larger than ${MAX_MARKDOWN_BYTES / 1024 / 1024} MiB`);
    }
    return markdown().render(source);
  });
}
