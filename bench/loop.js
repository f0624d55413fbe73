// Numeric loop: 10,000,000 iterations of integer arithmetic on a running total.
let total = 0;
for (let count = 1; count <= 10000000; count++) {
  total = total + ((count * count) % 1000003);
}
console.log(`sum = ${total}`);
