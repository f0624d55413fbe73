// For the node:http twins: the headers the WFL server sends beyond what node:http sends itself,
// when the bench asks for an equal-work comparison ($WFL_BENCH_SAME_HEADERS, a JSON list of
// [name, value] pairs read from the WFL server's answer; an `X-Request-Id` gets a fresh UUID on
// every response, as WFL's does). Without it the twins send only what they must.
import { randomUUID } from "node:crypto";

const pairs = process.env.WFL_BENCH_SAME_HEADERS ? JSON.parse(process.env.WFL_BENCH_SAME_HEADERS) : [];
const idAt = pairs.findIndex(([name]) => name.toLowerCase() === "x-request-id");

/** `head` ([name, value, …]) with the WFL server's extra headers added. */
export function withSameHeaders(head) {
  if (pairs.length === 0) return head;
  const out = [...head];
  for (let i = 0; i < pairs.length; i++) out.push(pairs[i][0], i === idAt ? randomUUID() : pairs[i][1]);
  return out;
}
