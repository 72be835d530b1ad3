#!/usr/bin/env python3
"""A reference adapter: the server side of erpfront's HTTP adapter protocol (v1) in plain Python.

It stands in front of a CSV catalog (catalog.csv) and a customers file (customers.json) and keeps
new orders in memory, so it shows in one small file what an ERP-side service has to do: answer
the domain records as JSON with money as decimal strings, answer errors with
{"error": {"outcome", "message"}}, and create each order exactly once per customer and
idempotency key. The contract is src/erp/http/protocol.openapi.json.

Python 3.11 standard library only.

    python3 adapter.py PORT [--token TOKEN]

PORT 0 picks a free port. The first line printed is "reference adapter listening on http://...".
"""

import argparse
import csv
import json
import threading
import unicodedata
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

HERE = Path(__file__).resolve().parent
TAX_RATE = Decimal("0.19")
CENT = Decimal("0.01")
MAX_QUANTITY = 99_999
ORDER_STATUSES = {"received", "confirmed", "processing", "partially_shipped", "shipped",
                  "completed", "cancelled"}
MAX_PER_PAGE = 50
STATUS = {"not_found": 404, "rejected": 422, "unavailable": 503,
          "invalid_data": 400, "unsupported": 501, "timeout": 504}


class Failure(Exception):
    """Ends a request with the protocol's error body."""

    def __init__(self, outcome, message):
        super().__init__(message)
        self.outcome = outcome
        self.message = message


def cents(amount):
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount, currency):
    return {"amount": str(cents(amount)), "currency": currency}


def fold(text):
    """Lower case without accents: "Müller", "MÜLLER" and "Muller" all become "muller"."""
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.category(c).startswith("M")).lower()


def matches_words(needle, *haystacks):
    """Whether every word of needle (when given) is part of one of the haystacks, ignoring case
    and accents: the protocol's text semantics for the service desk's searches."""
    if needle is None:
        return True
    folded = [fold(h) for h in haystacks]
    return all(any(fold(w) in h for h in folded) for w in needle.split())


def one_page(found, page, per_page):
    """The page out of every hit, and whether a next page has any."""
    start = (page - 1) * per_page
    window = found[start:start + per_page + 1]
    return {"items": window[:per_page], "more": len(window) > per_page}


