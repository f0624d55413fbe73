// Compile-time scopes. Each action gets a FunctionScope that owns the frame's slots; blocks
// (loop bodies, branches) get BlockScopes that only control which names are visible.
import type { Value } from "../runtime/values.js";
import { FIRST_SLOT } from "../runtime/frame.js";
import type { Param } from "../ast/nodes.js";

export interface ActionInfo {
  name: string;
  overloads: { params: Param[] }[];
  mayWait: boolean;
}

export type Binding =
  | { kind: "var"; slot: number; fn: FunctionScope; constant: boolean; name: string }
  | { kind: "action"; slot: number; fn: FunctionScope; info: ActionInfo; name: string }
  /** A container property seen from inside one of its actions: `name` reads `self.name`. */
  | { kind: "prop"; slot: number; fn: FunctionScope; name: string; constant: false };

export class FunctionScope {
  /** Slots in the frame; the first FIRST_SLOT hold the parent frame and the return value. */
  size = FIRST_SLOT;
  constructor(readonly parent: FunctionScope | null, readonly name: string) {}
  allocate(): number {
    return this.size++;
  }
}

export class BlockScope {
  readonly names = new Map<string, Binding>();
  constructor(readonly fn: FunctionScope, readonly parent: BlockScope | null) {}

  lookup(name: string): Binding | undefined {
    for (let s: BlockScope | null = this; s; s = s.parent) {
      const b = s.names.get(name);
      if (b) return b;
    }
    return undefined;
  }

  /** How many frames up a binding lives, seen from this scope's function. */
  depthOf(b: Binding): number {
    let d = 0;
    for (let f: FunctionScope | null = this.fn; f && f !== b.fn; f = f.parent) d++;
    return d;
  }
}

export type Constant = Value;
