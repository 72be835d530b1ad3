#!/usr/bin/env node
// A reference adapter: the server side of erpfront's HTTP adapter protocol (v1) in plain Node.js.
//
// The same ERP as the Python reference adapter (../reference_adapter/adapter.py), from the same
// files: a CSV catalog (catalog.csv) and a customers file (customers.json), with new orders kept
// in memory. It answers the domain records as JSON with money as decimal strings, errors as
// {"error": {"outcome", "message"}}, and creates each order exactly once per customer and
// idempotency key. The contract is src/erp/http/protocol.openapi.json.
//
// Node.js 18 or later, standard library only.
//
//     node adapter.js PORT [--token TOKEN] [--data DIR]
//
// PORT 0 picks a free port. The first line printed is "reference adapter listening on http://...".

"use strict";

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { parseArgs } = require("node:util");

const MAX_QUANTITY = 99_999;
const ORDER_STATUSES = new Set(["received", "confirmed", "processing", "partially_shipped",
  "shipped", "completed", "cancelled"]);
const MAX_PER_PAGE = 50;
const STATUS = { not_found: 404, rejected: 422, unavailable: 503, invalid_data: 400,
  unsupported: 501, timeout: 504 };

/** Ends a request with the protocol's error body. */
class Failure extends Error {
  constructor(outcome, message) {
    super(message);
    this.outcome = outcome;
  }
}

// Money -----------------------------------------------------------------------------------------
// JavaScript numbers are binary floats: 0.1 + 0.2 is not 0.3. Money is kept as a BigInt count of
// units at a scale (14.20 is {units: 1420n, scale: 2}) and leaves as a decimal string, as the
// protocol asks; it is never a JSON number.

function decimal(text) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text).trim());
  if (!m) throw new Error(`not a decimal: ${text}`);
  const fraction = m[3] || "";
  const units = BigInt(m[2] + fraction);
  return { units: m[1] ? -units : units, scale: fraction.length };
}

const ZERO = { units: 0n, scale: 2 };
const TAX_RATE = decimal("0.19");

function times(a, b) {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

function timesInteger(a, n) {
  return { units: a.units * BigInt(n), scale: a.scale };
}

/** Rounded half away from zero to two places, as Python's ROUND_HALF_UP does. */
function cents(a) {
  if (a.scale <= 2) return { units: a.units * 10n ** BigInt(2 - a.scale), scale: 2 };
  const divisor = 10n ** BigInt(a.scale - 2);
  const magnitude = a.units < 0n ? -a.units : a.units;
  let rounded = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) rounded += 1n;
  return { units: a.units < 0n ? -rounded : rounded, scale: 2 };
}

/** The sum of amounts in cents. */
function plus(a, b) {
  return { units: cents(a).units + cents(b).units, scale: 2 };
}

function text(a) {
  const c = cents(a);
  const magnitude = (c.units < 0n ? -c.units : c.units).toString().padStart(3, "0");
  const sign = c.units < 0n ? "-" : "";
  return `${sign}${magnitude.slice(0, -2)}.${magnitude.slice(-2)}`;
}

function money(amount, currency) {
  return { amount: text(amount), currency };
}

// Text ------------------------------------------------------------------------------------------