def now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class Erp:
    """The records, loaded once; orders and stock change in memory under one lock."""

    def __init__(self, directory):
        with open(directory / "catalog.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        self.products = {r["sku"]: r for r in rows}
        self.categories = {}
        for r in rows:
            self.categories.setdefault(r["category"], r["category_name"])
        self.stock = {r["sku"]: int(r["stock"]) for r in rows}
        with open(directory / "customers.json", encoding="utf-8") as f:
            self.customers = {c["id"]: c for c in json.load(f)}
        self.orders = []  # newest last
        self.by_key = {}  # (customer, key) -> order
        self.lock = threading.Lock()

    # Catalog ---------------------------------------------------------------------------------

    def product(self, sku):
        r = self.products.get(sku)
        if r is None:
            raise Failure("not_found", f"no product {sku}")
        return {"sku": r["sku"], "name": r["name"], "description": r["description"],
                "category": r["category"], "unit": r["unit"],
                "attributes": [{"name": "Unit", "value": r["unit"]}]}

    def search(self, text, category, page, per_page):
        words = (text or "").lower().split()
        found = [
            sku for sku, r in sorted(self.products.items())
            if (not category or r["category"] == category)
            and all(w in f"{sku} {r['name']} {r['description']}".lower() for w in words)
        ]
        start = (page - 1) * per_page
        return {"items": [self.product(s) for s in found[start:start + per_page]],
                "total": len(found), "page": page, "per_page": per_page}

    def customer(self, customer_id):
        c = self.customers.get(customer_id)
        if c is None:
            raise Failure("not_found", f"no customer {customer_id}")
        return c

    def unit_prices(self, c, sku):
        """The customer's price ladder for a product: [(min_quantity, unit_price)]."""
        base = Decimal(self.products[sku]["list_price"]) * Decimal(c["price_factor"])
        ladder = [(1, cents(base))]
        for tier in c["tiers"]:
            ladder.append((tier["min_quantity"], cents(base * Decimal(tier["factor"]))))
        return ladder

    def prices(self, customer_id, skus):
        c = self.customer(customer_id)
        as_of = now()
        return [{"sku": sku, "currency": c["currency"], "as_of": as_of,
                 "tiers": [{"min_quantity": q, "unit_price": str(p)}
                           for q, p in self.unit_prices(c, sku)]}
                for sku in distinct(skus) if sku in self.products]

    def availability(self, skus):
        as_of = now()
        with self.lock:
            return [{"sku": sku, "available": self.stock[sku],
                     "next_date": self.products[sku]["next_date"] or None, "as_of": as_of}
                    for sku in distinct(skus) if sku in self.products]

    # Orders ----------------------------------------------------------------------------------

    def create_order(self, customer_id, key, new):
        c = self.customer(customer_id)
        with self.lock:
            existing = self.by_key.get((customer_id, key))
            if existing is not None:
                return existing, False
            # Lines of the same SKU become one line, priced at the tier of their total quantity.
            quantities = {}
            for line in new["lines"]:
                if line["sku"] not in self.products:
                    raise Failure("rejected", f"Product {line['sku']} is not in the catalog.")
                quantities[line["sku"]] = quantities.get(line["sku"], 0) + line["quantity"]
            if not quantities:
                raise Failure("rejected", "The order has no lines.")
            for sku, quantity in quantities.items():
                if quantity > MAX_QUANTITY:
                    raise Failure("rejected", f"Product {sku} cannot be ordered in a quantity "
                                              f"above {MAX_QUANTITY}.")
            ship_to = c["ship_tos"][0]
            if new.get("ship_to") is not None:
                matches = [a for a in c["ship_tos"] if a["id"] == new["ship_to"]]
                if not matches:
                    raise Failure("rejected", "The chosen ship-to address is not one of yours.")
                ship_to = matches[0]
            lines, net = [], Decimal(0)
            for sku, quantity in quantities.items():
                unit_price = [p for q, p in self.unit_prices(c, sku) if q <= quantity][-1]
                line_net = cents(unit_price * quantity)
                net += line_net
                lines.append({"sku": sku, "name": self.products[sku]["name"],
                              "quantity": quantity, "unit": self.products[sku]["unit"],
                              "unit_price": money(unit_price, c["currency"]),
                              "net": money(line_net, c["currency"])})
                self.stock[sku] = max(0, self.stock[sku] - quantity)
            tax = cents(net * TAX_RATE)
            order = {
                "number": f"PY-{len(self.orders) + 1:06d}", "customer": customer_id,
                "po_number": new["po_number"], "status": "received",
                "placed_on": date.today().isoformat(), "ship_to": ship_to,
                "requested_date": new.get("requested_date"), "note": new.get("note"),
                "placed_by": new.get("placed_by"), "idempotency_key": key, "lines": lines,
                "totals": {"net": money(net, c["currency"]), "tax": money(tax, c["currency"]),
                           "gross": money(net + tax, c["currency"])},
                "deliveries": [],
            }
            self.orders.append(order)
            self.by_key[(customer_id, key)] = order
            return order, True

    def find_by_key(self, customer_id, key):
        self.customer(customer_id)
        with self.lock:
            return self.by_key.get((customer_id, key))

    def orders_of(self, customer_id):
        self.customer(customer_id)
        with self.lock:
            mine = [o for o in reversed(self.orders) if o["customer"] == customer_id]
        return [summary(o) for o in mine]

    def order(self, customer_id, number):
        with self.lock:
            for o in self.orders:
                if o["customer"] == customer_id and o["number"] == number:
                    return o
        raise Failure("not_found", f"no order {number}")

    # The service desk's searches across customers ------------------------------------------
    # An ERP would run these as a query with a limit of per_page + 1; the lists here are small.

    def search_orders(self, criteria, page, per_page):
        placed_from, placed_to = criteria.get("from"), criteria.get("to")
        with self.lock:
            orders = list(self.orders)
        hits = []
        for o in orders:
            c = self.customers[o["customer"]]
            if (matches_words(criteria.get("number"), o["number"])
                    and matches_words(criteria.get("po_number"), o["po_number"])
                    and matches_words(criteria.get("customer"), c["id"], c["name"])
                    and criteria.get("status") in (None, o["status"])
                    and (placed_from is None or o["placed_on"] >= placed_from)
                    and (placed_to is None or o["placed_on"] <= placed_to)):
                hits.append({"customer": c["id"], "customer_name": c["name"],
                             "order": summary(o)})
        hits.sort(key=lambda h: (h["order"]["placed_on"], h["order"]["number"]), reverse=True)
        return one_page(hits, page, per_page)

    def search_customers(self, text, page, per_page):
        found = sorted((c for c in self.customers.values()
                        if matches_words(text, c["id"], c["name"])),
                       key=lambda c: (c["name"], c["id"]))
        return one_page([{"id": c["id"], "name": c["name"], "city": c["bill_to"]["city"]}
                         for c in found], page, per_page)

    # Invoices --------------------------------------------------------------------------------

    def invoice(self, customer_id, number):
        c = self.customer(customer_id)
        for raw in c["invoices"]:
            if raw["number"] == number:
                return self.priced_invoice(c, raw)
        raise Failure("not_found", f"no invoice {number}")

    def invoices(self, customer_id):
        c = self.customer(customer_id)
        full = [self.priced_invoice(c, raw) for raw in c["invoices"]]
        full.sort(key=lambda i: (i["issued_on"], i["number"]), reverse=True)
        keep = ("number", "order_number", "issued_on", "due_on", "gross", "open_amount", "status")
        return [{k: i[k] for k in keep} for i in full]

    @staticmethod
    def priced_invoice(c, raw):
        cur = c["currency"]
        lines, net = [], Decimal(0)
        for line in raw["lines"]:
            unit_price = Decimal(line["unit_price"])
            line_net = cents(unit_price * line["quantity"])
            net += line_net
            lines.append({"sku": line["sku"], "description": line["description"],
                          "quantity": line["quantity"], "unit_price": money(unit_price, cur),
                          "net": money(line_net, cur)})
        tax = cents(net * TAX_RATE)
        gross = net + tax
        return {"number": raw["number"], "customer": c["id"],
                "order_number": raw["order_number"], "issued_on": raw["issued_on"],
                "due_on": raw["due_on"], "net": money(net, cur), "tax": money(tax, cur),
                "gross": money(gross, cur),
                "open_amount": money(gross if raw["status"] == "open" else Decimal(0), cur),
                "status": raw["status"], "lines": lines}


def summary(o):
    return {"number": o["number"], "po_number": o["po_number"], "status": o["status"],
            "placed_on": o["placed_on"], "gross": o["totals"]["gross"]}


def distinct(skus):
    seen = set()
    return [s for s in skus if not (s in seen or seen.add(s))]


def pdf(lines):
    """A one-page PDF with these lines of text (ASCII), built by hand."""
    text = "".join(f"({l.replace('(', '[').replace(')', ']')}) Tj T* " for l in lines)
    stream = f"BT /F1 11 Tf 14 TL 56 780 Td {text}ET".encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def paging(query):
    """page and per_page of a search, per_page brought within 1 to 50 as the protocol asks."""
    try:
        page = max(1, int(query.get("page", 1)))
        per_page = min(MAX_PER_PAGE, max(1, int(query.get("per_page", 25))))
    except ValueError:
        raise Failure("invalid_data", "page and per_page are numbers") from None
    return page, per_page


def order_criteria(query):
    """The criteria of GET /v1/orders; a search without any is refused, not run."""
    criteria = {k: query[k] for k in ("number", "po_number", "customer", "from", "to", "status")
                if query.get(k, "").strip()}
    if not criteria:
        raise Failure("invalid_data", "a search needs at least one of number, po_number, "
                                      "customer, from, to, status")
    for k in ("from", "to"):
        if k in criteria:
            try:
                criteria[k] = date.fromisoformat(criteria[k]).isoformat()
            except ValueError:
                raise Failure("invalid_data", f"{k} must be a date YYYY-MM-DD") from None
    if criteria.get("status", "received") not in ORDER_STATUSES:
        raise Failure("invalid_data", f"no order status {criteria['status']}")
    return criteria


def skus_of(body):
    skus = body.get("skus") if isinstance(body, dict) else None
    if not isinstance(skus, list) or not all(isinstance(s, str) for s in skus):
        raise Failure("invalid_data", 'the body must be {"skus": [...]}')
    return skus


def checked_order(body, customer_id):
    try:
        assert body["customer"] == customer_id, "the order's customer is not the one in the path"
        assert isinstance(body["po_number"], str), "po_number must be a string"
        lines = body["lines"]
        assert isinstance(lines, list), "lines must be a list"
        for line in lines:
            assert isinstance(line["sku"], str), "a line's sku must be a string"
            q = line["quantity"]
            assert type(q) is int and 1 <= q <= MAX_QUANTITY, "quantity must be 1 to 99999"
    except (AssertionError, KeyError, TypeError) as e:
        raise Failure("invalid_data", f"not an order: {e}") from None
    return body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    erp: Erp = None
    token: str | None = None

    def log_message(self, format, *args):  # quiet: tests read stdout
        pass

    def do_GET(self):
        self.handle_call("GET")

    def do_POST(self):
        self.handle_call("POST")

    # Other methods are answered too, so that they get the protocol's `unsupported` error body
    # rather than the standard library's HTML page.
    def do_PUT(self):
        self.handle_call("PUT")

    def do_DELETE(self):
        self.handle_call("DELETE")

    def do_PATCH(self):
        self.handle_call("PATCH")

    def handle_call(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        try:
            if self.token and self.headers.get("Authorization") != f"Bearer {self.token}":
                self.send_json(401, {"error": {"outcome": "unavailable",
                                               "message": "missing or wrong bearer token"}})
                return
            url = urlsplit(self.path)
            parts = [unquote(p) for p in url.path.split("/")[1:]]
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            body = None
            if method == "POST":
                try:
                    body = json.loads(raw_body or b"null", parse_float=Decimal)
                except ValueError as e:
                    raise Failure("invalid_data", f"the body is not JSON: {e}") from None
            status, answer = self.route(method, parts, query, body)
            if isinstance(answer, bytes):
                self.send_bytes(status, answer)
            else:
                self.send_json(status, answer)
        except Failure as f:
            self.send_json(STATUS[f.outcome],
                           {"error": {"outcome": f.outcome, "message": f.message}})

    def route(self, method, parts, query, body):
        erp = self.erp
        match (method, parts):
            case ("GET", ["v1", "health"]):
                return 200, {"status": "ok"}
            case ("GET", ["v1", "categories"]):
                return 200, {"items": [{"id": k, "name": v} for k, v in erp.categories.items()]}
            case ("GET", ["v1", "products"]):
                try:
                    page = max(1, int(query.get("page", 1)))
                    per_page = min(100, max(1, int(query.get("per_page", 20))))
                except ValueError:
                    raise Failure("invalid_data", "page and per_page are numbers") from None
                return 200, erp.search(query.get("text"), query.get("category"), page, per_page)
            case ("GET", ["v1", "products", sku]):
                return 200, erp.product(sku)
            case ("POST", ["v1", "availability"]):
                return 200, {"items": erp.availability(skus_of(body))}
            case ("GET", ["v1", "orders"]):
                return 200, erp.search_orders(order_criteria(query), *paging(query))
            case ("GET", ["v1", "customers"]):
                text = query.get("q", "")
                if not text.split():
                    raise Failure("invalid_data", "a customer search needs q")
                return 200, erp.search_customers(text, *paging(query))
            case ("GET", ["v1", "customers", customer]):
                c = erp.customer(customer)
                return 200, {k: c[k] for k in ("id", "name", "currency", "bill_to", "ship_tos")}
            case ("POST", ["v1", "customers", customer, "prices"]):
                return 200, {"items": erp.prices(customer, skus_of(body))}
            case ("POST", ["v1", "customers", customer, "orders"]):
                key = self.headers.get("Idempotency-Key")
                if not key:
                    raise Failure("invalid_data", "the Idempotency-Key header is required")
                order, created = erp.create_order(customer, key, checked_order(body, customer))
                return (201 if created else 200), order
            case ("GET", ["v1", "customers", customer, "orders"]):
                return 200, {"items": erp.orders_of(customer)}
            case ("GET", ["v1", "customers", customer, "orders", "by-key", key]):
                return 200, {"order": erp.find_by_key(customer, key)}
            case ("GET", ["v1", "customers", customer, "orders", number]):
                return 200, erp.order(customer, number)
            case ("GET", ["v1", "customers", customer, "invoices"]):
                return 200, {"items": erp.invoices(customer)}
            case ("GET", ["v1", "customers", customer, "invoices", number]):
                return 200, erp.invoice(customer, number)
            case ("GET", ["v1", "customers", customer, "invoices", number, "document"]):
                i = erp.invoice(customer, number)
                return 200, pdf([f"Invoice {i['number']}", f"Customer {customer}",
                                 f"Issued {i['issued_on']}, due {i['due_on']}",
                                 f"Gross {i['gross']['amount']} {i['gross']['currency']}"])
        raise Failure("unsupported", f"{method} {'/'.join(parts)} is not in protocol v1")

    def send_json(self, status, value):
        data = json.dumps(value, default=str).encode("utf-8")
        self.send_answer(status, "application/json", data)

    def send_bytes(self, status, data):
        self.send_answer(status, "application/pdf", data,
                         {"Content-Disposition": 'attachment; filename="invoice.pdf"'})

    def send_answer(self, status, content_type, data, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int, help="port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--token", help="require this bearer token")
    parser.add_argument("--data", type=Path, default=HERE,
                        help="directory with catalog.csv and customers.json")
    args = parser.parse_args()
    Handler.erp = Erp(args.data)
    Handler.token = args.token
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"reference adapter listening on http://127.0.0.1:{server.server_address[1]}",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
