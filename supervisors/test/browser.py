"""A real browser for supervisors/test: headless Chromium driven over the DevTools protocol.

Python's standard library only: Chromium is started with --remote-debugging-pipe, so the
protocol's JSON messages (each ended by a NUL byte) go over two pipes, its file descriptors 3
(commands in) and 4 (answers and events out), and no WebSocket client is needed.

    with Browser() as browser:
        page = browser.open("http://127.0.0.1:8001/", ready="document.querySelector('h1')")
        page.errors      # console errors, uncaught exceptions, failed or 4xx/5xx requests
        browser.screenshot("page.png")
"""

import base64
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time


def find_chromium():
    """Debian's chromium-headless-shell, or its full chromium; $CHROMIUM overrides both."""
    for name in (os.environ.get("CHROMIUM"), "chromium-headless-shell", "chromium"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise RuntimeError("no Chromium: apt-get install chromium-headless-shell (or set CHROMIUM)")


class Page:
    def __init__(self, url):
        self.url = url
        self.errors = []     # what a person would see as broken: one line each
        self.warnings = []   # console warnings, for the log
        self.requests = 0


class Browser:
    def __init__(self, width=1400, height=1000, log_path=None, timeout=30.0):
        self.width, self.height, self.timeout = width, height, timeout
        self.profile = tempfile.mkdtemp(prefix="supervisors-chromium-")
        binary = find_chromium()
        arguments = [
            binary,
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--mute-audio",
            f"--user-data-dir={self.profile}",
            f"--window-size={width},{height}",
            "--remote-debugging-pipe",
        ]
        if os.path.basename(binary) != "chromium-headless-shell":
            arguments.insert(1, "--headless=new")
        arguments.append("about:blank")
        log = open(log_path or os.devnull, "ab")
        # fd 3 is what Chromium reads (our stdin pipe), fd 4 what it writes (our stdout pipe).
        self.process = subprocess.Popen(
            ["sh", "-c", 'exec "$@" 3<&0 4>&1 </dev/null >&2', "sh", *arguments],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, start_new_session=True,
        )
        log.close()
        self._buffer = b""
        self._next_id = 0
        self._events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.call(method, session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)

    # The protocol

    def _send(self, message):
        self.process.stdin.write(json.dumps(message).encode() + b"\0")
        self.process.stdin.flush()

    def _receive(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.process.stdout], [], [], left)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 1 << 20)
                if not chunk:
                    raise RuntimeError(f"Chromium exited ({self.process.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=False, timeout=None):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            if "method" in answer:
                self._events.append(answer)

    def _pump(self, seconds):
        """Collects the events that arrive within `seconds`."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self._events.append(self._receive(deadline))
        except TimeoutError:
            pass

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate",
                           {"expression": expression, "returnByValue": True, "awaitPromise": True},
                           session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    # Pages

    def open(self, url, ready="true", settle=0.5):
        """Loads url; waits for the load event, then until `ready` (JavaScript) is true and no
        request has been pending for `settle` seconds. Returns a Page with what went wrong."""
        page = Page(url)
        self._events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        deadline = time.monotonic() + self.timeout
        pending, loaded, quiet_since = set(), False, None
        seen = 0
        while True:
            self._pump(0.1)
            for event in self._events[seen:]:
                method, params = event.get("method"), event.get("params", {})
                if method == "Page.loadEventFired":
                    loaded = True
                elif method == "Network.requestWillBeSent":
                    pending.add(params["requestId"])
                    page.requests += 1
                elif method == "Network.loadingFinished":
                    pending.discard(params["requestId"])
                elif method == "Network.loadingFailed":
                    pending.discard(params["requestId"])
                    if not params.get("canceled"):
                        page.errors.append(f"request failed: {params.get('errorText')} ({params.get('type')})")
                elif method == "Network.responseReceived":
                    status = params["response"]["status"]
                    if status >= 400:
                        page.errors.append(f"HTTP {status}: {params['response']['url']}")
                elif method == "Runtime.exceptionThrown":
                    details = params["exceptionDetails"]
                    text = details.get("exception", {}).get("description") or details.get("text")
                    page.errors.append(f"uncaught exception: {text}")
                elif method == "Runtime.consoleAPICalled":
                    text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                    if params["type"] in ("error", "assert"):
                        page.errors.append(f"console.{params['type']}: {text}")
                    elif params["type"] == "warning":
                        page.warnings.append(f"console.warn: {text}")
                elif method == "Log.entryAdded":
                    entry = params["entry"]
                    if entry["level"] == "error":
                        page.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
                    elif entry["level"] == "warning":
                        page.warnings.append(f"log: {entry.get('text')}")
            seen = len(self._events)
            if loaded and not pending and self.evaluate(f"Boolean({ready})"):
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= settle:
                    return page
            else:
                quiet_since = None
            if time.monotonic() > deadline:
                page.errors.append(f"not ready within {self.timeout:.0f} s (loaded={loaded}, "
                                   f"pending requests={len(pending)}, ready: {ready})")
                return page

    def screenshot(self, path):
        """The whole page, not only the window, as PNG."""
        metrics = self.call("Page.getLayoutMetrics", session=True)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        height = max(self.height, int(size["height"]))
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)
        self._pump(0.5)  # let the charts redraw at the new size
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False}, session=True)
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))

    def close(self):
        if self.process.poll() is None:
            try:
                self.call("Browser.close", timeout=5)
            except Exception:
                pass
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                pass
        try:  # Chromium's own helper processes, in the session it was started in
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
