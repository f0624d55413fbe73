# List work by index: a sieve of Eratosthenes over 2,000,000 flags, then a count of the primes.
def main():
    limit = 2000000
    flags = []
    for _ in range(0, limit + 1):
        flags.append(True)
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i <= limit:
        if flags[i]:
            j = i * i
            while j <= limit:
                flags[j] = False
                j += i
        i += 1
    primes = 0
    for flag in flags:
        if flag:
            primes += 1
    print(f"primes below {limit} = {primes}")


main()
