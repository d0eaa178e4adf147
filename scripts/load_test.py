"""A bounded load test of a running TrainHub: concurrent signed-in users on three hot paths.

    python scripts/load_test.py --base-url http://127.0.0.1:8000 --password '...' [--users 20] [--duration 30]
        [--think 1-3 | --think 0] [--seed 1]

Each virtual user is a thread with its own session (signed in through the login form, CSRF
token and all) that loops over its scenario until the time is up, pausing a think time between
requests as an officer reading the page does: drawn uniformly from --think (seconds, "1-3" by
default) by a random generator seeded from --seed and the user's number, so runs repeat. With
--think 0 users fire back to back (a closed loop at saturation, to find the ceiling). The scenarios:

    teacher-list  GET /teachers/ as the prefecture administrator (a random page, now and then a name search)
    quota-report  GET /reports/quota-completion as the inspector (falls back to /training/ if missing)
    enrolment     POST a nomination of one more teacher into an open programme, as the county officer

Users are spread over the scenarios in turn. It prints, per scenario, the requests, the offered
rate (what the users would ask for if every answer were instant: users / mean think time) beside
the achieved rate, p50/p95/max latency and errors, and the load average before and after. Only
loopback addresses are accepted: this is for a server you started yourself, not for anyone else's.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import itertools
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Session:
    """One browser-like session: cookies, the last CSRF token seen, timed requests."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf_token = ""

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, float]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        started = time.perf_counter()
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=30) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        found = CSRF.search(text)
        if found:
            self.csrf_token = found.group(1)
        return status, text, elapsed

    def sign_in(self, username: str, password: str) -> None:
        self.request("/login")
        status, text, _ = self.request("/login", {"csrf_token": self.csrf_token, "username": username,
                                                  "password": password})
        if status != 200 or 'action="/logout"' not in text:
            raise SystemExit(f"could not sign in as {username} (status {status})")


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, scenario: str, status: int, elapsed: float) -> None:
        with self.lock:
            self.latencies[scenario].append(elapsed)
            if status >= 400:
                self.errors[scenario] += 1


def _teacher_list(session: Session, rng: random.Random, state: dict) -> tuple[str, int, float]:
    path = f"/teachers/?page={rng.randint(1, 50)}"
    if rng.random() < 0.2:
        path = "/teachers/?q=" + urllib.parse.quote(rng.choice(["马", "王", "李", "张老师", "丁"]))
    status, _text, elapsed = session.request(path)
    return "teacher-list", status, elapsed


def _quota_report(session: Session, rng: random.Random, state: dict) -> tuple[str, int, float]:
    status, _text, elapsed = session.request(state["report_path"])
    return "quota-report", status, elapsed


def _enrolment(session: Session, rng: random.Random, state: dict) -> tuple[str, int, float]:
    with state["lock"]:
        teacher_id = next(state["teacher_ids"], None)
    if teacher_id is None:  # every teacher has been nominated once: keep measuring the refusal path
        teacher_id = rng.choice(state["all_teacher_ids"])
    status, _text, elapsed = session.request(f"{state['programme']}/nominate",
                                             {"csrf_token": session.csrf_token, "teacher_id": teacher_id})
    return "enrolment", status, elapsed


SCENARIOS = {"teacher-list": ("prefecture_admin", _teacher_list), "quota-report": ("inspector", _quota_report),
             "enrolment": ("county_officer", _enrolment)}


def _prepare(base_url: str, password: str) -> dict:
    """Find the report page, an open programme and the teachers the county officer can nominate."""
    inspector = Session(base_url)
    inspector.sign_in("inspector", password)
    report_path = "/reports/quota-completion"
    if inspector.request(report_path)[0] != 200:
        report_path = "/training/"
    officer = Session(base_url)
    officer.sign_in("county_officer", password)
    _status, text, _ = officer.request("/training/?status=open")
    programmes = re.findall(r'href="(/training/programmes/\d+)"', text)
    if not programmes:
        raise SystemExit("no open programme for the county officer to nominate into")
    teacher_ids = []
    for page in range(1, 41):
        _status, text, _ = officer.request(f"/teachers/?page={page}")
        found = re.findall(r'href="/teachers/(\d+)"', text)
        if not found:
            break
        teacher_ids.extend(dict.fromkeys(found))
    random.Random(7).shuffle(teacher_ids)
    return {"report_path": report_path, "programme": programmes[0], "all_teacher_ids": teacher_ids,
            "teacher_ids": iter(teacher_ids), "lock": threading.Lock()}


