// Lists and maps: build a list of 1,000,000 numbers, filter and sum it, then sort
// the numbers into buckets held in a map of lists and count each bucket.
const numbers = [];
for (let count = 1; count <= 1000000; count++) {
  numbers.push((count * 7919) % 10007);
}

const evens = [];
let evenTotal = 0;
for (const n of numbers) {
  if (n % 2 === 0) {
    evens.push(n);
    evenTotal += n;
  }
}

const buckets = { low: [], middle: [], high: [] };
const bucketNames = ["low", "low", "low", "middle", "middle", "middle", "middle", "high", "high", "high"];
for (const n of numbers) {
  const name = bucketNames[n % 10];
  buckets[name].push(n);
}

console.log(`numbers = ${numbers.length}`);
console.log(`evens = ${evens.length}`);
console.log(`even total = ${evenTotal}`);
console.log(`low = ${buckets.low.length}`);
console.log(`middle = ${buckets.middle.length}`);
console.log(`high = ${buckets.high.length}`);
