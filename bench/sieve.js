// List work by index: a sieve of Eratosthenes over 2,000,000 flags, then a count of the primes.
const limit = 2000000;
const flags = [];
for (let c = 0; c <= limit; c++) flags.push(true);
flags[0] = false;
flags[1] = false;
for (let i = 2; i * i <= limit; i++) {
  if (flags[i]) {
    for (let j = i * i; j <= limit; j += i) flags[j] = false;
  }
}
let primes = 0;
for (const flag of flags) if (flag) primes++;
console.log(`primes below ${limit} = ${primes}`);
