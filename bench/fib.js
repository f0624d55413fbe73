// Recursive Fibonacci: fib(27) makes about 630,000 calls.
function fib(n) {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

console.log(`fib(27) = ${fib(27)}`);
