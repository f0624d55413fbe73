# String building: 1,000,000 appends of a two-character piece to one string.
def main():
    message = ""
    for count in range(1, 1000001):
        message += "x" + str(count % 10)
    size = len(message)
    print(f"length = {size}")
    print(f"head = {message[0:20]}")
    print(f"tail = {message[size - 20:size]}")


main()
