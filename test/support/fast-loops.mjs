// Running a program in-process with fast loops on or off (WFL_FAST_LOOPS=0), for the tests that
// compare the two.
import { runProgram } from "../../dist/internal.js";

/** Output, diagnostics and exit code of `source`, compiled with fast loops or closures only. */
export async function runWith(source, fast, file = "fast.wfl") {
  const saved = process.env.WFL_FAST_LOOPS;
  process.env.WFL_FAST_LOOPS = fast ? "1" : "0";
  let out = "";
  let err = "";
  try {
    const code = await runProgram({ file, source, write: (t) => { out += t; }, writeError: (t) => { err += t; } });
    return { code, out, err };
  } finally {
    if (saved === undefined) delete process.env.WFL_FAST_LOOPS;
    else process.env.WFL_FAST_LOOPS = saved;
  }
}
