// Recursive Fibonacci: fib(32) makes about 7 million calls.
function fib(n) {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

console.log(`fib(32) = ${fib(32)}`);
