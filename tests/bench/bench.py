#!/usr/bin/env python3
"""The measurements behind `bash tests/bench/run` (see the README's Performance section).

Starts the sandbox ERP (`erpfront erp-sim`) on a generated data set, erpfront in front of it
(`serve`, `[erp] kind = "http"`) and, unless --smoke, nginx with proxy_cache in front of the same
sim; all on 127.0.0.1. Prints a Markdown table and writes it to --out. Every process it starts is
ended when it stops, however it stops. Python standard library only.

--smoke runs only what needs neither nginx nor wrk (start-up, miss overhead, three-answer page,
stampede, ERP calls per request and memory with a Python load loop), briefly: it keeps the script
from rotting, and its figures mean nothing.
"""

import argparse
import base64
import http.client
import json
import math
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEMO_TOKEN = "demo-northwind"
HOT_SKU = "BN-00001"
PROCESSES = []


def say(text):
    print(f"bench: {text}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(name, argv, log_dir, env=None):
    say(f"starting {name}: {' '.join(argv)}")
    log = open(os.path.join(log_dir, f"{name}.log"), "ab")
    proc = subprocess.Popen(
        argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})}, start_new_session=True,
    )
    PROCESSES.append(proc)
    return proc


def stop(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    if proc in PROCESSES:
        PROCESSES.remove(proc)


def stop_all():
    for proc in list(PROCESSES):
        stop(proc)


def request(port, method, path, headers=None, body=None, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def wait_ready(port, path, deadline_s=30, interval=0.0005):
    """Polls until `path` answers 200; returns the seconds it took, from the call."""
    started = time.monotonic()
    while time.monotonic() - started < deadline_s:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"127.0.0.1:{port}{path} not ready after {deadline_s} s")


def calls(sim_port):
    return json.loads(request(sim_port, "GET", "/admin/calls")[2])


def calls_between(before, after):
    return {op: after.get(op, 0) - before.get(op, 0) for op in after if after.get(op, 0) != before.get(op, 0)}


def set_latency(sim_port, ms):
    say(f"sim latency {ms} ms")
    status, _, body = request(sim_port, "PUT", "/admin/faults", {"content-type": "application/json"},
                              json.dumps({"latency_ms": ms}))
    if status != 200:
        raise RuntimeError(f"cannot set the sim's latency: {status} {body!r}")


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def api_headers(token=DEMO_TOKEN):
    return {"Authorization": f"Bearer {token}"}


class Setup:
    """The generated data, the configuration, and the running sim and erpfront."""

    def __init__(self, args, tmp):
        self.args, self.tmp = args, tmp
        self.data = os.path.join(tmp, "data")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_data.py"), self.data,
                        "--products", str(args.products), "--customers", str(args.customers),
                        "--demo-users", os.path.join(ROOT, "fixtures/demo/users.toml")], check=True)
        self.key = base64.b64encode(os.urandom(64)).decode()
        self.sim_port = free_port()
        self.sim = start("erp-sim", [args.bin, "erp-sim", "--listen", f"127.0.0.1:{self.sim_port}",
                                     "--data", self.data, "--latency-ms", str(args.latency_ms)], tmp)
        wait_ready(self.sim_port, "/admin/calls")
        self.erpfront = None
        self.port = None
        # What the next erpfront started gets as its [cache]; phase 4b sizes it differently.
        self.cache_mib, self.popular_skus = args.cache_mib, args.popular_skus

    def config(self, port, metrics=True):
        path = os.path.join(self.tmp, f"erpfront-{port}.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"""[server]
listen = "127.0.0.1:{port}"
[metrics]
enabled = {"true" if metrics else "false"}
listen = "127.0.0.1:0"
[session]
key = "{self.key}"
[support]
company = "Bench Supply"
phone = "+49 30 555 0100"
email = "orders@bench.example"
[users]
file = "{os.path.join(self.data, 'users.toml')}"
[erp]
kind = "http"
base_url = "http://127.0.0.1:{self.sim_port}"
[cache]
max_bytes = {self.cache_mib * 1024 * 1024}
""")
            if self.popular_skus:
                f.write(f"popular_skus = {self.popular_skus}\n")
        return path

    def login_cookie(self):
        """Logs the demo buyer in as a browser would; returns the session cookie."""
        status, headers, body = request(self.port, "GET", "/login")
        cookie = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
        csrf = re.search(rb'name="csrf" value="([^"]+)"', body).group(1).decode()
        form = urllib.parse.urlencode({"login": "anna@northwind.example", "password": "demo",
                                       "csrf": csrf, "next": "/catalog"})
        status, headers, _ = request(self.port, "POST", "/login", {
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, form)
        session = [v.split(";")[0] for k, v in headers if k.lower() == "set-cookie"
                   and v.startswith("erpfront_session=")]
        if status != 303 or not session:
            raise RuntimeError(f"login failed: {status}")
        return session[0]


def measure_startup(setup, runs):
    """Starts erpfront `runs` times; the last one stays up for the other measurements."""
    times = []
    for _ in range(runs):
        setup.port = free_port()
        config = setup.config(setup.port)
        if setup.erpfront:
            stop(setup.erpfront)
        started = time.monotonic()
        setup.erpfront = start("erpfront", [setup.args.bin, "serve", "--config", config], setup.tmp)
        wait_ready(setup.port, "/readyz")
        times.append((time.monotonic() - started) * 1000)
    return statistics.median(times), min(times)


def timed_get(conn, path, headers):
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status}")
    return elapsed


def sequential(port, paths, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        return [timed_get(conn, path, headers) for path in paths]
    finally:
        conn.close()


def measure_miss_overhead(setup, skus):
    """Cold API requests through erpfront vs the same product call straight to the sim."""
    set_latency(setup.sim_port, 0)
    # Warm both connections and the customer-independent parts of the code paths.
    sequential(setup.port, [f"/api/v1/products/{HOT_SKU}"], api_headers())
    sequential(setup.sim_port, [f"/v1/products/{HOT_SKU}"], {})
    half = len(skus) // 2
    before = calls(setup.sim_port)
    via = sequential(setup.port, [f"/api/v1/products/{s}" for s in skus[:half]], api_headers())
    made = calls_between(before, calls(setup.sim_port))
    # Each request must have been a real miss, not served by an earlier call's prefetch.
    if any(made.get(op, 0) < half for op in ("product", "prices", "availability")):
        raise RuntimeError(f"cold requests were not all misses: {half} requests made {made}")
    direct = sequential(setup.sim_port, [f"/v1/products/{s}" for s in skus[half:]], {})
    return via, direct


def measure_three_answers(setup, skus, latency_ms):
    set_latency(setup.sim_port, latency_ms)
    try:
        return sequential(setup.port, [f"/api/v1/products/{s}" for s in skus], api_headers())
    finally:
        set_latency(setup.sim_port, setup.args.latency_ms)


def measure_stampede(setup, sku, concurrency):
    before = calls(setup.sim_port)
    barrier = threading.Barrier(concurrency)
    statuses = []
    lock = threading.Lock()

    def one():
        conn = http.client.HTTPConnection("127.0.0.1", setup.port, timeout=60)
        try:
            conn.connect()
            barrier.wait(timeout=60)
            conn.request("GET", f"/api/v1/products/{sku}", headers=api_headers())
            response = conn.getresponse()
            response.read()
            status = response.status
        except Exception as error:  # noqa: BLE001 - counted as a failure
            status = repr(error)
        finally:
            conn.close()
        with lock:
            statuses.append(status)

    threading.stack_size(256 * 1024)
    workers = [threading.Thread(target=one) for _ in range(concurrency)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    ok = sum(1 for s in statuses if s == 200)
    return ok, calls_between(before, calls(setup.sim_port))


def measure_metrics_cost(args, setup):
    """The cached API hit with metrics on and off: two fresh instances on one sim, warmed, then
    interleaved rounds (the order alternating), so that drift in the machine's load falls on
    both alike. Returns the row."""
    instances = {}
    for name, metrics in (("on", True), ("off", False)):
        port = free_port()
        proc = start(f"erpfront-metrics-{name}",
                     [args.bin, "serve", "--config", setup.config(port, metrics=metrics)], setup.tmp)
        wait_ready(port, "/readyz")
        sequential(port, [f"/api/v1/products/{HOT_SKU}"] * 20, api_headers())
        instances[name] = (port, proc)
    rounds = {name: [] for name in instances}
    path = f"/api/v1/products/{HOT_SKU}"
    try:
        for round_no in range(min(args.rounds, 2) if args.smoke else args.rounds):
            order = ["on", "off"] if round_no % 2 == 0 else ["off", "on"]
            for name in order:
                port = instances[name][0]
                if args.smoke:
                    total, _ = python_load(port, 1, lambda _i, _n: (path, api_headers()), threads=4)
                    rounds[name].append({"rps": total, "p50_us": float("nan")})
                else:
                    rounds[name].append(wrk(args, f"http://127.0.0.1:{port}{path}", args.round_seconds,
                                            headers=[f"Authorization: Bearer {DEMO_TOKEN}"]))
    finally:
        for _, proc in instances.values():
            stop(proc)
    rps = {name: statistics.median(r["rps"] for r in rs) for name, rs in rounds.items()}
    p50 = {name: statistics.median(r["p50_us"] for r in rs) / 1000 for name, rs in rounds.items()}
    ratio = rps["on"] / rps["off"]
    ms = lambda v: "p50 not measured" if math.isnan(v) else f"{v:.2f} ms"  # noqa: E731
    return (f"Cached API hit with metrics on vs off, {len(rounds['on'])} interleaved rounds: req/s, p50",
            f"{rps['on']:,.0f} req/s, {ms(p50['on'])}",
            f"{rps['off']:,.0f} req/s, {ms(p50['off'])} (metrics off)",
            f"{ratio:.3f}× ({(1 - ratio) * 100:+.1f} % cost)", "≥ 0.97×", verdict(ratio >= 0.97))


def python_load(port, seconds, next_request, threads=8):
    """A closed-loop load of `threads` keep-alive clients for `seconds`; returns (requests, ok)."""
    deadline = time.monotonic() + seconds
    counts = []

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = ok = 0
        while time.monotonic() < deadline:
            path, headers = next_request(index, n)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            n += 1
            ok += response.status == 200
        conn.close()
        counts.append((n, ok))

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(n for n, _ in counts), sum(ok for _, ok in counts)


class Zipf:
    def __init__(self, n, s):
        weights = [1 / (k ** s) for k in range(1, n + 1)]
        total, acc, self.cdf = sum(weights), 0.0, []
        for w in weights:
            acc += w
            self.cdf.append(acc / total)

    def draw(self, rng):
        import bisect
        return min(bisect.bisect_left(self.cdf, rng.random()), len(self.cdf) - 1) + 1


def zipf_request(args):
    import random
    skus, customers = Zipf(args.products, args.zipf_s), Zipf(args.customers, args.zipf_s)
    rngs = {}

    def next_request(index, _n):
        rng = rngs.setdefault(index, random.Random(index))
        path = f"/api/v1/products/BN-{skus.draw(rng):05d}"
        return path, api_headers(f"bench-token-{customers.draw(rng)}")

    return next_request


def distinct_request(args):
    def next_request(index, n):
        n = n * 16 + index
        if n % 2 == 0:
            return f"/api/v1/products?page={1 + (n // 51) % 100}&per_page={50 + n % 51}", api_headers("bench-token-1")
        sku, customer = 1 + n % args.products, 1 + (n // args.products) % args.customers
        return f"/api/v1/products/BN-{sku:05d}", api_headers(f"bench-token-{customer}")

    return next_request


def wrk(args, url, seconds, mode="fixed", headers=(), connections=64):
    argv = [args.wrk, "-t", str(args.wrk_threads), "-c", str(connections), "-d", f"{seconds}s",
            "--latency", "-s", os.path.join(HERE, "wrk.lua")]
    for h in headers:
        argv += ["-H", h]
    argv.append(url)
    env = {**os.environ, "BENCH_MODE": mode, "BENCH_SKUS": str(args.products),
           "BENCH_CUSTOMERS": str(args.customers), "BENCH_ZIPF_S": str(args.zipf_s)}
    say(f"wrk {mode}: {url} for {seconds} s with {connections} connections")
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=seconds + 60)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {out.stdout}\n{out.stderr}")
    result = json.loads(line[6:])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    if result["errors"] or result["non_2xx"]:
        say(f"  warning: {result['errors']} socket errors, {result['non_2xx']} non-2xx answers")
    return result


NGINX_CONF = """
worker_processes {workers};
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    proxy_cache_path {tmp}/nginx-cache levels=1:2 keys_zone=bench:10m max_size=256m inactive=10m use_temp_path=off;
    upstream sim {{ server 127.0.0.1:{sim_port}; keepalive 32; }}
    upstream erpfront {{ server 127.0.0.1:{erpfront_port}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_cache bench;
        proxy_cache_lock on;
        proxy_cache_valid 200 60s;
        # The sim's own answer for a product, cached.
        location /v1/ {{
            proxy_pass http://sim;
        }}
        # erpfront's product page for the logged-in demo buyer, cached once for everyone.
        location = /page {{
            proxy_pass http://erpfront/products/{sku};
            proxy_set_header Cookie "{cookie}";
            proxy_ignore_headers Cache-Control Expires Set-Cookie;
            proxy_hide_header Set-Cookie;
            proxy_cache_key "page";
        }}
    }}
}}
"""


def start_nginx(args, setup, cookie):
    port = free_port()
    conf = os.path.join(setup.tmp, "nginx.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(NGINX_CONF.format(
            workers=os.cpu_count() or 2, user="user root;" if os.geteuid() == 0 else "",
            tmp=setup.tmp, sim_port=setup.sim_port, erpfront_port=setup.port, port=port,
            sku=HOT_SKU, cookie=cookie))
    start("nginx", [args.nginx, "-c", conf, "-p", setup.tmp, "-g", "daemon off;"], setup.tmp)
    wait_ready(port, f"/v1/products/{HOT_SKU}")
    return port


def measure_zipf(args, setup, sized=False):
    """ERP calls per buyer request under Zipf traffic, as a table row; a sized run names its RSS."""
    before = calls(setup.sim_port)
    if args.smoke:
        total, ok = python_load(setup.port, args.duration, zipf_request(args))
        rate = total / args.duration
    else:
        result = wrk(args, f"http://127.0.0.1:{setup.port}/", args.duration, mode="zipf")
        total, ok, rate = result["requests"], result["requests"] - result["non_2xx"], result["rps"]
    made = calls_between(before, calls(setup.sim_port))
    per = sum(made.values()) / max(total, 1)
    conditions = f"cache {setup.cache_mib} MiB"
    if sized:
        conditions += (f" and popular_skus {setup.popular_skus}, "
                       f"peak RSS {vm(setup.erpfront.pid, 'VmHWM'):.0f} MiB")
    return (f"ERP calls per request, Zipf s={args.zipf_s}, {args.duration} s at {rate:,.0f} req/s, {conditions}",
            f"{sum(made.values())} calls / {total} requests", ", ".join(f"{k} {v}" for k, v in sorted(made.items())),
            f"{per:.3f}", "≤ 0.05", verdict(per <= 0.05 and ok == total))


def vm(pid, field):
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def verdict(ok):
    return "PASS" if ok else "MISS"


def main():
    parser = argparse.ArgumentParser(description="erpfront vs nginx, in one run")
    parser.add_argument("--bin", required=True, help="the erpfront binary")
    parser.add_argument("--smoke", action="store_true", help="brief, no nginx or wrk; figures mean nothing")
    parser.add_argument("--duration", type=int, default=60, help="seconds of Zipf traffic")
    parser.add_argument("--round-seconds", type=int, default=10, help="seconds per throughput round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per comparison")
    parser.add_argument("--fill-seconds", type=int, default=30, help="seconds of cache-filling load")
    parser.add_argument("--latency-ms", type=int, default=20, help="the sim's latency")
    parser.add_argument("--products", type=int, default=10000)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--zipf-s", type=float, default=1.0)
    parser.add_argument("--cache-mib", type=int, default=64)
    parser.add_argument("--popular-skus", type=int, help="erpfront's cache.popular_skus (default: its own)")
    parser.add_argument("--sized-cache-mib", type=int, default=512,
                        help="the cache bound of the second Zipf phase, sized for its working set")
    parser.add_argument("--sized-popular-skus", type=int, default=10000,
                        help="cache.popular_skus of the second Zipf phase")
    parser.add_argument("--stampede", type=int, default=1000)
    parser.add_argument("--misses", type=int, default=500, help="cold requests of each kind")
    parser.add_argument("--wrk", default="wrk")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--nginx", default="nginx")
    parser.add_argument("--out", default=os.path.join(ROOT, "target/bench/results.md"))
    parser.add_argument("--versus", metavar="OTHER_BIN",
                        help="instead of the full run, compare --bin with another build: the "
                             "cached API hit and the miss overhead, in interleaved rounds")
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.fill_seconds = min(args.duration, 2), min(args.fill_seconds, 2)
        args.stampede, args.misses = min(args.stampede, 200), min(args.misses, 40)
        args.products = min(args.products, 2000)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8192)), hard))

    def on_signal(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    tmp = tempfile.mkdtemp(prefix="erpfront-bench-")
    rows = []
    load_before = os.getloadavg()
    try:
        setup = Setup(args, tmp)
        if args.versus:
            rows = compare_builds(args, setup)
            return finish(args, rows, load_before, tmp)
        n = args.products
        cold = [f"BN-{i:05d}" for i in range(n - 2 * args.misses - 60, n - 60)]
        slow = [f"BN-{i:05d}" for i in range(n - 60, n - 10)][: max(10, args.misses // 10)]
        stampede_sku = f"BN-{n:05d}"

        say("7. start-up to ready")
        median_ms, best_ms = measure_startup(setup, 5 if not args.smoke else 2)
        rows.append(("Start-up to first ready /readyz", f"{median_ms:.1f} ms (best {best_ms:.1f})",
                     "", "", "≤ 100 ms", verdict(median_ms <= 100)))

        say("5. miss overhead (sim latency 0)")
        via, direct = measure_miss_overhead(setup, cold)
        p50 = pct(via, 50) - pct(direct, 50)
        p99 = pct(via, 99) - pct(direct, 99)
        rows.append(("Miss overhead, p50 / p99 (cold API request − direct sim call)",
                     f"{pct(via, 50):.2f} / {pct(via, 99):.2f} ms",
                     f"{pct(direct, 50):.2f} / {pct(direct, 99):.2f} ms (sim)",
                     f"{p50:+.2f} / {p99:+.2f} ms", "p50 ≤ 0.5 ms", verdict(p50 <= 0.5)))

        say("5. three ERP answers asked at once (sim latency 50 ms)")
        three = measure_three_answers(setup, slow, 50)
        ratio = pct(three, 50) / 50
        rows.append(("Cold product (product + price + availability) at 50 ms ERP latency, p50",
                     f"{pct(three, 50):.1f} ms", "50 ms (one ERP call)", f"{ratio:.2f}× one ERP latency",
                     "≤ 1.2×", verdict(ratio <= 1.2)))

        say(f"3. stampede: {args.stampede} concurrent requests for one cold SKU")
        ok, made = measure_stampede(setup, stampede_sku, args.stampede)
        worst = max(made.values()) if made else 0
        rows.append((f"Stampede: {args.stampede} concurrent requests, one cold SKU ({ok} answered 200)",
                     ", ".join(f"{k} {v}" for k, v in sorted(made.items())) or "none", "",
                     f"{worst} ERP call(s) per operation", "exactly 1",
                     verdict(made and ok == args.stampede and all(v == 1 for v in made.values()))))

        say("1. metrics' cost on the cached API hit (on vs off, interleaved)")
        rows.append(measure_metrics_cost(args, setup))

        if not args.smoke:
            cookie = setup.login_cookie()
            sequential(setup.port, [f"/api/v1/products/{HOT_SKU}"], api_headers())
            sequential(setup.port, [f"/products/{HOT_SKU}"], {"Cookie": cookie})
            nginx_port = start_nginx(args, setup, cookie)
            sequential(nginx_port, ["/page"], {})
            for label, target, ours, theirs in [
                ("1. cached API hit", 1.0,
                 (f"http://127.0.0.1:{setup.port}/api/v1/products/{HOT_SKU}", [f"Authorization: Bearer {DEMO_TOKEN}"]),
                 (f"http://127.0.0.1:{nginx_port}/v1/products/{HOT_SKU}", [])),
                ("2. cached product page", 0.8,
                 (f"http://127.0.0.1:{setup.port}/products/{HOT_SKU}", [f"Cookie: {cookie}"]),
                 (f"http://127.0.0.1:{nginx_port}/page", [])),
            ]:
                say(label)
                mine, nginx = [], []
                for _ in range(args.rounds):
                    mine.append(wrk(args, ours[0], args.round_seconds, headers=ours[1]))
                    nginx.append(wrk(args, theirs[0], args.round_seconds, headers=theirs[1]))
                rps = lambda rs: statistics.median(r["rps"] for r in rs)  # noqa: E731
                lat = lambda rs, k: statistics.median(r[k] for r in rs) / 1000  # noqa: E731
                r = rps(mine) / rps(nginx)
                name = ("Cached API hit, GET /api/v1/products/{sku} (auth + customer price)"
                        if target == 1.0 else "Cached product page, logged-in buyer")
                rows.append((f"{name}: req/s, p50 / p99",
                             f"{rps(mine):,.0f} req/s, {lat(mine, 'p50_us'):.2f} / {lat(mine, 'p99_us'):.2f} ms",
                             f"{rps(nginx):,.0f} req/s, {lat(nginx, 'p50_us'):.2f} / {lat(nginx, 'p99_us'):.2f} ms (nginx)",
                             f"{r:.2f}× nginx", f"≥ {target}×", verdict(r >= target)))

        say(f"4. ERP calls per request: {args.duration} s of Zipf traffic over {args.products} SKUs, "
            f"{args.customers} buyers, cache {setup.cache_mib} MiB")
        rows.append(measure_zipf(args, setup))

        say(f"4. again, with a cache sized for the working set: {args.sized_cache_mib} MiB, "
            f"popular_skus {args.sized_popular_skus}")
        setup.cache_mib, setup.popular_skus = args.sized_cache_mib, args.sized_popular_skus
        measure_startup(setup, 1)
        rows.append(measure_zipf(args, setup, sized=True))
        setup.cache_mib, setup.popular_skus = args.cache_mib, args.popular_skus

        say(f"6. memory: {args.fill_seconds} s of distinct keys against a {args.cache_mib} MiB cache (sim latency 0)")
        set_latency(setup.sim_port, 0)
        # A fresh process, so that its peak RSS is the cache's and not that of the 1,000
        # connections of the stampede or of earlier phases.
        measure_startup(setup, 1)
        if args.smoke:
            total, _ = python_load(setup.port, args.fill_seconds, distinct_request(args))
        else:
            total = wrk(args, f"http://127.0.0.1:{setup.port}/", args.fill_seconds, mode="distinct")["requests"]
        peak = vm(setup.erpfront.pid, "VmHWM")
        now = vm(setup.erpfront.pid, "VmRSS")
        rows.append((f"Peak RSS, cache bound {args.cache_mib} MiB, {total:,} requests for distinct keys",
                     f"{peak:.0f} MiB peak ({now:.0f} MiB now)", "", "", "≤ 128 MiB", verdict(peak <= 128)))
    finally:
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    finish(args, rows, load_before, tmp)


def finish(args, rows, load_before, tmp):
    stop_all()
    shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()
    lines = [
        "| measurement | erpfront | baseline | figure | target | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ] + [f"| {' | '.join(r)} |" for r in rows]
    header = [
        f"erpfront benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{'SMOKE MODE: figures are meaningless, ' if args.smoke else ''}"
        f"{os.cpu_count()} cores, load average {load_before[0]:.2f} before / {load_after[0]:.2f} after, "
        f"sim latency {args.latency_ms} ms, cache {args.cache_mib} MiB"
        f"{f', popular_skus {args.popular_skus}' if args.popular_skus else ''}, "
        f"binary {os.path.relpath(args.bin, ROOT)}"
        f"{f' versus {os.path.relpath(args.versus, ROOT)}' if args.versus else ''}",
        "",
    ]
    text = "\n".join(header + lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print("\n" + text)
    say(f"written to {args.out}")


def compare_builds(args, setup):
    """Two builds side by side on one sim: interleaved rounds of the cached API hit, and of cold
    requests (each build gets the same SKUs, cold in its own cache) against direct sim calls."""
    builds = {}
    for name, binary in (("this", args.bin), ("other", args.versus)):
        port = free_port()
        proc = start(f"erpfront-{name}", [binary, "serve", "--config", setup.config(port)], setup.tmp)
        wait_ready(port, "/readyz")
        builds[name] = (port, proc)
    set_latency(setup.sim_port, 0)
    n = args.products
    hit = {name: [] for name in builds}
    via = {name: [] for name in builds}
    direct = []
    headers = [f"Authorization: Bearer {DEMO_TOKEN}"]
    for name, (port, _) in builds.items():
        sequential(port, [f"/api/v1/products/{HOT_SKU}"], api_headers())
    for round_no in range(args.rounds):
        start_sku = n - 60 - (round_no + 1) * args.misses
        cold = [f"BN-{i:05d}" for i in range(start_sku, start_sku + args.misses)]
        say(f"round {round_no + 1} of {args.rounds}")
        order = list(builds.items()) if round_no % 2 == 0 else list(reversed(builds.items()))
        for name, (port, _) in order:
            via[name] += sequential(port, [f"/api/v1/products/{s}" for s in cold], api_headers())
        direct += sequential(setup.sim_port, [f"/v1/products/{s}" for s in cold], {})
        if not args.smoke:
            for name, (port, _) in order:
                hit[name].append(wrk(args, f"http://127.0.0.1:{port}/api/v1/products/{HOT_SKU}",
                                     args.round_seconds, headers=headers))
    rows = []
    for name, binary in (("this", args.bin), ("other", args.versus)):
        label = f"{name} build ({os.path.relpath(binary, ROOT)})"
        rows.append((f"{label}: miss overhead, p50 / p99 (cold API request − direct sim call)",
                     f"{pct(via[name], 50):.2f} / {pct(via[name], 99):.2f} ms",
                     f"{pct(direct, 50):.2f} / {pct(direct, 99):.2f} ms (sim)",
                     f"{pct(via[name], 50) - pct(direct, 50):+.2f} / {pct(via[name], 99) - pct(direct, 99):+.2f} ms",
                     "p50 ≤ 0.5 ms", verdict(pct(via[name], 50) - pct(direct, 50) <= 0.5)))
        if hit[name]:
            rps = [r["rps"] for r in hit[name]]
            rows.append((f"{label}: cached API hit, req/s per round",
                         ", ".join(f"{r:,.0f}" for r in rps),
                         f"median {statistics.median(rps):,.0f}",
                         f"p50 {statistics.median(r['p50_us'] for r in hit[name]) / 1000:.2f} ms, "
                         f"p99 {statistics.median(r['p99_us'] for r in hit[name]) / 1000:.2f} ms", "", ""))
    return rows


if __name__ == "__main__":
    try:
        main()
    finally:
        stop_all()
