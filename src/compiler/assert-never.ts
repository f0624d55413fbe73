/** Exhaustive switches end here, so the compiler points at every pass a new node kind must reach. */
export function assertNever(x: never): never {
  throw new Error(`internal: unhandled node ${JSON.stringify((x as { kind?: string }).kind)}`);
}
