// String building: 1,000,000 appends of a two-character piece to one string.
let message = "";
for (let count = 1; count <= 1000000; count++) {
  message += "x" + (count % 10);
}
const size = message.length;
console.log(`length = ${size}`);
console.log(`head = ${message.slice(0, 20)}`);
console.log(`tail = ${message.slice(size - 20, size)}`);
