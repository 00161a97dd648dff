#!/usr/bin/env python3
"""The supervisors' browser view against a live server (run by supervisors/test/run).

1. Starts the real dialler-server ($DIALLER_BIN, else .build/debug/dialler-server) on a new
   database and puts a day into it through its API: three partners (one that may not send
   home-insurance), unknown and switched-off types, repeats (already scheduled), numbers on the
   TPS list and opt-outs (Do Not Call), cancels, diallers' claims and results with retries, an
   abandoned call, a Do Not Call result, calls left being dialled, an existing contact, an
   erased person.
2. Keeps intake going: a thread posts leads, as a fourth partner, for the rest of the run.
3. Starts scripts/supervisors-ui on the live file and checks that it opened it read-only
   (mode=ro, not immutable; every descriptor of the file read-only) and refuses writes, that
   tables are hidden and the views shown, that a runaway query is stopped by the time limit, and
   that no SQL reads a secret: partners' webhook secrets (sealed with the key of `secrets init`)
   and API keys' hashes are refused by the plugin's authorizer, through views and CTEs too, and
   webhook_endpoints_report shows url, events and state only.
4. Every canned query of supervisors/metadata.yaml, with its parameters blank and set: its .json
   answer has the same columns and rows, in the same order, as the same SQL run by the sqlite3
   shell on the file (intake paused for the comparison, and the file read before and after to
   be sure it held still); then what it says is checked against what the test itself sent and
   was answered; no query but lead_story shows a name, an e-mail address or a mobile. The
   dashboard's chart queries are compared with sqlite3 in the same way.
5. Headless Chromium loads the dashboard, every canned query's page and the views' pages: no
   console error, no uncaught exception, no failed request, every chart drawn; a screenshot of
   the dashboard goes to Benchmarks/results/supervisors-dashboard.png.
6. Intake was never slowed into an error: every lead posted during the run was answered 200 and
   is in the database, the server logged no busy database and no 503, and neither process
   logged "database is locked".

Prints one line per check and ends with "supervisors: N passed, M failed".
"""

import asyncio
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml  # from the supervisors' virtual environment (PyYAML, which Datasette needs)
from datasette.utils import derive_named_parameters
from datasette_dashboards import replace_opts_in_query

from browser import Browser

ROOT = Path(__file__).resolve().parents[2]
METADATA = yaml.safe_load((ROOT / "supervisors" / "metadata.yaml").read_text())
QUERIES = METADATA["databases"]["dialler"]["queries"]
DASHBOARDS = METADATA["plugins"]["datasette-dashboards"]
PERSONAL_COLUMNS = {"mobile", "email", "first_name", "surname", "other_phone"}
VIEWS = {"leads_report", "calls_report", "queue_report", "call_attempts_report",
         "suppressions_report", "suppression_lists_report", "webhook_deliveries_report", "webhook_endpoints_report",
         "consent_calls_report", "abandon_rate_report", "partner_caps_report", "speed_to_lead_report"}
SCREENSHOT = ROOT / "Benchmarks" / "results" / "supervisors-dashboard.png"

passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL {name}{': ' + str(detail) if detail else ''}", flush=True)
    return ok


def log(message):
    print(f"--   {message}", flush=True)


# HTTP, the standard library's

def request(method, url, body=None, headers=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, text


def wait_for_line(path, pattern, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        match = re.search(pattern, path.read_text(errors="replace")) if path.exists() else None
        if match:
            return match
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited {process.returncode}:\n{path.read_text()}")
        time.sleep(0.05)
    raise RuntimeError(f"no {pattern!r} in {path} after {seconds} s:\n{path.read_text()}")


# The dialler server

class Dialler:
    def __init__(self, binary, folder):
        self.binary, self.folder = binary, folder
        self.db = folder / "dialler.sqlite"
        self.seeds = folder / "seeds"
        self.seeds.mkdir()
        (self.seeds / "1000_lead_types.sql").write_text(
            "INSERT INTO lead_types(name) VALUES ('motor-trade');\n"
            "INSERT INTO lead_types(name, call_group) VALUES ('van-insurance', 'motor-trade');\n"
            "INSERT INTO lead_types(name) VALUES ('home-insurance');\n"
            "INSERT INTO lead_types(name, active) VALUES ('pet-insurance', 0);\n")
        self.process = None
        # The key that seals partners' webhook secrets (secrets init writes it), for every command.
        self.env = {**os.environ, "DIALLER_SECRETS_KEY_FILE": str(folder / "secrets.key")}

    def admin(self, *arguments):
        result = subprocess.run([str(self.binary), *arguments, "--db", str(self.db), "--migrations", str(self.seeds)],
                                capture_output=True, text=True, cwd=self.folder, timeout=60, env=self.env)
        if result.returncode != 0:
            raise RuntimeError(f"dialler-server {' '.join(arguments)}: {result.stderr}")
        return result.stdout

    def key(self, *arguments):
        return self.admin("keys", "create", *arguments).splitlines()[0].strip()

    def serve(self):
        self.log = self.folder / "server.log"
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--db", str(self.db), "--migrations", str(self.seeds),
             "--port", "0", "--promote-every", "0.2"],
            stdout=subprocess.DEVNULL, stderr=open(self.log, "wb"), cwd=self.folder, env=self.env)
        port = wait_for_line(self.log, r"listening address=127\.0\.0\.1:(\d+)", self.process).group(1)
        self.url = f"http://127.0.0.1:{port}"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# sqlite3, the shell, on the same file

