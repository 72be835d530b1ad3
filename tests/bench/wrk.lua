-- wrk script for tests/bench/run. Modes, by the BENCH_MODE environment variable:
--   fixed (default): the URL and -H headers given to wrk, unchanged.
--   zipf:     GET /api/v1/products/BN-nnnnn with a Zipf-distributed SKU (BENCH_SKUS, exponent
--             BENCH_ZIPF_S) and a Zipf-distributed buyer token bench-token-N (BENCH_CUSTOMERS).
--   distinct: a new (buyer, SKU) pair on every request, every other request a catalog page of
--             another size, to fill the cache with many distinct keys.
-- done() prints one JSON line with the figures tests/bench/bench.py reads.

local mode = os.getenv("BENCH_MODE") or "fixed"
local skus = tonumber(os.getenv("BENCH_SKUS") or "10000")
local customers = tonumber(os.getenv("BENCH_CUSTOMERS") or "50")
local s = tonumber(os.getenv("BENCH_ZIPF_S") or "1.0")
local threads = {}
local counter = 0
local offset = 0
local sku_cdf, customer_cdf

local function cdf(n)
  local c, sum = {}, 0
  for k = 1, n do
    sum = sum + 1 / (k ^ s)
    c[k] = sum
  end
  for k = 1, n do c[k] = c[k] / sum end
  return c
end

local function draw(c)
  local u = math.random()
  local lo, hi = 1, #c
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if c[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + offset * 7919)
  if mode == "zipf" then
    sku_cdf = cdf(skus)
    customer_cdf = cdf(customers)
  end
end

function request()
  if mode == "zipf" then
    local path = string.format("/api/v1/products/BN-%05d", draw(sku_cdf))
    local headers = { ["Authorization"] = "Bearer bench-token-" .. draw(customer_cdf) }
    return wrk.format("GET", path, headers)
  elseif mode == "distinct" then
    counter = counter + 1
    local n = counter * 16 + offset
    if counter % 2 == 0 then
      local per_page = 50 + (n % 51)
      local page = 1 + math.floor(n / 51) % 100
      local path = string.format("/api/v1/products?page=%d&per_page=%d", page, per_page)
      return wrk.format("GET", path, { ["Authorization"] = "Bearer bench-token-1" })
    end
    local sku = 1 + n % skus
    local customer = 1 + math.floor(n / skus) % customers
    local path = string.format("/api/v1/products/BN-%05d", sku)
    return wrk.format("GET", path, { ["Authorization"] = "Bearer bench-token-" .. customer })
  end
  return wrk.request()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
