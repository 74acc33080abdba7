"""Edit-to-reload latency of `gatehouse serve` on the shared corpus. Not a test.

Starts `gatehouse serve` on a copy of the corpus, listens on its reload channel, edits
one page's body N times and reports the time from each file write to the reload event
(p50, p95); then edits a template a few times (the templates are read again, nothing else:
reports the reload event and the edited page served, re-rendered) and site.toml (a full
rebuild of every page). With a fifth argument `--quick`, stops after the body edits.
"""
import os, shutil, socket, subprocess, sys, tempfile, threading, time, queue, statistics, urllib.request

binary, corpus, theme, edits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
quick = sys.argv[5:] == ["--quick"]
work = tempfile.mkdtemp(prefix="gatehouse-serve-bench-")
site = os.path.join(work, "site")
shutil.copytree(corpus, site, ignore=shutil.ignore_patterns("public"))
shutil.copytree(theme, os.path.join(site, "themes", "default"))
server = subprocess.Popen([binary, "serve", "-q", "--port", "0", "--root", site, "--state-dir", os.path.join(work, "state")],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    started = time.perf_counter()
    url = server.stdout.readline().split()[1].rstrip("/")
    host, port = url.removeprefix("http://").split(":")
    events = queue.Queue()

    def listen():
        sock = socket.create_connection((host, int(port)))
        sock.sendall(f"GET /__gatehouse/events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        buffer, event = b"", None
        while True:
            data = sock.recv(65536)
            if not data:
                return
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                line = line.decode(errors="replace").strip()
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    events.put((time.perf_counter(), event))

    threading.Thread(target=listen, daemon=True).start()
    _, first = events.get(timeout=120)
    print(f"serve: first build and first answer after {time.perf_counter() - started:.2f} s")

    def measure(path, make_text, count, expected="reload"):
        latencies = []
        for i in range(count):
            text = make_text(i)
            written = time.perf_counter()
            with open(path, "w") as f:
                f.write(text)
            while True:
                at, kind = events.get(timeout=60)
                if kind == expected:
                    latencies.append((at - written) * 1000)
                    break
            time.sleep(0.05)  # let the watcher settle: each edit is its own batch
        return latencies

    page = None
    for root, _, files in os.walk(os.path.join(site, "content")):
        for name in files:
            if name.endswith(".md") and name != "index.md":
                page = os.path.join(root, name)
                break
        if page:
            break
    original = open(page).read()
    body = measure(page, lambda i: original + f"\n\nEdit number {i}.\n", edits)
    q = statistics.quantiles(body, n=20)
    print(f"page body edit -> reload event, {edits} edits: p50 {statistics.median(body):.1f} ms, p95 {q[18]:.1f} ms, max {max(body):.1f} ms")
    if quick:
        sys.exit(0)

    template = os.path.join(site, "themes", "default", "templates", "page.html")
    original_template = open(template).read()
    page_url = url + "/" + os.path.relpath(page, os.path.join(site, "content"))[:-len(".md")] + "/"
    served = []

    def served_after(i):
        # Inside a block: text outside the blocks of a template that extends another is
        # not rendered.
        return original_template.replace('<article class="prose">', f'<article class="prose"><!-- edit {i} -->', 1)

    reloads = measure(template, served_after, 5)
    for i in range(5, 10):
        with open(template, "w") as f:
            f.write(served_after(i))
        written = time.perf_counter()
        while events.get(timeout=60)[1] != "reload":
            pass
        body = urllib.request.urlopen(page_url).read().decode()
        assert f"<!-- edit {i} -->" in body, "the page is rendered with the edited template"
        served.append((time.perf_counter() - written) * 1000)
        time.sleep(0.05)
    print(f"template edit -> templates read again -> reload event, 5 edits: median {statistics.median(reloads):.0f} ms, max {max(reloads):.0f} ms; "
          f"-> the edited page served: median {statistics.median(served):.0f} ms")
    config = os.path.join(site, "site.toml")
    original_config = open(config).read()
    full = measure(config, lambda i: original_config + f"\n# edit {i}\n", 5)
    print(f"site.toml edit -> full rebuild -> reload event, 5 edits: median {statistics.median(full):.0f} ms, max {max(full):.0f} ms")
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(work, ignore_errors=True)
