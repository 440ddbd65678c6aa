#!/usr/bin/env python3
"""Checks protocol/vectors/statehash.json from the text of SPEC §9.3 alone (standard library only).

Usage: statehash.py [VECTOR.json]      (default: protocol/vectors/statehash.json of this repository; run by tools/test)

An independent implementation of the version-2 state hash: each fact's digest is SHA-256 over
"fieldbook-state-v2" 00 | uvarint(len key) | key | fact, read as a 256-bit little-endian integer; a scope's hash is
the sum of its facts' digests mod 2^256 (zero for a scope without a created entity); the overall hash is the sum of
the scope hashes. It also rebuilds each customer scope's key from the customer's entity bytes, and checks the
vector's 256-bit sums. Prints one line per check group and exits 1 on the first mismatch.
"""
import hashlib
import json
import pathlib
import sys

MOD = 1 << 256
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
FACT_KINDS = {1: "entity", 2: "value", 3: "element", 4: "op"}


def uvarint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def digest(domain, key, fact):
    k = key.encode("utf-8")
    h = hashlib.sha256(domain.encode("ascii") + b"\x00" + uvarint(len(k)) + k + fact).digest()
    return int.from_bytes(h, "little")


def le(n):
    return (n % MOD).to_bytes(32, "little").hex()


def customer_key(entity):
    """`c:` and lowercase Crockford base32, most significant bit first, of the 16 bytes reversed."""
    bits = int.from_bytes(bytes(reversed(entity)), "big") << 2  # 128 bits, two zero bits after the last
    return "c:" + "".join(CROCKFORD[(bits >> (5 * i)) & 31] for i in reversed(range(26)))


def fail(message):
    print("FAIL " + message)
    sys.exit(1)


def main(argv):
    path = pathlib.Path(argv[1]) if len(argv) > 1 else pathlib.Path(__file__).resolve().parents[2] / "protocol/vectors/statehash.json"
    vector = json.loads(path.read_text(encoding="utf-8"))
    domain = vector["domain"]
    if domain != "fieldbook-state-v2":
        fail(f"domain {domain!r}")

    sums = {}
    visible = set()
    for item in vector["facts"]:
        fact = bytes.fromhex(item["fact"])
        if FACT_KINDS.get(fact[0]) != item["kind"]:
            fail(f"fact tag {fact[0]} is not {item['kind']}")
        d = digest(domain, item["scope"], fact)
        if le(d) != item["digest"]:
            fail(f"digest of a {item['kind']} fact in {item['scope']}")
        sums[item["scope"]] = (sums.get(item["scope"], 0) + d) % MOD
        if item["kind"] == "entity":
            visible.add(item["scope"])
            if item["scope"].startswith("c:") and customer_key(fact[1:17]) == item["scope"]:
                visible.add(("key", item["scope"]))
    print(f"ok   {len(vector['facts'])} fact digests")

    overall = 0
    for entry in vector["scopes"]:
        scope = entry["scope"]
        expected = sums.get(scope, 0) if scope in visible else 0
        if le(expected) != entry["hash"]:
            fail(f"hash of scope {scope}")
        if scope.startswith("c:") and scope in visible and ("key", scope) not in visible:
            fail(f"no customer entity of scope {scope} encodes to its key")
        overall += expected
    if le(overall) != vector["overall"]:
        fail("overall hash")
    hidden = [e["scope"] for e in vector["scopes"] if e["scope"] not in visible]
    print(f"ok   {len(vector['scopes'])} scope hashes ({len(hidden)} without a created entity, hashed as zero) and the overall hash")

    for entry in vector["sums"]:
        a = int.from_bytes(bytes.fromhex(entry["a"]), "little")
        b = int.from_bytes(bytes.fromhex(entry["b"]), "little")
        if le(a + b) != entry["sum"] or le(a - b) != entry["difference"]:
            fail(f"sum or difference of {entry['a']} and {entry['b']}")
    print(f"ok   {len(vector['sums'])} sums and differences mod 2^256")


if __name__ == "__main__":
    main(sys.argv)
