#!/usr/bin/env python3
"""Generates tests/data/bint_cases.txt: expected results of 256-bit `.bint` operations,
computed independently with Python's big integers modulo 2^256 (two's complement).
Each line: op, a, b, expected (space separated; a and b are signed decimal strings)."""
import random

BITS = 256
M = 1 << BITS


def signed(v):
    v %= M
    return v - M if v >> (BITS - 1) else v


def floordiv(a, b):
    return signed(a // b), signed(a % b)


def truncdiv(a, b):
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return signed(q), signed(a - b * q)


rng = random.Random(20240601)
interesting = [0, 1, -1, 2, -2, 7, -7, 2**32 - 1, 2**32, 2**63 - 1, -2**63, 2**64,
               2**255 - 1, -2**255, 10**30, -10**30, 3**150, -(5**100)]


def value():
    k = rng.randrange(4)
    if k == 0:
        return rng.choice(interesting)
    if k == 1:
        return signed(rng.getrandbits(rng.choice([8, 40, 64, 100, 200, 256])))
    if k == 2:
        return signed(-rng.getrandbits(rng.choice([8, 64, 130])))
    return signed(rng.choice(interesting) + rng.randrange(-3, 4))


lines = []
for _ in range(100):
    a, b = value(), value()
    ua, ub = a % M, b % M
    s = rng.randrange(0, 300)
    lines.append(f"add {a} {b} {signed(a + b)}")
    lines.append(f"sub {a} {b} {signed(a - b)}")
    lines.append(f"mul {a} {b} {signed(a * b)}")
    lines.append(f"lt {a} {b} {'true' if a < b else 'false'}")
    lines.append(f"le {a} {b} {'true' if a <= b else 'false'}")
    lines.append(f"ult {a} {b} {'true' if ua < ub else 'false'}")
    lines.append(f"band {a} {b} {signed(ua & ub)}")
    lines.append(f"bor {a} {b} {signed(ua | ub)}")
    lines.append(f"bxor {a} {b} {signed(ua ^ ub)}")
    lines.append(f"unm {a} 0 {signed(-a)}")
    lines.append(f"bnot {a} 0 {signed(~a)}")
    lines.append(f"shl {a} {s} {signed(ua << s) if s < BITS else 0}")
    lines.append(f"shr {a} {s} {signed(ua >> s) if s < BITS else 0}")
    lines.append(f"hex {a} 0 {format(ua, 'x')}")
    lines.append(f"bin {a} 0 {format(ua, 'b')}")
    lines.append(f"ipow {a} {s % 70} {signed(pow(a, s % 70, M))}")
    if b != 0:
        q, r = floordiv(a, b)
        lines.append(f"idiv {a} {b} {q}")
        lines.append(f"mod {a} {b} {r}")
        lines.append(f"udiv {a} {b} {signed(ua // ub)}")
        lines.append(f"umod {a} {b} {signed(ua % ub)}")
        if not (a == -2**255 and b == -1):
            q, r = truncdiv(a, b)
            lines.append(f"tdiv {a} {b} {q}")
            lines.append(f"tmod {a} {b} {r}")
for n in range(1, 100, 7):  # decimal strings past 256 bits wrap silently
    v = rng.randrange(10**n)
    lines.append(f"parse {v} 0 {signed(v)}")
    lines.append(f"parse -{v} 0 {signed(-v)}")

with open(__file__.replace(".py", ".txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
