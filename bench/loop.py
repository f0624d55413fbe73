# Numeric loop: 10,000,000 iterations of integer arithmetic on a running total.
def main():
    total = 0
    for count in range(1, 10000001):
        total = total + ((count * count) % 1000003)
    print(f"sum = {total}")


main()
