#!/usr/bin/env python3
"""Writes a larger data set for `erpfront erp-sim --data DIR`, and a users file with one API
buyer per generated customer. Only ever written to a temporary directory: nothing is kept.

    python3 tests/bench/gen_data.py OUT_DIR --products 10000 --customers 50 --demo-users fixtures/demo/users.toml

The files follow fixtures/demo/*.json (src/erp/demo/records.rs). The first two customers are
C-1000 and C-2000, so the demo logins and tokens of fixtures/demo/users.toml work against it too;
buyer N (1-based) of the generated ones uses the API token `bench-token-N`.
"""

import argparse
import hashlib
import json
import os
import random

CATEGORIES = [
    ("fasteners", "Fasteners"),
    ("hand-tools", "Hand tools"),
    ("power-tools", "Power tools & accessories"),
    ("safety", "Safety & PPE"),
    ("electrical", "Electrical"),
    ("plumbing", "Plumbing"),
    ("packaging", "Packaging"),
    ("cleaning", "Cleaning"),
]
# The argon2 hash of "demo" from fixtures/demo/users.toml; bench buyers log in through the API only.
DEMO_PASSWORD_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$mlufC33dsiBEd60rwuSpIg$"
    "DVlcOr7usrbzHyeaGBAd4gZGTwFvcc27bH1Z2S21UcQ"
)


def sku(i):
    return f"BN-{i:05d}"


def customer_id(i):
    return ["C-1000", "C-2000"][i] if i < 2 else f"C-{5000 + i}"


def token(i):
    return f"bench-token-{i + 1}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--products", type=int, default=10000)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--demo-users", help="users file whose entries are kept at the top")
    args = parser.parse_args()
    rng = random.Random(42)
    os.makedirs(args.out, exist_ok=True)

    def write(name, value):
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            json.dump(value, f)

    write("categories.json", [{"id": c, "name": n} for c, n in CATEGORIES])
    products = []
    for i in range(1, args.products + 1):
        category = CATEGORIES[i % len(CATEGORIES)][0]
        products.append({
            "sku": sku(i),
            "name": f"Benchmark article {i}, {category}, pack of {rng.choice([1, 10, 50, 100])}",
            "description": "A generated article for load tests. " * 4,
            "category": category,
            "unit": rng.choice(["PCE", "BOX", "PAK"]),
            "attributes": [
                {"name": "Material", "value": rng.choice(["Steel", "Brass", "Nylon", "Rubber"])},
                {"name": "Size", "value": f"{rng.randint(3, 40)} mm"},
            ],
            "list_price": f"{rng.randint(100, 50000) / 100:.2f}",
            "stock": rng.randint(0, 900),
            "next_receipt": None,
        })
    write("products.json", products)
    customers = []
    for i in range(args.customers):
        cid = customer_id(i)
        address = lambda suffix, name: {  # noqa: E731
            "id": f"{cid}-{suffix}", "name": name, "street": f"Benchstrasse {i + 1}",
            "postal_code": f"{10000 + i}", "city": "Hamburg", "country": "DE",
        }
        customers.append({
            "id": cid,
            "name": f"Bench customer {i + 1}",
            "currency": "EUR",
            "bill_to": address("BILL", f"Bench customer {i + 1}, accounts payable"),
            "ship_tos": [address("SHIP", f"Bench customer {i + 1}, warehouse")],
            "price_list": {
                "default_discount": str(rng.randint(0, 15)),
                "category_discounts": {c: str(rng.randint(0, 20)) for c, _ in CATEGORIES[:4]},
                "tiers": [
                    {"min_quantity": 10, "extra_discount": "3"},
                    {"min_quantity": 50, "extra_discount": "7"},
                ],
            },
        })
    write("customers.json", customers)
    write("orders.json", [])
    write("invoices.json", [])

    lines = []
    if args.demo_users:
        with open(args.demo_users, encoding="utf-8") as f:
            lines.append(f.read())
    for i in range(args.customers):
        digest = hashlib.sha256(token(i).encode()).hexdigest()
        lines.append(
            f'\n[[users]]\nlogin = "bench{i + 1}@bench.example"\nname = "Bench buyer {i + 1}"\n'
            f'password_hash = "{DEMO_PASSWORD_HASH}"\nrole = "buyer"\n'
            f'customer = "{customer_id(i)}"\napi_token_sha256 = ["{digest}"]\n'
        )
    with open(os.path.join(args.out, "users.toml"), "w", encoding="utf-8") as f:
        f.write("".join(lines))
    print(f"gen_data: {args.products} products, {args.customers} customers in {args.out}")


if __name__ == "__main__":
    main()
