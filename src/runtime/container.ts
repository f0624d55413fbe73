// Containers (WFL's classes) and their instances as runtime values.
import type { Value, WflContainer, WflInstance } from "./values.js";
import type { Frame } from "./frame.js";
import type { BodyFn } from "./action.js";

export interface Method {
  readonly name: string;
  readonly paramCount: number;
  frameSize: number;
  body: BodyFn;
  isAsync: boolean;
}

export class ContainerValue implements WflContainer {
  readonly kind = "container" as const;
  constructor(
    readonly name: string,
    readonly parent: ContainerValue | null,
    readonly properties: { name: string; initial: ((f: Frame) => Value) | null }[],
    readonly methods: Map<string, Method>,
    /** The frame the container was defined in (method bodies close over it). */
    readonly closure: Frame,
  ) {}

  findMethod(name: string): Method | undefined {
    for (let c: ContainerValue | null = this; c; c = c.parent) {
      const m = c.methods.get(name);
      if (m) return m;
    }
    return undefined;
  }

  hasProperty(name: string): boolean {
    for (let c: ContainerValue | null = this; c; c = c.parent) if (c.properties.some((p) => p.name === name)) return true;
    return false;
  }
}

export class InstanceValue implements WflInstance {
  readonly kind = "instance" as const;
  readonly props = new Map<string, Value>();
  constructor(readonly container: ContainerValue) {}
}
