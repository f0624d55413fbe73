// Activation records. Variables are resolved to slots at compile time, so a frame is one plain
// array: [0] the frame the action was defined in (its closure), [1] the value of the last
// `return`, then the slots. One allocation per call (a separate object holding an array would be
// two, and calls are the hottest path of recursive programs).
import type { Value } from "./values.js";

export type Frame = (Value | undefined)[];

/** Index of the parent frame and of the return value; slots start at FIRST_SLOT. */
export const PARENT = 0;
export const RET = 1;
export const FIRST_SLOT = 2;

export function newFrame(size: number, parent: Frame | null): Frame {
  const f: Frame = new Array(size);
  f[PARENT] = parent as unknown as Value;
  f[RET] = null;
  return f;
}

export function parentOf(f: Frame): Frame | null {
  return f[PARENT] as unknown as Frame | null;
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
