# Lists and maps: build a list of 1,000,000 numbers, filter and sum it, then sort
# the numbers into buckets held in a dict of lists and count each bucket.
def main():
    numbers = []
    for count in range(1, 1000001):
        numbers.append((count * 7919) % 10007)

    evens = []
    even_total = 0
    for n in numbers:
        if n % 2 == 0:
            evens.append(n)
            even_total += n

    buckets = {"low": [], "middle": [], "high": []}
    bucket_names = ["low", "low", "low", "middle", "middle", "middle", "middle", "high", "high", "high"]
    for n in numbers:
        name = bucket_names[n % 10]
        buckets[name].append(n)

    print(f"numbers = {len(numbers)}")
    print(f"evens = {len(evens)}")
    print(f"even total = {even_total}")
    print(f"low = {len(buckets['low'])}")
    print(f"middle = {len(buckets['middle'])}")
    print(f"high = {len(buckets['high'])}")


main()
