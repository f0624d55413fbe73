// Entry point of the start-up snapshot (dist/wfl-<node version>.blob, built by scripts/build.mjs).
// Building the parser and the standard library happens once, at build time; a run starts from the
// resulting heap, which cuts start-up from ~250 ms to under 100 ms.
import v8 from "node:v8";
import { runCli } from "./main.js";
import { runProgram } from "../host/run.js";
import { sharedParser, parse } from "../parser/parse.js";

const WARM_UP = `
store total as 0
store name as "x"
define action called f with parameters n:
    check if n is less than 2 and n is not 5:
        return n
    otherwise:
        return (f of n minus 1) plus f of n minus 2
    end check
end action
count from 1 to 10:
    change total to total plus count times 2
    add 1 to total
end count
for each item in [1, 2, 3]:
    display "item " with item
end for
create list xs:
    add 1
end list
push with xs and 2
display length of xs
try:
    display 1 divided by 0
catch:
    display error_message
end try
repeat while total is greater than 100:
    change total to total minus 1
end repeat
`;
import { standardLibrary } from "../stdlib/index.js";

standardLibrary();
sharedParser();
// Warm up: parse and compile (but do not run) a program that touches the common rules, so the
// front end's bytecode is already in the snapshot. Running it here would be worse than useless:
// the type feedback it leaves in the interpreter's closures would make real programs slower.
parse(WARM_UP, "warm-up.wfl");
void runProgram({ file: "warm-up.wfl", source: WARM_UP, write: () => {}, writeError: () => {}, compileOnly: true });
v8.startupSnapshot.setDeserializeMainFunction(() => {
  // Started as `node --snapshot-blob … ARGS`: the arguments follow the executable directly.
  runCli(process.argv.slice(1));
});
