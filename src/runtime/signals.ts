// Process signals shared by every run in the process. A run never touches `process` listeners
// itself: while at least one run has a handler for a signal, this module keeps ONE listener for
// it, which dispatches to those runs; the listener goes when the last of them ends. The host's
// own listeners are never removed, and nothing here exits the process.

type Dispatch = (signal: string) => void;

const handlers = new Map<string, Set<Dispatch>>();
const listeners = new Map<string, () => void>();

/** Call `dispatch` when `signal` arrives; returns the function that unregisters it. */
export function addSignalHandler(signal: string, dispatch: Dispatch): () => void {
  let set = handlers.get(signal);
  if (!set) {
    set = new Set();
    handlers.set(signal, set);
  }
  set.add(dispatch);
  if (!listeners.has(signal)) {
    const own = set;
    const listener = (): void => {
      for (const d of [...own]) d(signal);
    };
    listeners.set(signal, listener);
    process.on(signal, listener);
  }
  return () => {
    const s = handlers.get(signal);
    if (!s || !s.delete(dispatch) || s.size > 0) return;
    handlers.delete(signal);
    const listener = listeners.get(signal);
    listeners.delete(signal);
    if (listener) process.removeListener(signal, listener);
  };
}
