// The grammar of containers (classes), interfaces, instances and events.
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt, Param, ContainerMethod, ContainerProperty, InterfaceRequirement } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export function containersSyntax<B extends ParserClass>(Base: B) {
  abstract class ContainersSyntax extends Base {
    /** `create container Name [extends P] [implements I, J]:` members `end`. */
    containerDef = this.RULE("containerDef", (): Stmt => {
      const start = this.CONSUME(K.create);
      this.CONSUME(K.container);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      let parent: string | null = null;
      const interfaces: string[] = [];
      this.OPTION(() => { this.CONSUME(K.extends); parent = this.SUBRULE2(this.identifier); });
      this.OPTION2(() => {
        this.CONSUME(K.implements);
        interfaces.push(this.SUBRULE3(this.identifier));
        this.MANY(() => { this.OR([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(K.and) }]); interfaces.push(this.SUBRULE4(this.identifier)); });
      });
      this.blockOpen();
      const properties: ContainerProperty[] = [];
      const methods: ContainerMethod[] = [];
      const events: string[] = [];
      this.MANY2(() => {
        this.OPTION3(() => this.CONSUME(K.static));
        this.OR2([
          { ALT: () => { properties.push(this.SUBRULE(this.propertyDecl)); } },
          { ALT: () => { methods.push(this.SUBRULE(this.methodDef)); } },
          {
            ALT: () => {
              this.CONSUME(K.event);
              events.push(this.SUBRULE5(this.identifier));
              this.OPTION4(() => { this.CONSUME(K.needs); this.SUBRULE(this.paramList); });
              this.CONSUME(T.Newline);
            },
          },
        ]);
      });
      this.CONSUME(K.end);
      this.OPTION5(() => this.CONSUME2(K.container));
      this.eos();
      return { kind: "ContainerDef", name, nameSpan, parent, interfaces, properties, methods, events, span: this.spanFrom(start) };
    });

    propertyDecl = this.RULE("propertyDecl", (): ContainerProperty => {
      const start = this.CONSUME(K.property);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      let type: string | null = null;
      let defaultValue: Expr | null = null;
      this.OPTION(() => {
        this.OR([{ ALT: () => this.CONSUME(T.Colon) }, { ALT: () => this.CONSUME(K.as) }]);
        type = this.SUBRULE2(this.identifier);
      });
      this.OPTION2(() => {
        this.OR2([{ ALT: () => this.CONSUME(K.defaults) }, { ALT: () => this.CONSUME(K.default) }]);
        this.OPTION3(() => this.CONSUME(K.to));
        defaultValue = this.SUBRULE(this.expression);
      });
      this.CONSUME(T.Newline);
      return { name, nameSpan, type, defaultValue, span: this.spanFrom(start) };
    });

    /** `action name [needs a: T, b: T] [: RetType]` (`:` or newline) body `end [action]`. */
    methodDef = this.RULE("methodDef", (): ContainerMethod => {
      const start = this.CONSUME(K.action);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      const params = this.SUBRULE(this.actionParams);
      let returnType: string | null = null;
      this.OPTION3({
        GATE: () => this.LA(1).tokenType === T.Colon && this.LA(2).tokenType !== T.Newline,
        DEF: () => { this.CONSUME(T.Colon); returnType = this.SUBRULE2(this.identifier); },
      });
      this.OPTION4(() => this.CONSUME2(T.Colon));
      this.CONSUME(T.Newline);
      const body = this.SUBRULE(this.block);
      this.CONSUME(K.end);
      this.OPTION5(() => this.CONSUME2(K.action));
      this.CONSUME2(T.Newline);
      return { name, nameSpan, params, returnType, body, span: this.spanFrom(start) };
    });

    /** `create interface Name [extends A, B]:` `requires action m [needs …] [: T]` … `end`. */
    interfaceDef = this.RULE("interfaceDef", (): Stmt => {
      const start = this.CONSUME(K.create);
      this.CONSUME(K.interface);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      const parents: string[] = [];
      this.OPTION(() => {
        this.CONSUME(K.extends);
        parents.push(this.SUBRULE2(this.identifier));
        this.MANY(() => { this.OR([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(K.and) }]); parents.push(this.SUBRULE3(this.identifier)); });
      });
      const requires: InterfaceRequirement[] = [];
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(T.Colon);
            this.CONSUME(T.Newline);
            this.MANY2(() => {
              const rs = this.CONSUME(K.requires);
              this.CONSUME(K.action);
              const rname = this.SUBRULE4(this.identifier);
              let params: Param[] = [];
              this.OPTION2(() => { this.CONSUME(K.needs); params = this.SUBRULE(this.paramList); });
              this.OPTION3(() => { this.CONSUME2(T.Colon); this.SUBRULE5(this.identifier); });
              this.CONSUME2(T.Newline);
              requires.push({ name: rname, params, span: this.spanFrom(rs) });
            });
            this.CONSUME(K.end);
            this.OPTION4(() => this.CONSUME2(K.interface));
          },
        },
        { ALT: () => {} },
      ]);
      this.eos();
      return { kind: "InterfaceDef", name, nameSpan, parents, requires, span: this.spanFrom(start) };
    });

    /** `create new Person as alice:` `name is "Alice"` … `end`. */
    createInstance = this.RULE("createInstance", (): Stmt => {
      const start = this.CONSUME(K.create);
      this.CONSUME(K.new);
      const container = this.SUBRULE(this.identifier);
      this.CONSUME(K.as);
      const nameTok = this.LA(1);
      const name = this.SUBRULE2(this.identifier);
      const nameSpan = this.spanFrom(nameTok);
      const values: { key: string; value: Expr; span: Span }[] = [];
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Colon);
            this.CONSUME(T.Newline);
            this.MANY(() => {
              const ks = this.LA(1);
              const key = this.SUBRULE3(this.identifier);
              this.CONSUME(K.is);
              const value = this.SUBRULE(this.expression);
              this.CONSUME2(T.Newline);
              values.push({ key, value, span: this.spanFrom(ks) });
            });
            this.CONSUME(K.end);
          },
        },
        { ALT: () => {} },
      ]);
      this.eos();
      return { kind: "CreateInstance", container, name, nameSpan, values, span: this.spanFrom(start) };
    });

    triggerStmt = this.RULE("triggerStmt", (): Stmt => {
      const start = this.CONSUME(K.trigger);
      const event = this.SUBRULE(this.identifier);
      this.OPTION(() => { this.CONSUME(K.with); this.SUBRULE(this.expression); });
      this.eos();
      return { kind: "Trigger", event, span: this.spanFrom(start) };
    });

    protected readonly containersTables = this.contribute({
      statements: [
        { GATE: () => this.LA(2).tokenType === K.container, ALT: () => this.SUBRULE(this.containerDef) },
        { GATE: () => this.LA(2).tokenType === K.interface, ALT: () => this.SUBRULE(this.interfaceDef) },
        { GATE: () => this.LA(2).tokenType === K.new && this.LA(3).tokenType !== K.constant, ALT: () => this.SUBRULE(this.createInstance) },
        { GATE: () => this.LA(2).tokenType !== T.Newline, ALT: () => this.SUBRULE(this.triggerStmt) },
      ],
    });
  }
  return ContainersSyntax;
}
