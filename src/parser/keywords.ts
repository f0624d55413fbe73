// The keyword tokens by name, for grammar rules: `K.store`, `K.with`, …
import { kw } from "../lexer/tokens.js";

export const K = {
  store: kw("store"), change: kw("change"), display: kw("display"), check: kw("check"), if: kw("if"),
  otherwise: kw("otherwise"), end: kw("end"), for: kw("for"), each: kw("each"), in: kw("in"),
  repeat: kw("repeat"), while: kw("while"), until: kw("until"), forever: kw("forever"), break: kw("break"),
  continue: kw("continue"), skip: kw("skip"), exit: kw("exit"), define: kw("define"), action: kw("action"),
  return: kw("return"), give: kw("give"), call: kw("call"), try: kw("try"), when: kw("when"),
  catch: kw("catch"), finally: kw("finally"), describe: kw("describe"), expect: kw("expect"), add: kw("add"),
  subtract: kw("subtract"), multiply: kw("multiply"), divide: kw("divide"), push: kw("push"),
  remove: kw("remove"), clear: kw("clear"), create: kw("create"), with: kw("with"), and: kw("and"),
  or: kw("or"), not: kw("not"), is: kw("is"), of: kw("of"), plus: kw("plus"), minus: kw("minus"),
  times: kw("times"), divided: kw("divided"), modulo: kw("modulo"), as: kw("as"), to: kw("to"),
  from: kw("from"), by: kw("by"), then: kw("then"), route: kw("route"), yes: kw("yes"), no: kw("no"),
  true: kw("true"), false: kw("false"), nothing: kw("nothing"), missing: kw("missing"),
  undefined: kw("undefined"), wait: kw("wait"), include: kw("include"), export: kw("export"),
  equal: kw("equal"), greater: kw("greater"), less: kw("less"), than: kw("than"), above: kw("above"),
  below: kw("below"), between: kw("between"), matches: kw("matches"), find: kw("find"),
  replace: kw("replace"), split: kw("split"), constant: kw("constant"), starts: kw("starts"),
  ends: kw("ends"), current: kw("current"), open: kw("open"), close: kw("close"), write: kw("write"),
  append: kw("append"), delete: kw("delete"), file: kw("file"), directory: kw("directory"), content: kw("content"),
  into: kw("into"), container: kw("container"), interface: kw("interface"), property: kw("property"),
  extends: kw("extends"), implements: kw("implements"), requires: kw("requires"), event: kw("event"),
  trigger: kw("trigger"), static: kw("static"), load: kw("load"), module: kw("module"), execute: kw("execute"),
  listen: kw("listen"), respond: kw("respond"), register: kw("register"), stop: kw("stop"),
  spawn: kw("spawn"), kill: kw("kill"),
  // soft
  count: kw("count"), list: kw("list"), map: kw("map"), contains: kw("contains"), test: kw("test"),
  pattern: kw("pattern"), at: kw("at"), called: kw("called"), needs: kw("needs"), new: kw("new"),
  setup: kw("setup"), teardown: kw("teardown"), down: kw("down"), on: kw("on"), main: kw("main"),
  program: kw("program"), loop: kw("loop"), reversed: kw("reversed"), back: kw("back"),
  default: kw("default"), defaults: kw("defaults"), parameters: kw("parameters"),
};