/** Lower case without accents: "Müller", "MÜLLER" and "Muller" all become "muller". */
function fold(s) {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

function words(s) {
  return s.split(/\s+/).filter(Boolean);
}

/** Whether every word of needle (when given) is part of one of the haystacks, ignoring case and
 * accents: the protocol's text semantics for the service desk's searches. */
function matchesWords(needle, ...haystacks) {
  if (needle === undefined) return true;
  const folded = haystacks.map(fold);
  return words(needle).every((w) => folded.some((h) => h.includes(fold(w))));
}

/** The page out of every hit, and whether a next page has any. */
function onePage(found, page, perPage) {
  const start = (page - 1) * perPage;
  const window = found.slice(start, start + perPage + 1);
  return { items: window.slice(0, perPage), more: window.length > perPage };
}

function now() {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

function today() {
  const d = new Date();
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** A comparator by the keys keyOf gives, ascending (direction 1) or descending (-1). */
function byKeys(keyOf, direction) {
  return (a, b) => {
    const [ka, kb] = [keyOf(a), keyOf(b)];
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -direction : direction;
    }
    return 0;
  };
}

function distinct(skus) {
  return [...new Set(skus)];
}

// The ERP ---------------------------------------------------------------------------------------

/** A CSV line split into fields; the catalog quotes fields that hold commas. */
function csvFields(line) {
  const fields = [];
  const field = /("([^"]|"")*"|[^,]*)(,|$)/g;
  let m;
  while ((m = field.exec(line)) !== null) {
    const raw = m[1];
    fields.push(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw);
    if (m[3] === "") break;
  }
  return fields;
}

/** The records, loaded once; orders and stock change in memory. Node runs one request handler
 * at a time, so no lock is needed: nothing here awaits between reading and writing. */
class Erp {
  constructor(directory) {
    const [header, ...rows] = fs.readFileSync(path.join(directory, "catalog.csv"), "utf8")
      .split(/\r?\n/).filter((l) => l.trim() !== "").map(csvFields);
    const records = rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
    this.products = new Map(records.map((r) => [r.sku, r]));
    this.categories = new Map();
    for (const r of records) {
      if (!this.categories.has(r.category)) this.categories.set(r.category, r.category_name);
    }
    this.stock = new Map(records.map((r) => [r.sku, Number.parseInt(r.stock, 10)]));
    const customers = JSON.parse(fs.readFileSync(path.join(directory, "customers.json"), "utf8"));
    this.customers = new Map(customers.map((c) => [c.id, c]));
    this.orders = []; // newest last
    this.byKey = new Map(); // JSON [customer, key] -> order
  }

  // Catalog -------------------------------------------------------------------------------------

  product(sku) {
    const r = this.products.get(sku);
    if (r === undefined) throw new Failure("not_found", `no product ${sku}`);
    return { sku: r.sku, name: r.name, description: r.description, category: r.category,
      unit: r.unit, attributes: [{ name: "Unit", value: r.unit }] };
  }

  search(query, category, page, perPage) {
    const wanted = words((query || "").toLowerCase());
    const found = [...this.products.keys()].sort().filter((sku) => {
      const r = this.products.get(sku);
      const haystack = `${sku} ${r.name} ${r.description}`.toLowerCase();
      return (!category || r.category === category) && wanted.every((w) => haystack.includes(w));
    });
    const start = (page - 1) * perPage;
    return { items: found.slice(start, start + perPage).map((s) => this.product(s)),
      total: found.length, page, per_page: perPage };
  }

  customer(customerId) {
    const c = this.customers.get(customerId);
    if (c === undefined) throw new Failure("not_found", `no customer ${customerId}`);
    return c;
  }

  /** The customer's price ladder for a product: [[minQuantity, unitPrice]]. */
  unitPrices(c, sku) {
    const base = times(decimal(this.products.get(sku).list_price), decimal(c.price_factor));
    return [[1, cents(base)],
      ...c.tiers.map((t) => [t.min_quantity, cents(times(base, decimal(t.factor)))])];
  }

  prices(customerId, skus) {
    const c = this.customer(customerId);
    const asOf = now();
    return distinct(skus).filter((s) => this.products.has(s)).map((sku) => ({
      sku, currency: c.currency, as_of: asOf,
      tiers: this.unitPrices(c, sku).map(([q, p]) => ({ min_quantity: q, unit_price: text(p) })),
    }));
  }

  availability(skus) {
    const asOf = now();
    return distinct(skus).filter((s) => this.products.has(s)).map((sku) => ({
      sku, available: this.stock.get(sku),
      next_date: this.products.get(sku).next_date || null, as_of: asOf,
    }));
  }

  // Orders --------------------------------------------------------------------------------------

  createOrder(customerId, key, order) {
    const c = this.customer(customerId);
    const existing = this.byKey.get(JSON.stringify([customerId, key]));
    if (existing !== undefined) return [existing, false];
    // Lines of the same SKU become one line, priced at the tier of their total quantity.
    const quantities = new Map();
    for (const line of order.lines) {
      if (!this.products.has(line.sku)) {
        throw new Failure("rejected", `Product ${line.sku} is not in the catalog.`);
      }
      quantities.set(line.sku, (quantities.get(line.sku) || 0) + line.quantity);
    }
    if (quantities.size === 0) throw new Failure("rejected", "The order has no lines.");
    for (const [sku, quantity] of quantities) {
      if (quantity > MAX_QUANTITY) {
        throw new Failure("rejected",
          `Product ${sku} cannot be ordered in a quantity above ${MAX_QUANTITY}.`);
      }
    }
    let shipTo = c.ship_tos[0];
    if (order.ship_to !== undefined && order.ship_to !== null) {
      shipTo = c.ship_tos.find((a) => a.id === order.ship_to);
      if (shipTo === undefined) {
        throw new Failure("rejected", "The chosen ship-to address is not one of yours.");
      }
    }
    const lines = [];
    let net = ZERO;
    for (const [sku, quantity] of quantities) {
      const product = this.products.get(sku);
      const unitPrice = this.unitPrices(c, sku).filter(([q]) => q <= quantity).at(-1)[1];
      const lineNet = cents(timesInteger(unitPrice, quantity));
      net = plus(net, lineNet);
      lines.push({ sku, name: product.name, quantity, unit: product.unit,
        unit_price: money(unitPrice, c.currency), net: money(lineNet, c.currency) });
      this.stock.set(sku, Math.max(0, this.stock.get(sku) - quantity));
    }
    const tax = cents(times(net, TAX_RATE));
    const created = {
      number: `JS-${String(this.orders.length + 1).padStart(6, "0")}`, customer: customerId,
      po_number: order.po_number, status: "received", placed_on: today(), ship_to: shipTo,
      requested_date: order.requested_date ?? null, note: order.note ?? null,
      placed_by: order.placed_by ?? null, idempotency_key: key, lines,
      totals: { net: money(net, c.currency), tax: money(tax, c.currency),
        gross: money(plus(net, tax), c.currency) },
      deliveries: [],
    };
    this.orders.push(created);
    this.byKey.set(JSON.stringify([customerId, key]), created);
    return [created, true];
  }

  findByKey(customerId, key) {
    this.customer(customerId);
    return this.byKey.get(JSON.stringify([customerId, key])) ?? null;
  }

  ordersOf(customerId) {
    this.customer(customerId);
    return this.orders.filter((o) => o.customer === customerId).reverse().map(summary);
  }

  order(customerId, number) {
    const found = this.orders.find((o) => o.customer === customerId && o.number === number);
    if (found === undefined) throw new Failure("not_found", `no order ${number}`);
    return found;
  }

  // The service desk's searches across customers --------------------------------------------
  // An ERP would run these as a query with a limit of per_page + 1; the lists here are small.

  searchOrders(criteria, page, perPage) {
    const hits = this.orders.filter((o) => {
      const c = this.customers.get(o.customer);
      return matchesWords(criteria.number, o.number)
        && matchesWords(criteria.po_number, o.po_number)
        && matchesWords(criteria.customer, c.id, c.name)
        && (criteria.status === undefined || criteria.status === o.status)
        && (criteria.from === undefined || o.placed_on >= criteria.from)
        && (criteria.to === undefined || o.placed_on <= criteria.to);
    }).map((o) => ({ customer: o.customer, customer_name: this.customers.get(o.customer).name,
      order: summary(o) }));
    hits.sort(byKeys((h) => [h.order.placed_on, h.order.number], -1));
    return onePage(hits, page, perPage);
  }

  searchCustomers(needle, page, perPage) {
    const found = [...this.customers.values()]
      .filter((c) => matchesWords(needle, c.id, c.name))
      .sort(byKeys((c) => [c.name, c.id], 1));
    return onePage(found.map((c) => ({ id: c.id, name: c.name, city: c.bill_to.city })),
      page, perPage);
  }

  // Invoices ------------------------------------------------------------------------------------

  invoice(customerId, number) {
    const c = this.customer(customerId);
    const raw = c.invoices.find((i) => i.number === number);
    if (raw === undefined) throw new Failure("not_found", `no invoice ${number}`);
    return pricedInvoice(c, raw);
  }

  invoices(customerId) {
    const c = this.customer(customerId);
    const full = c.invoices.map((raw) => pricedInvoice(c, raw));
    full.sort(byKeys((i) => [i.issued_on, i.number], -1));
    return full.map(({ number, order_number, issued_on, due_on, gross, open_amount, status }) =>
      ({ number, order_number, issued_on, due_on, gross, open_amount, status }));
  }
}

function pricedInvoice(c, raw) {
  const cur = c.currency;
  const lines = [];
  let net = ZERO;
  for (const line of raw.lines) {
    const unitPrice = decimal(line.unit_price);
    const lineNet = cents(timesInteger(unitPrice, line.quantity));
    net = plus(net, lineNet);
    lines.push({ sku: line.sku, description: line.description, quantity: line.quantity,
      unit_price: money(unitPrice, cur), net: money(lineNet, cur) });
  }
  const tax = cents(times(net, TAX_RATE));
  const gross = plus(net, tax);
  return { number: raw.number, customer: c.id, order_number: raw.order_number,
    issued_on: raw.issued_on, due_on: raw.due_on, net: money(net, cur), tax: money(tax, cur),
    gross: money(gross, cur), open_amount: money(raw.status === "open" ? gross : ZERO, cur),
    status: raw.status, lines };
}

function summary(o) {
  return { number: o.number, po_number: o.po_number, status: o.status, placed_on: o.placed_on,
    gross: o.totals.gross };
}

/** A one-page PDF with these lines of text (ASCII), built by hand. */
function pdf(lines) {
  const body = lines.map((l) => `(${l.replace(/\(/g, "[").replace(/\)/g, "]")}) Tj T* `).join("");
  const stream = `BT /F1 11 Tf 14 TL 56 780 Td ${body}ET`.replace(/[^\x00-\x7f]/g, "?");
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
      + "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
  ];
  let out = "%PDF-1.4\n";
  const offsets = objects.map((object, i) => {
    const offset = out.length;
    out += `${i + 1} 0 obj\n${object}\nendobj\n`;
    return offset;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

// Requests --------------------------------------------------------------------------------------

function whole(value) {
  if (!/^\s*[+-]?\d+\s*$/.test(value)) {
    throw new Failure("invalid_data", "page and per_page are numbers");
  }
  return Number.parseInt(value, 10);
}

/** page and per_page of a search, per_page brought within 1 to max as the protocol asks. */
function paging(query, perPageByDefault, max) {
  const page = Math.max(1, whole(query.page ?? "1"));
  const perPage = Math.min(max, Math.max(1, whole(query.per_page ?? `${perPageByDefault}`)));
  return [page, perPage];
}

function isDate(s) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** The criteria of GET /v1/orders; a search without any is refused, not run. */
function orderCriteria(query) {
  const criteria = {};
  for (const k of ["number", "po_number", "customer", "from", "to", "status"]) {
    if (query[k] !== undefined && query[k].trim() !== "") criteria[k] = query[k];
  }
  if (Object.keys(criteria).length === 0) {
    throw new Failure("invalid_data",
      "a search needs at least one of number, po_number, customer, from, to, status");
  }
  for (const k of ["from", "to"]) {
    if (k in criteria) {
      criteria[k] = criteria[k].trim();
      if (!isDate(criteria[k])) throw new Failure("invalid_data", `${k} must be a date YYYY-MM-DD`);
    }
  }
  if (criteria.status !== undefined && !ORDER_STATUSES.has(criteria.status)) {
    throw new Failure("invalid_data", `no order status ${criteria.status}`);
  }
  return criteria;
}

function skusOf(body) {
  const skus = body !== null && typeof body === "object" ? body.skus : undefined;
  if (!Array.isArray(skus) || !skus.every((s) => typeof s === "string")) {
    throw new Failure("invalid_data", 'the body must be {"skus": [...]}');
  }
  return skus;
}

function checkedOrder(body, customerId) {
  const problem = (() => {
    if (body === null || typeof body !== "object" || Array.isArray(body)) return "not an object";
    if (body.customer !== customerId) return "the order's customer is not the one in the path";
    if (typeof body.po_number !== "string") return "po_number must be a string";
    if (!Array.isArray(body.lines)) return "lines must be a list";
    for (const line of body.lines) {
      if (line === null || typeof line !== "object") return "a line must be an object";
      if (typeof line.sku !== "string") return "a line's sku must be a string";
      const q = line.quantity;
      if (!Number.isInteger(q) || q < 1 || q > MAX_QUANTITY) return "quantity must be 1 to 99999";
    }
    return null;
  })();
  if (problem !== null) throw new Failure("invalid_data", `not an order: ${problem}`);
  return body;
}

/** The first value of each query parameter; blank ones count as absent, as in the Python one. */
function queryOf(url) {
  const query = {};
  for (const [k, v] of url.searchParams) {
    if (v !== "" && !(k in query)) query[k] = v;
  }
  return query;
}

function route(erp, method, parts, query, body, headers) {
  const [v1, resource, id, sub, subId, extra] = parts;
  const n = parts.length;
  const is = (m, ...shape) => method === m && n === shape.length
    && shape.every((s, i) => s === null || s === parts[i]);
  if (v1 !== "v1") return null;
  if (is("GET", "v1", "health")) return [200, { status: "ok" }];
  if (is("GET", "v1", "categories")) {
    return [200, { items: [...erp.categories].map(([k, v]) => ({ id: k, name: v })) }];
  }
  if (is("GET", "v1", "products")) {
    return [200, erp.search(query.text, query.category, ...paging(query, 20, 100))];
  }
  if (is("GET", "v1", "products", null)) return [200, erp.product(id)];
  if (is("POST", "v1", "availability")) return [200, { items: erp.availability(skusOf(body)) }];
  if (is("GET", "v1", "orders")) {
    return [200, erp.searchOrders(orderCriteria(query), ...paging(query, 25, MAX_PER_PAGE))];
  }
  if (is("GET", "v1", "customers")) {
    const needle = query.q ?? "";
    if (words(needle).length === 0) throw new Failure("invalid_data", "a customer search needs q");
    return [200, erp.searchCustomers(needle, ...paging(query, 25, MAX_PER_PAGE))];
  }
  if (resource !== "customers") return null;
  if (is("GET", "v1", "customers", null)) {
    const c = erp.customer(id);
    return [200, { id: c.id, name: c.name, currency: c.currency, bill_to: c.bill_to,
      ship_tos: c.ship_tos }];
  }
  if (is("POST", "v1", "customers", null, "prices")) {
    return [200, { items: erp.prices(id, skusOf(body)) }];
  }
  if (is("POST", "v1", "customers", null, "orders")) {
    const key = headers["idempotency-key"];
    if (!key) throw new Failure("invalid_data", "the Idempotency-Key header is required");
    const [order, created] = erp.createOrder(id, key, checkedOrder(body, id));
    return [created ? 201 : 200, order];
  }
  if (is("GET", "v1", "customers", null, "orders")) return [200, { items: erp.ordersOf(id) }];
  if (is("GET", "v1", "customers", null, "orders", "by-key", null)) {
    return [200, { order: erp.findByKey(id, extra) }];
  }
  if (is("GET", "v1", "customers", null, "orders", null)) return [200, erp.order(id, subId)];
  if (is("GET", "v1", "customers", null, "invoices")) return [200, { items: erp.invoices(id) }];
  if (is("GET", "v1", "customers", null, "invoices", null)) {
    return [200, erp.invoice(id, subId)];
  }
  if (is("GET", "v1", "customers", null, "invoices", null, "document")) {
    const i = erp.invoice(id, subId);
    return [200, pdf([`Invoice ${i.number}`, `Customer ${id}`,
      `Issued ${i.issued_on}, due ${i.due_on}`, `Gross ${i.gross.amount} ${i.gross.currency}`])];
  }
  return null;
}

function send(response, status, contentType, data, headers = {}) {
  response.writeHead(status, { "Content-Type": contentType, "Content-Length": data.length,
    ...headers });
  response.end(data);
}

function sendJson(response, status, value) {
  send(response, status, "application/json", Buffer.from(JSON.stringify(value), "utf8"));
}

function handle(erp, token, request, response, raw) {
  if (token && request.headers.authorization !== `Bearer ${token}`) {
    sendJson(response, 401, { error: { outcome: "unavailable",
      message: "missing or wrong bearer token" } });
    return;
  }
  const url = new URL(request.url, "http://adapter");
  // Split before decoding, so that an invoice number's %2F stays inside its segment.
  const parts = url.pathname.split("/").slice(1).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      throw new Failure("invalid_data", `the path segment ${p} is not percent-encoded text`);
    }
  });
  let body = null;
  if (request.method === "POST") {
    try {
      body = JSON.parse(raw.length ? raw.toString("utf8") : "null");
    } catch (e) {
      throw new Failure("invalid_data", `the body is not JSON: ${e.message}`);
    }
  }
  const answer = route(erp, request.method, parts, queryOf(url), body, request.headers);
  if (answer === null) {
    throw new Failure("unsupported", `${request.method} ${parts.join("/")} is not in protocol v1`);
  }
  const [status, value] = answer;
  if (Buffer.isBuffer(value)) {
    send(response, status, "application/pdf", value,
      { "Content-Disposition": 'attachment; filename="invoice.pdf"' });
  } else {
    sendJson(response, status, value);
  }
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      token: { type: "string" },
      data: { type: "string", default: path.join(__dirname, "..", "reference_adapter") },
    },
  });
  if (positionals.length !== 1 || !/^\d+$/.test(positionals[0])) {
    process.stderr.write("usage: node adapter.js PORT [--token TOKEN] [--data DIR]\n");
    process.exit(2);
  }
  const erp = new Erp(values.data);
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      try {
        handle(erp, values.token, request, response, Buffer.concat(chunks));
      } catch (e) {
        if (!(e instanceof Failure)) {
          process.stderr.write(`${e.stack}\n`);
          e = new Failure("unavailable", "the adapter failed; see its log");
        }
        sendJson(response, STATUS[e.outcome], { error: { outcome: e.outcome, message: e.message } });
      }
    });
  });
  server.listen(Number(positionals[0]), "127.0.0.1", () => {
    console.log(`reference adapter listening on http://127.0.0.1:${server.address().port}`);
  });
}

main();
