// The syntax tree nodes of the containers room.
import type { Expr, Stmt, Param } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export interface ContainerMethod {
  name: string;
  nameSpan: Span;
  params: Param[];
  returnType: string | null;
  body: Stmt[];
  span: Span;
}

export interface ContainerProperty {
  name: string;
  nameSpan: Span;
  type: string | null;
  defaultValue: Expr | null;
  span: Span;
}

export interface InterfaceRequirement {
  name: string;
  params: Param[];
  span: Span;
}

export type ContainersStmt =
  | { kind: "ContainerDef"; name: string; nameSpan: Span; parent: string | null; interfaces: string[]; properties: ContainerProperty[]; methods: ContainerMethod[]; events: string[]; span: Span }
  | { kind: "InterfaceDef"; name: string; nameSpan: Span; parents: string[]; requires: InterfaceRequirement[]; span: Span }
  | { kind: "CreateInstance"; container: string; name: string; nameSpan: Span; values: { key: string; value: Expr; span: Span }[]; span: Span }
  | { kind: "Trigger"; event: string; span: Span };
