# Recursive Fibonacci: fib(32) makes about 7 million calls.
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


print(f"fib(32) = {fib(32)}")
