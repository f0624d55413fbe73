// Start-up baseline: the cost of launching the runtime and printing one line.
console.log("ready");
