// Fast loops (src/compiler/fast-loops.ts) must mean exactly what the closures mean. Each program
// here runs twice, with fast loops and with WFL_FAST_LOOPS=0, and both runs must print the
// expected output (and the same diagnostics).
import { test } from "node:test";
import assert from "node:assert/strict";
import { runWith } from "./support/fast-loops.mjs";

/** Runs both ways; both must give `expected` output (and the same exit code and diagnostics). */
async function same(source, expected, code = 0) {
  const fast = await runWith(source, true);
  const slow = await runWith(source, false);
  assert.equal(slow.out, expected, `closures printed:\n${slow.out}\n${slow.err}`);
  assert.equal(fast.out, expected, `fast loops printed:\n${fast.out}\n${fast.err}`);
  assert.equal(fast.err, slow.err);
  assert.equal(fast.code, code, fast.err);
  assert.equal(slow.code, code, slow.err);
  return fast;
}

const lines = (...l) => l.map((x) => `${x}\n`).join("");

test("arithmetic, comparisons and the loop variable after the loop", async () => {
  await same(
    `store total as 0
store product as 1
count from 1 to 10:
    add count times 2 to total
    change product to product times 2
    subtract 1 from total
end count
count from 10 down to 1 by 3:
    display count
end count
store f as 0
count from 1 to 3:
    change f to f plus 0.1
end count
display total
display product
display f is equal to 0.3
display f is not equal to 0.3
display (7 modulo 3) with " " with (7 divided by 2)
`,
    lines("10", "7", "4", "1", "100", "1024", "yes", "no", "1 3.5"),
  );
});

test("break, continue and exit loop in nested loops", async () => {
  await same(
    `count from 1 to 5:
    check if count is 2:
        continue
    end check
    check if count is 4:
        break
    end check
    display "a " with count
end count
count from 1 to 3:
    store outer as count
    count from 1 to 3:
        check if count is 2:
            exit loop
        end check
        display "b " with outer with count
    end count
end count
display "after"
`,
    lines("a 1", "a 3", "b 11", "after"),
  );
});

test("return from inside nested loops, and exit loop in an action's loop", async () => {
  await same(
    `define action called locate with parameters items and wanted:
    store position as 0
    for each item in items:
        for each letter in item:
            check if letter is wanted:
                return position
            end check
        end for
        add 1 to position
    end for
    return -1
end action
define action called first over with parameters limit:
    count from 1 to 100:
        check if count times count is greater than limit:
            exit loop
        end check
    end count
    return "done"
end action
count from 1 to 2:
    display locate of ["ab", "cd", "ef"] and "d"
    display locate of ["ab"] and "z"
    display first over of 50
end count
`,
    lines("1", "-1", "done", "1", "-1", "done"),
  );
});

test("an action called in a loop sees and changes the loop's variables", async () => {
  await same(
    `store total as 0
store seen as ""
define action called bump:
    change total to total plus 100
    change seen to seen with total with ";"
end action
count from 1 to 3:
    add 1 to total
    bump
    add 1 to total
end count
display total
display seen
`,
    lines("306", "101;203;305;"),
  );
});

test("an error in a loop is caught outside it with the variables as they were", async () => {
  await same(
    `store n as 0
store items as [1, 2, 3]
try:
    repeat while yes:
        add 1 to n
        push with items and n
        check if n is 5:
            store x as 1 divided by 0
        end check
    end repeat
catch:
    display "caught at " with n with ": " with error_message
end try
display length of items
`,
    lines("caught at 5: Division by zero", "8"),
  );
});