def sqlite3_rows(db, sql, params):
    """The query's rows as [(column, value), ...] lists, by the sqlite3 shell, read-only, with
    each parameter bound as text as Datasette binds it."""
    script = [".parameter init"]
    for name, value in params.items():
        assert '"' not in value and "\\" not in value, value
        script.append(f".parameter set :{name} \"'{value.replace(chr(39), chr(39) * 2)}'\"")
    script.append(sql.rstrip().rstrip(";") + ";")
    result = subprocess.run(["sqlite3", "-readonly", "-json", str(db)], input="\n".join(script) + "\n",
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0 or result.stderr.strip():
        raise RuntimeError(f"sqlite3: {result.stderr.strip()}")
    return [list(row.items()) for row in json.loads(result.stdout)] if result.stdout.strip() else []


def named_parameters(sql):
    return asyncio.run(derive_named_parameters(None, sql))


# A day of leads and calls

FIRST = ["Ann", "Bob", "Cara", "Dev", "Elif", "Femi", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Mo",
         "Nia", "Owen", "Pia", "Raj", "Sue", "Tom", "Una", "Vic", "Wyn", "Yan", "Zoe"]
LAST = ["Lee", "Khan", "Smith", "Jones", "Patel", "Okafor", "Brown", "Nowak", "Evans", "Singh", "Murphy"]
OUTCOME_OF = {  # the answer's error, as leads_report.outcome
    None: "processed", "Unknown Type": "unknown_type", "Another call is already scheduled": "already_scheduled",
    "Existing Contact": "existing_contact", "Do Not Call": "suppressed"}


class Day:
    def __init__(self, dialler, keys, rng):
        self.dialler, self.keys, self.rng = dialler, keys, rng
        self.tally = {}          # partner -> outcome -> leads
        self.people = {}         # local mobile -> (first, last, email)
        self.sent = []           # (partner, mobile, type, outcome)
        self.finished = {}       # the diallers' final outcomes -> calls
        self.numbers = set()

    def mobile(self):
        while True:
            number = "07" + self.rng.choice(["840", "725", "398", "412"]) + f"{self.rng.randrange(10**6):06d}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def lead(self, partner, mobile, type_, delays=None):
        if mobile not in self.people:
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            self.people[mobile] = (first, last, f"{first}.{last}{len(self.people)}@example.com".lower())
        first, last, email = self.people[mobile]
        body = {"first_name": first, "surname": last, "email": email, "mobile": mobile, "type": type_}
        if delays is not None:
            body["delays"] = delays
        status, answer = request("POST", f"{self.dialler.url}/lead/add?key={self.keys[partner]}", body)
        assert status == 200 and answer.get("saved") is True, (status, answer)
        outcome = OUTCOME_OF[answer.get("error")]
        self.tally.setdefault(partner, {}).setdefault(outcome, 0)
        self.tally[partner][outcome] += 1
        self.sent.append((partner, mobile, type_, outcome))
        return outcome

    def dialler_call(self, path, key, body=None):
        return request("POST", f"{self.dialler.url}/queue/{path}", body, {"Authorization": f"Bearer {self.keys[key]}"})

    def promoted(self, seconds=10):
        """Waits until the promotion worker has queued every call that is due."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not sqlite3_rows(self.dialler.db, (
                    "SELECT call_id FROM calls WHERE state = 'waiting' "
                    "AND due_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"), {}):
                return
            time.sleep(0.1)
        raise RuntimeError(f"due calls still waiting after {seconds} s")

    def result(self, call, body):
        status, answer = self.dialler_call("result", "floor-1", {"call_id": call["call_id"], **body})
        assert status == 200, (status, answer)
        if answer["state"] == "done":
            self.finished[body["outcome"]] = self.finished.get(body["outcome"], 0) + 1
            if body["outcome"] == "sale":
                self.sales.append(call)
        self.do_not_call += bool(body.get("do_not_call"))

    def play(self):
        rng, partners = self.rng, ["acme-leads", "bravo-media", "quotezone"]
        self.sales, self.do_not_call = [], 0
        # First thing: the lead whose story the test reads back; its call is the first queued.
        self.story = self.mobile()
        assert self.lead("acme-leads", self.story, "home-insurance") == "processed"
        # Morning: new leads of every kind, a quarter of them for later in the day.
        for _ in range(40):
            partner = rng.choice(partners)
            type_ = rng.choice(["motor-trade", "motor-trade", "van-insurance", "home-insurance"])
            self.lead(partner, self.mobile(), type_, delays=rng.choice([None, None, 0, 3600]))
        for type_ in ["boat-insurance", "boat-insurance", "pet-insurance", "Motor Trade"]:
            self.lead(rng.choice(partners), self.mobile(), type_)  # unknown, switched off, misspelt
        # Repeats of numbers with calls still open, by the same partner or another.
        open_calls = [s for s in self.sent if s[3] == "processed" and s[1] != self.story]
        for partner, mobile, type_, _ in rng.sample(open_calls, 5):
            self.lead(rng.choice(partners), mobile, type_)
        # Numbers on the TPS list, imported before the server started.
        for mobile in self.tps:
            self.lead(rng.choice(partners), mobile, "motor-trade")
        # Cancels: three calls still waiting for their delay, and one that does not exist. Due
        # calls the promotion worker has not moved yet are waiting too, but not for a delay:
        # let it move them first, and pick only calls due later (the story's is due at once).
        self.promoted()
        waiting = {row[0][1] for row in sqlite3_rows(
            self.dialler.db,
            "SELECT c.mobile FROM calls k JOIN contacts c USING (contact_id) WHERE k.state = 'waiting' "
            "AND k.due_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", {})}
        self.cancelled = 0
        for partner, mobile, type_, outcome in self.sent:
            if outcome == "processed" and "+44" + mobile[1:] in waiting and self.cancelled < 3:
                status, answer = request("POST", f"{self.dialler.url}/lead/cancel?key={self.keys[partner]}",
                                         {"type": type_, "mobile": mobile})
                assert status == 200 and answer == {"cancelled": True}, (status, answer)
                self.cancelled += 1
        status, answer = request("POST", f"{self.dialler.url}/lead/cancel?key={self.keys['acme-leads']}",
                                 {"type": "motor-trade", "mobile": "07840000001"})
        assert status == 200 and answer.get("cancelled") is False, (status, answer)
        # The diallers' morning. The story's call first: no answer, try again in an hour.
        self.promoted()
        status, call = self.dialler_call("next", "floor-1", {})
        assert status == 200 and call["mobile"] == "+44" + self.story[1:], (status, call)
        self.result(call, {"outcome": "no answer", "retry_in": 3600})
        for body in [
            {"outcome": "sale"}, {"outcome": "sale"}, {"outcome": "sale"},
            {"outcome": "no answer", "retry_in": 3600}, {"outcome": "no answer", "retry_in": 3600},
            {"outcome": "call back", "retry_in": 7200},
            {"outcome": "abandoned", "abandoned": True, "retry_in": 259200},
            {"outcome": "not interested", "do_not_call": True},
            {"outcome": "wrong number"}, {"outcome": "not interested"},
        ]:
            status, call = self.dialler_call("next", "floor-1", {})
            assert status == 200, (status, call)
            self.result(call, body)
        # Two calls left being dialled on the second floor.
        self.dialling = []
        for _ in range(2):
            status, call = self.dialler_call("next", "floor-2", {})
            assert status == 200, (status, call)
            self.dialling.append(call)
        # Afternoon: a sold number comes back (Existing Contact); the story's person opts out
        # through a partner, and is sent again (Do Not Call); a number goes on the TPS list live.
        sold = self.sales[0]
        assert self.lead("bravo-media", "0" + sold["mobile"][3:], sold["type"]) == "existing_contact"
        status, answer = request("POST", f"{self.dialler.url}/lead/optout?key={self.keys['acme-leads']}",
                                 {"mobile": self.story})
        assert status == 200, (status, answer)
        assert self.lead("quotezone", self.story, "motor-trade") == "suppressed"
        open_mobiles = [row[0][1] for row in sqlite3_rows(self.dialler.db, (
            "SELECT c.mobile FROM calls k JOIN contacts c USING (contact_id) "
            "WHERE k.state IN ('waiting', 'queued') ORDER BY k.call_id"), {})]
        self.dialler.admin("suppress", "add", open_mobiles[0], "--list", "tps", "--reason", "TPS screening")
        # A person asks to be forgotten: their lead stays counted, with nothing to say who it was.
        self.erased = self.mobile()
        assert self.lead("bravo-media", self.erased, "home-insurance", delays=3600) == "processed"
        self.dialler.admin("erase", self.erased)
        # Late leads, queued for the afternoon.
        for _ in range(6):
            self.lead(rng.choice(partners), self.mobile(), rng.choice(["motor-trade", "home-insurance"]))
        self.promoted()


class Intake(threading.Thread):
    """Posts leads as 'stream-partner' until stopped; pause() holds it between two leads."""

    def __init__(self, day):
        super().__init__(daemon=True)
        self.day, self.rng = day, random.Random(7)
        self.statuses, self.latencies, self.tally = {}, [], {}
        self.errors = []
        self.go = threading.Event()
        self.go.set()
        self.idle = threading.Event()
        self.done = False
        self.phase_latencies = {"before": [], "during": []}
        self.phase = "before"

    def run(self):
        partner = "stream-partner"
        key = self.day.keys[partner]
        while not self.done:
            if not self.go.is_set():
                self.idle.set()
                self.go.wait()
                continue
            self.idle.clear()
            mobile = "07" + self.rng.choice(["701", "702", "507"]) + f"{self.rng.randrange(10**6):06d}"
            type_ = self.rng.choice(["motor-trade", "van-insurance", "home-insurance", "caravan-cover"])
            body = {"first_name": "Sam", "surname": "Stream", "email": "sam@example.com", "mobile": mobile,
                    "type": type_, "delays": self.rng.choice([0, 600])}
            started = time.monotonic()
            try:
                status, answer = request("POST", f"{self.day.dialler.url}/lead/add?key={key}", body, timeout=10)
            except Exception as error:  # a time-out or a refused connection is a failure too
                status, answer = "error", str(error)
            elapsed = time.monotonic() - started
            self.latencies.append(elapsed)
            self.phase_latencies[self.phase].append(elapsed)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 200 and isinstance(answer, dict) and answer.get("saved"):
                outcome = OUTCOME_OF[answer.get("error")]
                self.tally[outcome] = self.tally.get(outcome, 0) + 1
            else:
                self.errors.append((status, answer))
            time.sleep(0.02)
        self.idle.set()

    def pause(self):
        self.go.clear()
        self.idle.wait(15)
        time.sleep(0.5)  # and let the promotion worker (every 0.2 s) queue what it received

    def resume(self):
        self.idle.clear()
        self.go.set()

    def stop(self):
        self.done = True
        self.go.set()
        self.join(15)


# The UI

class UI:
    def __init__(self, db, folder):
        self.log = folder / "supervisors-ui.log"
        self.process = subprocess.Popen([str(ROOT / "scripts" / "supervisors-ui"), "--port", "0", str(db)],
                                        stdout=open(self.log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
        port = wait_for_line(self.log, r"Uvicorn running on http://127\.0\.0\.1:(\d+)", self.process, 120).group(1)
        self.url = f"http://127.0.0.1:{port}"

    def get(self, path, params=None):
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return request("GET", f"{self.url}{path}{query}")

    def rows(self, path, params):
        status, answer = self.get(path, {**params, "_shape": "objects"})
        if status != 200 or not isinstance(answer, dict) or not answer.get("ok", True) or "rows" not in answer:
            raise RuntimeError(f"{path} {params}: {status} {str(answer)[:500]}")
        if answer.get("truncated"):
            raise RuntimeError(f"{path} {params}: truncated")
        return [list(row.items()) for row in answer["rows"]], answer["columns"]

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def compare(ui, intake, db, name, path, sql, params):
    """Datasette's answer against sqlite3's, on a file that held still between two reads."""
    intake.pause()
    try:
        for _ in range(5):
            before = sqlite3_rows(db, sql, params)
            answer, columns = ui.rows(path, params)
            after = sqlite3_rows(db, sql, params)
            if before == after:
                break
            time.sleep(0.3)
        else:
            return check(f"{name}: the file held still for a comparison", False, "changed in each of 5 tries")
        same = answer == before and (not before or [c for c, _ in before[0]] == columns)
        check(f"{name} {params}: Datasette's {len(answer)} rows = sqlite3's", same,
              f"\n  datasette: {answer[:5]}\n  sqlite3:   {before[:5]}")
        return [dict(row) for row in answer]
    finally:
        intake.resume()


def bisection(dialler, folder):
    """The queries that find a time range of leads by bisection on lead_id, on made-up leads of
    four days with gaps in their ids: each answer is what a plain count of the view gives."""
    db = folder / "four-days.sqlite"
    subprocess.run([str(dialler.binary), "migrate", "--db", str(db), "--migrations", str(dialler.seeds)],
                   check=True, capture_output=True, cwd=folder)
    script = """
        INSERT INTO partners(partner_id, name, created_at) VALUES (1, 'north', 'x'), (2, 'south', 'x');
        INSERT INTO api_keys(key_id, role, name, partner_id, key_sha256, created_at)
            VALUES (1, 'partner', 'north', 1, randomblob(32), 'x'), (2, 'partner', 'south', 2, randomblob(32), 'x');
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
        INSERT INTO contacts(contact_id, mobile, created_at) SELECT i, '+4478' || printf('%09d', i), 'x' FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
        INSERT INTO leads(lead_id, received_at, partner_id, key_id, type, first_name, surname, email, contact_id,
                          outcome, raw_request)
        SELECT i * 3 + i % 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ((12000 - i) * 29) || ' seconds'),
               1 + i % 2, 1 + i % 2, 'motor-trade', 'A', 'B', 'e', i,
               CASE i % 5 WHEN 0 THEN 'processed' WHEN 1 THEN 'unknown_type' WHEN 2 THEN 'already_scheduled'
                          WHEN 3 THEN 'suppressed' ELSE 'existing_contact' END, '{}'
        FROM n;
    """
    subprocess.run(["sqlite3", str(db)], input=script, check=True, capture_output=True, text=True)
    leads = [dict(r) for r in sqlite3_rows(db, "SELECT received_at, partner, outcome FROM leads_report", {})]
    outcomes = ["processed", "suppressed", "unknown_type", "already_scheduled", "existing_contact"]
    for attempt in range(2):  # once more if an hour began between the two counts
        now = time.time()
        days = [time.strftime("%Y-%m-%d", time.gmtime(now - d * 86400)) for d in range(6)]
        expected, answered = {}, {}
        for day in days:
            day_leads = [l for l in leads if l["received_at"][:10] == day]
            rows = []
            for partner in sorted({l["partner"] for l in day_leads}) + ["(all partners)"]:
                mine = [l for l in day_leads if partner == "(all partners)" or l["partner"] == partner]
                rows.append([partner, len(mine)] + [sum(l["outcome"] == o for l in mine) for o in outcomes])
            expected[day] = rows
            answered[day] = [[v for _, v in r] for r in sqlite3_rows(db, QUERIES["leads_today"]["sql"], {"day": day})]
        first_hour = time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(now - 23 * 3600))
        hours = sorted({time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(now - h * 3600)) for h in range(24)})
        expected["hours"] = [[h, sum(l["received_at"][:13] == h[:13] for l in leads)]
                             + [sum(l["received_at"][:13] == h[:13] and l["outcome"] == o for l in leads) for o in outcomes]
                             for h in hours]
        answered["hours"] = [[v for _, v in r] for r in sqlite3_rows(db, QUERIES["intake_per_hour"]["sql"], {"partner": ""})]
        charts = DASHBOARDS["today"]["charts"]
        expected["leads-today"] = [[sum(l["received_at"][:10] == days[0] for l in leads)]]
        answered["leads-today"] = [[v for _, v in r] for r in sqlite3_rows(
            db, replace_opts_in_query(charts["leads-today"]["query"], {}), {})]
        expected["intake"] = sorted([h[0], o, h[2 + i]] for h in expected["hours"] for i, o in enumerate(outcomes))
        answered["intake"] = sorted([v for _, v in r] for r in sqlite3_rows(
            db, replace_opts_in_query(charts["intake"]["query"], {}), {}))
        if first_hour == time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(time.time() - 23 * 3600)):
            break
    for key in expected:
        total = {"hours": lambda rows: sum(r[1] for r in rows), "leads-today": lambda rows: rows[0][0],
                 "intake": lambda rows: sum(r[2] for r in rows)}.get(key, lambda rows: rows[-1][1])(expected[key])
        check(f"bisection on made-up leads of four days (ids with gaps), {key}: the counts of a plain scan ({total} leads)",
              answered[key] == expected[key], f"\n  query: {answered[key][:4]}\n  scan:  {expected[key][:4]}")


def main():
    binary = Path(os.environ.get("DIALLER_BIN") or ROOT / ".build" / "debug" / "dialler-server")
    if not binary.is_file():
        sys.exit(f"no dialler-server at {binary}: build it (swift build) or set DIALLER_BIN")
    folder = Path(tempfile.mkdtemp(prefix="supervisors-test-"))
    dialler, ui, intake = Dialler(binary, folder), None, None
    started = time.monotonic()
    try:
        # 1. A database, keys, a TPS list, the server, a day.
        dialler.admin("migrate")
        keys = {name: dialler.key("--partner", name) for name in ["acme-leads", "bravo-media", "stream-partner"]}
        keys["quotezone"] = dialler.key("--partner", "quotezone", "--types", "motor-trade,van-insurance")
        keys.update({name: dialler.key("--dialler", name) for name in ["floor-1", "floor-2"]})
        day = Day(dialler, keys, random.Random(2026))
        day.tps = [day.mobile() for _ in range(3)]
        (folder / "tps.txt").write_text("# TPS extract\n" + "\n".join(day.tps) + "\n")
        dialler.admin("suppress", "import", str(folder / "tps.txt"), "--list", "tps")
        # Two partners' webhooks, their secrets sealed: one enabled (to a closed loopback port, for
        # the Do Not Call events only), one disabled.
        dialler.admin("secrets", "init", "--to", str(folder / "secrets.key"))
        secrets = [dialler.admin("partners", "webhook", "acme-leads", "--url", "http://127.0.0.1:9/hooks",
                                 "--events", "lead.suppressed").splitlines()[0],
                   dialler.admin("partners", "webhook", "bravo-media", "--url", "https://bravo.example/hooks").splitlines()[0]]
        dialler.admin("partners", "webhook", "bravo-media", "--disable")
        bisection(dialler, folder)
        dialler.serve()
        day.play()
        log(f"the day: {len(day.sent)} leads from 3 partners {day.tally}; finished {day.finished}; "
            f"{len(day.dialling)} being dialled ({time.monotonic() - started:.1f} s)")

        # 2. Intake goes on.
        intake = Intake(day)
        intake.start()
        time.sleep(1.0)

        # 3. The UI on the live file.
        intake.phase = "during"
        ui = UI(dialler.db, folder)
        log(f"supervisors-ui at {ui.url} ({time.monotonic() - started:.1f} s)")
        status, databases = ui.get("/-/databases.json")
        check("one database, named dialler, opened mutable (read-only, not immutable)",
              status == 200 and [(d["name"], d["is_mutable"], Path(d["path"]).resolve()) for d in databases]
              == [("dialler", True, dialler.db.resolve())], databases)
        descriptors = []
        for fd in os.listdir(f"/proc/{ui.process.pid}/fd"):
            try:
                target = os.readlink(f"/proc/{ui.process.pid}/fd/{fd}")
            except OSError:
                continue
            if target == str(dialler.db.resolve()):
                flags = int(re.search(r"flags:\s+(\d+)", Path(f"/proc/{ui.process.pid}/fdinfo/{fd}").read_text()).group(1), 8)
                descriptors.append(flags & os.O_ACCMODE)
        check(f"every descriptor of the database file is read-only ({len(descriptors)} open)",
              descriptors and all(mode == os.O_RDONLY for mode in descriptors), descriptors)
        for sql in ["DELETE FROM leads", "UPDATE calls SET state = 'done'", "PRAGMA query_only = 0",
                    "INSERT INTO partners(name, created_at) VALUES ('x', 'y')"]:
            status, answer = ui.get("/dialler.json", {"sql": sql})
            check(f"a write is refused: {sql}", status == 400, (status, answer))
        for sql in ["SELECT * FROM webhook_endpoints", "SELECT sealed_secret FROM webhook_endpoints",
                    "SELECT hex(sealed_previous_secret), previous_key_id FROM webhook_endpoints",
                    "WITH e AS (SELECT * FROM webhook_endpoints) SELECT url FROM e",
                    "SELECT url FROM webhook_endpoints WHERE substr(sealed_secret, 1, 1) = x'00'",
                    "SELECT (SELECT secret FROM webhook_endpoints LIMIT 1)", "SELECT * FROM api_keys",
                    "SELECT hex(key_sha256) FROM api_keys", "SELECT name FROM api_keys ORDER BY key_sha256"]:
            status, answer = ui.get("/dialler.json", {"sql": sql})
            check(f"a secret is refused: {sql}", status == 400 and "prohibited" in str(answer), (status, str(answer)[:200]))
        endpoints, columns = ui.rows("/dialler/webhook_endpoints_report.json", {"_sort": "partner"})
        check("webhook_endpoints_report: partner, url, events and state only, no secret",
              columns == ["partner", "url", "events", "state"]
              and [list(dict(row).values()) for row in endpoints]
              == [["acme-leads", "http://127.0.0.1:9/hooks", "lead.suppressed", "enabled"],
                  ["bravo-media", "https://bravo.example/hooks", "call.finished,call.cancelled,lead.suppressed", "disabled"]]
              and not any(s in str(endpoints) for s in secrets), endpoints)
        status, answer = ui.get("/dialler.json", {"sql": "SELECT url, events FROM webhook_endpoints ORDER BY partner_id"})
        check("the endpoints' other columns still answer", status == 200 and len(answer.get("rows", [])) == 2, (status, str(answer)[:200]))
        status, page = ui.get("/dialler.json")
        visible_tables = [t["name"] for t in page["tables"] if not t["hidden"]]
        views = {v["name"] for v in page["views"]}
        check("the database page shows the views and hides every table",
              not visible_tables and VIEWS <= views, (visible_tables, views))
        check("the database page lists every canned query of metadata.yaml",
              [q["name"] for q in page["queries"]] == list(QUERIES), [q["name"] for q in page["queries"]])
        t = time.monotonic()
        status, answer = ui.get("/dialler.json", {
            "sql": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"})
        elapsed = time.monotonic() - t
        check(f"a runaway query is stopped by sql_time_limit_ms ({elapsed:.1f} s)",
              status == 400 and "too long" in str(answer) and elapsed < 10, (status, str(answer)[:200]))

        # 4. Every canned query against sqlite3, then against what the test knows.
        today = time.strftime("%Y-%m-%d", time.gmtime())
        mobile = "+44" + day.story[1:]
        spaced = f"{day.story[:5]} {day.story[5:]}"
        parameter_sets = {
            "leads_today": [{"day": ""}, {"day": today}, {"day": "2020-02-29"}],
            "intake_per_hour": [{"partner": ""}, {"partner": "acme-leads"}],
            "queue_depth": [{}],
            "overdue_calls": [{"minutes": "", "call_group": ""}, {"minutes": "0", "call_group": "motor-trade"},
                              {"minutes": "600", "call_group": ""}],
            "lead_story": [{"mobile": mobile}, {"mobile": spaced}, {"mobile": "0044" + day.story[1:]},
                           {"mobile": "+447000000000"}],
            "consent_calls": [{"list": "", "days": ""}, {"list": "tps", "days": "1"}],
            "abandon_rate_24_hours": [{"end": ""}, {"end": "2026-01-01T00:00:00Z"}],
            "suppression_lists": [{"max_age_days": ""}, {"max_age_days": "0"}],
            "outcomes_per_day": [{"days": ""}, {"days": "1"}],
        }
        check("the test has parameters for every canned query", set(parameter_sets) == set(QUERIES),
              set(QUERIES) ^ set(parameter_sets))
        known = ({m for m in day.people} | {"+44" + m[1:] for m in day.people}
                 | {value for person in day.people.values() for value in person})
        answers = {}
        for name, query in QUERIES.items():
            names = named_parameters(query["sql"])
            for params in parameter_sets.get(name, [{}]):
                check(f"{name}: the test sets its parameters {sorted(set(names))}", set(params) == set(names), params)
                status, answer = ui.get(f"/dialler/{name}.json", params)  # during intake
                check(f"{name} {params}: 200 during intake", status == 200 and answer.get("ok", True), (status, str(answer)[:300]))
                rows = compare(ui, intake, dialler.db, name, f"/dialler/{name}.json", query["sql"], params)
                answers.setdefault(name, []).append(rows or [])
                if name != "lead_story" and rows:
                    columns = set(rows[0])
                    leaked = [v for row in rows for v in row.values() if isinstance(v, str) and
                              (v in known or any(k in v for k in known if "@" in k or k.startswith("+")))]
                    check(f"{name}: no names, e-mails or mobiles", not (columns & PERSONAL_COLUMNS) and not leaked,
                          (columns & PERSONAL_COLUMNS, leaked[:3]))

        intake.pause()  # what the answers say, against what was sent and answered
        try:
            stream = dict(intake.tally)
            tally = {p: dict(o) for p, o in day.tally.items()}
            if stream:
                tally["stream-partner"] = stream
            status, answer = ui.get("/dialler/leads_today.json", {"day": "", "_shape": "objects"})
            rows = {r["partner"]: {k: v for k, v in r.items() if k not in ("partner", "leads") and v} for r in answer["rows"]}
            total = {}
            for outcomes in tally.values():
                for outcome, n in outcomes.items():
                    total[outcome] = total.get(outcome, 0) + n
            check("leads_today: each partner's outcomes are the answers it was given",
                  rows == {**tally, "(all partners)": total}, f"\n  query: {rows}\n  sent:  {tally}")
            status, answer = ui.get("/dialler/intake_per_hour.json", {"partner": "", "_shape": "objects"})
            hours = answer["rows"]
            sums = {k: sum(r[k] for r in hours) for k in hours[0] if k not in ("hour",)}
            check("intake_per_hour: 24 hours, the last this one, adding up to every lead sent",
                  len(hours) == 24 and hours[-1]["hour"] == time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime())
                  and sums["leads"] == sum(total.values())
                  and all(sums[k] == total.get(k, 0) for k in sums if k != "leads"), (len(hours), sums, total))
            status, answer = ui.get("/dialler/queue_depth.json", {"_shape": "objects"})
            depth = {r["call_group"]: (r["queued"], r["dialling"]) for r in answer["rows"]}
            raw = dict((r[0][1], r[1][1]) for r in sqlite3_rows(
                dialler.db, "SELECT call_group, count(*) FROM call_queue GROUP BY call_group", {}))
            dialling = {}
            for call in day.dialling:
                dialling[call["call_group"]] = dialling.get(call["call_group"], 0) + 1
            check("queue_depth: queued per group as in call_queue; being dialled: the two floor-2 holds",
                  set(depth) == {"motor-trade", "home-insurance"}
                  and all(depth[g] == (raw.get(g, 0), dialling.get(g, 0)) for g in depth), (depth, raw, dialling))
            oldest = {r["call_group"]: r["oldest_call_id"] for r in answer["rows"]}
            first = dict((r[0][1], r[1][1]) for r in sqlite3_rows(
                dialler.db, "SELECT call_group, call_id FROM call_queue q WHERE call_id = "
                "(SELECT call_id FROM call_queue WHERE call_group = q.call_group ORDER BY queued_at, call_id LIMIT 1)", {}))
            check("queue_depth: the oldest queued call of each group", all(oldest[g] == first.get(g) for g in oldest),
                  (oldest, first))
            status, answer = ui.get("/dialler/overdue_calls.json", {"minutes": "", "call_group": "", "_shape": "objects"})
            overdue = [r["call_id"] for r in answer["rows"]]
            due = [r[0][1] for r in sqlite3_rows(dialler.db, (
                "SELECT call_id FROM calls WHERE state = 'queued' OR "
                "(state = 'waiting' AND due_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) ORDER BY due_at, call_id"), {})]
            check(f"overdue_calls: the queued calls and any waiting past due ({len(overdue)})",
                  sorted(overdue) == sorted(due) and len(overdue) > 0, (overdue, due))
            for params in ({"mobile": mobile}, {"mobile": spaced}):
                status, answer = ui.get("/dialler/lead_story.json", {**params, "_shape": "objects"})
                events = [r["event"] for r in answer["rows"]]
                first_name, surname, email = day.people[day.story]
                # (queued_at is the call's last entry into the queue, gone once it was claimed)
                check(f"lead_story {params}: two leads (with the line type), the call due, its attempt, cancelled, the opt-out",
                      sorted(events) == sorted(["lead received", "lead received", "call due",
                                                "attempt claimed", "call cancelled", "on do-not-call list"])
                      and all(r["mobile"] == mobile for r in answer["rows"])
                      and [r["outcome"] for r in answer["rows"] if r["event"] == "lead received"] == ["processed", "suppressed"]
                      and f"{first_name} {surname}, {email}, line mobile" in [r["detail"] for r in answer["rows"]],
                      answer["rows"])
            status, answer = ui.get("/dialler/lead_story.json", {"mobile": day.erased, "_shape": "objects"})
            erased_person = day.people[day.erased]
            everything = json.dumps([ui.get(f"/dialler/{n}.json", {**parameter_sets[n][0], "_shape": "objects"})[1]
                                     for n in QUERIES])
            check("an erased number has no story, and its name and e-mail are in no answer",
                  status == 200 and answer["rows"] == []
                  and not any(value in everything for value in erased_person[2:] + ("+44" + day.erased[1:],)),
                  answer["rows"])
            status, answer = ui.get("/dialler/suppression_lists.json", {"max_age_days": "", "_shape": "objects"})
            lists = {r["list"]: (r["numbers"], r["age_days"], r["status"]) for r in answer["rows"]}
            check("suppression_lists: tps loaded today, 3 imported and 1 added; internal: the opt-out and the Do Not Call",
                  lists == {"tps": (4, 0, "current"), "internal": (1 + day.do_not_call, None, "added to by hand")}, lists)
            status, answer = ui.get("/dialler/suppression_lists.json", {"max_age_days": "0", "_shape": "objects"})
            check("suppression_lists: max_age_days=0 flags the loaded list",
                  {r["list"]: r["status"] for r in answer["rows"]}["tps"] == "stale: load it again", answer["rows"])
            status, answer = ui.get("/dialler/outcomes_per_day.json", {"days": "", "_shape": "objects"})
            done = {r["outcome"]: r["calls"] for r in answer["rows"] if r["day"] == today and r["state"] == "done"}
            cancelled = {r["outcome"]: r["calls"] for r in answer["rows"] if r["day"] == today and r["state"] == "cancelled"}
            check("outcomes_per_day: today's finished calls are the diallers' final results",
                  done == {k: v for k, v in day.finished.items()}, (done, day.finished))
            check("outcomes_per_day: today's cancels: 3 by partners, and the numbers put on lists",
                  cancelled.get("cancelled by partner") == day.cancelled and sum(cancelled.values()) >= day.cancelled + 2,
                  cancelled)
        finally:
            intake.resume()

        # The dashboard's queries, as datasette-dashboards sends them.
        for slug, dashboard in DASHBOARDS.items():
            for params in ({}, {"partner": "acme-leads"}):
                for chart_name, chart in dashboard["charts"].items():
                    if "query" not in chart:
                        continue
                    sql = replace_opts_in_query(chart["query"], params)
                    bound = {k: v for k, v in params.items() if k in named_parameters(sql)}
                    intake.pause()
                    try:
                        before = sqlite3_rows(dialler.db, sql, bound)
                        answer, columns = ui.rows("/dialler.json", {"sql": sql, **bound})
                        after = sqlite3_rows(dialler.db, sql, bound)
                        check(f"dashboard {slug}, chart {chart_name} {params}: {len(answer)} rows = sqlite3's",
                              before == after == answer and len(answer) > 0, (answer[:3], before[:3]))
                    finally:
                        intake.resume()
            for filter_name, dashboard_filter in dashboard.get("filters", {}).items():
                if "query" in dashboard_filter:
                    answer, _ = ui.rows("/dialler.json", {"sql": dashboard_filter["query"]})
                    check(f"dashboard {slug}, filter {filter_name}: the partners",
                          [r[0][1] for r in answer] == ["acme-leads", "bravo-media", "quotezone", "stream-partner"],
                          answer)

        # 5. A real browser.
        pages = [("/", "document.querySelector('h1')"), ("/dialler", "document.querySelector('h1')"),
                 ("/-/dashboards", "document.querySelector('h1')")]
        charts = "[...document.querySelectorAll('.dashboard-card-chart')]"
        drawn = f"{charts}.length > 0 && {charts}.every(e => e.querySelector('canvas, svg, p'))"
        for slug in DASHBOARDS:
            pages += [(f"/-/dashboards/{slug}", drawn), (f"/-/dashboards/{slug}?partner=acme-leads", drawn)]
        for name in QUERIES:
            params = {k: v for k, v in parameter_sets[name][0].items()}
            pages.append((f"/dialler/{name}" + ("?" + urllib.parse.urlencode(params) if params else ""),
                          "document.querySelector('table.rows-and-columns, p.zero-results')"))
        for view in sorted(VIEWS):
            pages.append((f"/dialler/{view}", "document.querySelector('table.rows-and-columns, p.zero-results')"))
        with Browser(log_path=folder / "chromium.log") as browser:
            for path, ready in pages:
                t = time.monotonic()
                page = browser.open(ui.url + path, ready=ready)
                check(f"browser: {path} ({page.requests} requests, {time.monotonic() - t:.1f} s) without an error",
                      not page.errors, "\n  " + "\n  ".join(page.errors))
                for warning in page.warnings:
                    log(f"{path}: {warning}")
                if path == f"/-/dashboards/{next(iter(DASHBOARDS))}":
                    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                    browser.screenshot(SCREENSHOT)
                    log(f"screenshot of the dashboard: {SCREENSHOT.relative_to(ROOT)}")
        check("a screenshot of the dashboard was saved", SCREENSHOT.is_file() and SCREENSHOT.stat().st_size > 10000)

        # 6. Intake was never held up.
        intake.stop()
        saved = sum(intake.tally.values())
        check(f"intake went on throughout: {sum(intake.statuses.values())} leads posted, every one answered 200",
              intake.statuses.get(200, 0) == sum(intake.statuses.values()) and saved > 50,
              (intake.statuses, intake.errors[:3]))
        stored = sqlite3_rows(dialler.db, "SELECT count(*) FROM leads_report WHERE partner = 'stream-partner'", {})[0][0][1]
        check("every lead answered saved:true is in the database", stored == saved, (stored, saved))
        server_log = dialler.log.read_text(errors="replace")
        ui_log = ui.log.read_text(errors="replace")
        check("the server logged no busy database, 503 or 'database is locked'",
              "database busy" not in server_log and "status=503" not in server_log
              and "database is locked" not in server_log,
              [l for l in server_log.splitlines() if "busy" in l or "503" in l or "locked" in l][:3])
        check("supervisors-ui logged no 'database is locked' and no traceback",
              "database is locked" not in ui_log and "Traceback" not in ui_log,
              [l for l in ui_log.splitlines() if "locked" in l or "Traceback" in l][:3])
        for phase, latencies in intake.phase_latencies.items():
            if len(latencies) >= 2:
                latencies = sorted(latencies)
                log(f"intake {phase} the UI: {len(latencies)} leads, p50 {statistics.median(latencies) * 1000:.1f} ms, "
                    f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    finally:
        if intake and intake.is_alive():
            intake.stop()
        if ui:
            ui.stop()
        dialler.stop()
        if failed == 0:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"--   kept {folder} (logs, database)")
    print(f"--   {time.monotonic() - started:.0f} s")
    print(f"supervisors: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:
        import traceback
        traceback.print_exc()
        print(f"supervisors: {passed} passed, {failed + 1} failed")
        sys.exit(1)
