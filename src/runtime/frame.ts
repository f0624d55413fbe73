// Activation records. Variables are resolved to (depth, slot) at compile time, so a frame is a
// plain array of slots plus a link to the frame the action was defined in.
import type { Value } from "./values.js";

export class Frame {
  readonly s: (Value | undefined)[];
  /** The value of the last `return`, read by the caller when the body signals RETURN. */
  ret: Value = null;
  constructor(size: number, readonly p: Frame | null) {
    this.s = new Array<Value | undefined>(size);
  }
}

/** Completion signals a statement can produce instead of finishing normally. */
export const enum Signal {
  Break = 1,
  Continue = 2,
  Return = 3,
  ExitLoop = 4,
}

/** `exit program`: unwinds everything (running `finally` blocks) and ends the run successfully. */
export class ExitProgram {
  constructor(readonly code = 0) {}
}