test("try, display and lists inside a loop; signals from inside a try", async () => {
  await same(
    `store grid as [[0, 0], [0, 0]]
store i as 0
repeat until i is 2:
    store j as 0
    repeat:
        change grid[i][j] to i times 10 plus j
        add 1 to j
    until j is 2
    add 1 to i
end repeat
display grid
count from 1 to 10:
    try:
        check if count is 3:
            break
        end check
        display "try " with count
    catch:
        display "never"
    end try
end count
create map totals:
    a is 0
end map
for each k in totals:
    display "key " with k
end for
for each c in "hey":
    display c
end for
for each n in reversed [1, 2, 3]:
    display n
end for
store xs as [1, 2]
for each x in xs:
    push with xs and x times 10
end for
display xs
`,
    lines("[[0, 1], [10, 11]]", "try 1", "try 2", "key a", "h", "e", "y", "3", "2", "1", "[1, 2, 10, 20]"),
  );
});

test("a loop that calls an action that waits", async () => {
  await same(
    `define action called pause with parameters n:
    wait for 1 milliseconds
    return n times 2
end action
store total as 0
count from 1 to 3:
    add pause of count to total
    display total
end count
`,
    lines("2", "6", "12"),
  );
});

test("runtime errors in loops name the same place", async () => {
  const r = await same(
    `store items as [1, 2, 3]
store total as 0
for each item in items:
    add item to total
    store bad as items[total]
end for
`,
    "",
    1,
  );
  assert.match(r.err, /fast\.wfl:5:/);
  const t = await same(
    `count from 1 to 3:
    display count plus "a" times 2
end count
`,
    "",
    1,
  );
  assert.match(t.err, /fast\.wfl:2:/);
  const long = await same(`store s as "ab"\nrepeat forever:\n    change s to s with s\nend repeat\n`, "", 1);
  assert.match(long.err, /This text would be too long[^\n]*\n\s*┌─ fast\.wfl:3:17/);
});

test("scopes: names stored in branches, outer names shadowed and read, globals changed from an action's loop", async () => {
  await same(
    `store total as 0
store x as 5
define action called tally with parameters n:
    count from 1 to n:
        change total to total plus count
        add 1 to x
    end count
    return total
end action
count from 1 to 2:
    store x as x plus 100
    check if count is 1:
        store label as "one"
        display label with " " with x
    otherwise:
        store label as "other"
        display label with " " with x
    end check
end count
display tally of 3
display x
for each item in [1, 2]:
    count from 1 to 2:
        display item with ":" with count
    end count
end for
`,
    lines("one 105", "other 105", "6", "8", "1:1", "1:2", "2:1", "2:2"),
  );
});

test("exit loop from a try inside nested loops, and a container action's loop over its properties", async () => {
  await same(
    `count from 1 to 3:
    count from 1 to 3:
        try:
            check if count is 2:
                exit loop
            end check
            display "in " with count
        catch:
            display "never"
        end try
    end count
end count
display "out"
create container Tally:
    property total: Number
    action run with parameters n:
        count from 1 to n:
            change total to total plus count
        end count
        return total
    end action
end container
create new Tally as t:
    total is 0
end
display t.run(4)
`,
    lines("in 1", "out", "10"),
  );
});

test("compile errors inside loops are reported the same way", async () => {
  const r = await same(
    `count from 1 to 3:
    display missing_name
    change also_missing to 1
end count
`,
    "",
    1,
  );
  assert.match(r.err, /missing_name/);
  assert.match(r.err, /also_missing/);
});

test("for each walks a list in place, also when its body waits (items added are not visited)", async () => {
  await same(
    `define action called pause:
    wait for 1 milliseconds
end action
store xs as [1, 2, 3]
for each x in xs:
    pause
    display x
    change xs[1] to 20
    push with xs and 99
end for
display xs
store ys as [1, 2, 3]
for each y in ys:
    store n as 0
    repeat:
        add 1 to n
    until n is 2
    change ys[1] to 20
    display y
end for
`,
    lines("1", "20", "3", "[1, 20, 3, 99, 99, 99]", "1", "20", "3"),
  );
});

test("an expression too deep to generate as JavaScript stays a closure inside the fast loop", async () => {
  const chain = "x plus ".repeat(1200);
  await same(`store x as 0\ncount from 1 to 2:\n    change x to ${chain}1\nend count\ndisplay x\n`, lines("1201"));
});