def _user(number: int, scenario: str, args, state: dict, results: Results, start: threading.Barrier,
          deadline: list[float]) -> None:
    role, step = SCENARIOS[scenario]
    session = Session(args.base_url)
    session.sign_in(role, args.password)
    if scenario == "enrolment":
        session.request(f"{state['programme']}/nominate")  # a page with the form's CSRF token
    rng = random.Random(args.seed * 1000 + number)
    low, high = args.think
    start.wait()
    if high > 0:  # users arrive spread over one think time, not all in the same instant
        time.sleep(rng.uniform(0, high))
    while time.perf_counter() < deadline[0]:
        name, status, elapsed = step(session, rng, state)
        results.add(name, status, elapsed)
        if high:
            time.sleep(max(0.0, min(rng.uniform(low, high), deadline[0] - time.perf_counter())))


def _think(value: str) -> tuple[float, float]:
    """Parse "1-3" (uniform between) or "0" (no pause) into (low, high) seconds."""
    low, _, high = value.partition("-")
    low, high = float(low), float(high or low)
    if not 0 <= low <= high <= 60:
        raise argparse.ArgumentTypeError("think time: 0, or LOW-HIGH seconds with 0 <= LOW <= HIGH <= 60")
    return low, high


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--password", required=True, help="the demo accounts' password (seed-demo --password)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load after everyone signed in")
    parser.add_argument("--think", type=_think, default=(1.0, 3.0),
                        help='seconds each user pauses between requests, uniform: "1-3" (default) or "0"')
    parser.add_argument("--seed", type=int, default=1, help="seed of the think times and page choices")
    args = parser.parse_args(argv)
    host = urllib.parse.urlsplit(args.base_url).hostname
    if host not in LOOPBACK:
        parser.error("only a server on this machine (127.0.0.1, localhost, ::1) may be load-tested")
    if not 1 <= args.users <= 200 or not 1 <= args.duration <= 600:
        parser.error("keep it bounded: 1-200 users, 1-600 seconds")

    state = _prepare(args.base_url, args.password)
    load_before = os.getloadavg()
    results = Results()
    deadline = [0.0]
    # The deadline is set by the barrier's action, before anyone is released.
    start = threading.Barrier(args.users + 1, action=lambda: deadline.__setitem__(
        0, time.perf_counter() + args.duration))
    names = itertools.cycle(SCENARIOS)
    threads = [threading.Thread(target=_user, args=(n, next(names), args, state, results, start, deadline),
                                daemon=True) for n in range(args.users)]
    for thread in threads:
        thread.start()
    start.wait()
    began = deadline[0] - args.duration
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began

    load_after = os.getloadavg()
    users_per = {name: sum(1 for n in range(args.users) if list(SCENARIOS)[n % len(SCENARIOS)] == name)
                 for name in SCENARIOS}
    low, high = args.think
    mean_think = (low + high) / 2

    def offered(users: int) -> str:
        return f"{users / mean_think:.1f}" if mean_think else "max"

    think = f"think {low:g}-{high:g} s (seed {args.seed})" if high else "no think time (back to back)"
    print(f"{args.users} users, {think}, {elapsed:.1f} s, {args.base_url}; report page {state['report_path']}")
    print("load average before %.2f %.2f %.2f, after %.2f %.2f %.2f" % (*load_before, *load_after))
    print(f"{'scenario':14} {'users':>5} {'requests':>8} {'offered/s':>9} {'req/s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'max ms':>7} {'errors':>6}")
    for name in SCENARIOS:
        values = results.latencies.get(name, [])
        if not values:
            print(f"{name:14} {users_per[name]:>5} {0:>8} {offered(users_per[name]):>9}")
            continue
        print(f"{name:14} {users_per[name]:>5} {len(values):>8} {offered(users_per[name]):>9} "
              f"{len(values) / elapsed:>7.1f} {statistics.median(values) * 1000:>7.0f} "
              f"{_percentile(values, 0.95) * 1000:>7.0f} {max(values) * 1000:>7.0f} {results.errors.get(name, 0):>6}")
    total = sum(len(values) for values in results.latencies.values())
    print(f"{'all':14} {args.users:>5} {total:>8} {offered(args.users):>9} {total / elapsed:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
