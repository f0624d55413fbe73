// Starting WFL programs through the public embedding API (dist/index.js) in this process.
import { run } from "../../dist/index.js";

/**
 * Start `source` as a run; resolves once the program has displayed its server
 * (`WebServer::127.0.0.1:PORT`), with the port, the run's result promise and its output so far.
 */
export async function startServerRun(source, options = {}) {
  const io = { out: "" };
  let found;
  const portSeen = new Promise((resolve) => { found = resolve; });
  const result = run(source, {
    ...options,
    write: (t) => {
      io.out += t;
      const m = /WebServer::127\.0\.0\.1:(\d+)/.exec(io.out);
      if (m) found(Number(m[1]));
    },
  });
  const port = await Promise.race([portSeen, result.then((r) => { throw new Error(`the run ended before listening: ${r.diagnostics}`); })]);
  return { port, result, io };
}

/** Resolves once `io.out` matches `re` (polling; the run writes from the same event loop). */
export async function outputMatches(io, re, ms = 5000) {
  const until = Date.now() + ms;
  while (!re.test(io.out)) {
    if (Date.now() > until) throw new Error(`output never matched ${re}: ${JSON.stringify(io.out)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A server program: answers every request with `name`, ends on /stop; SIGINT runs `on_stop`. */
export function namedServer(name) {
  return `define action called on_stop:
    display "${name} stopping"
end action
listen on port 0 as srv
display srv
register signal handler for SIGINT as on_stop
main loop:
    wait for request comes in on srv as req
    display "${name} got " with path
    respond to req with "${name}"
    check if path is "/stop":
        break
    end check
end loop
display "${name} done"
`;
}
