"""Memory and time of a list export at full scale: a channel manager's quarter of orders.

    .venv/bin/python bench/export_bench.py --database-url postgresql://postgres@127.0.0.1:5432/portal_full
    .venv/bin/python bench/export_bench.py --database-url … --format xlsx --user finance@example.com

Each export runs in a fresh process (so that its peak resident memory, VmHWM, is its own): the
app is made and warmed with one small page, then the export is read as a client would, chunk
by chunk, without keeping the body. Printed: rows, bytes, seconds, the process's peak RSS
before and after the export, and tracemalloc's peak of Python allocations during it.
`PORTAL_ROOT=/path/to/other/checkout` measures another version of the code.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(os.environ.get("PORTAL_ROOT") or Path(__file__).resolve().parents[1])
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def vm_hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def one(url: str, email: str, path: str, trace: bool = True) -> dict:
    from sqlalchemy import select

    from portal import create_app
    from portal.accounts.auth import session_entries
    from portal.accounts.models import User
    from portal.extensions import db

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_STORAGE_URI": "memory://",
                      "HUEY_IMMEDIATE": True})
    import logging
    logging.getLogger("portal.request").setLevel(logging.WARNING)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        login = session_entries(user)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess.update(login)
    client.get("/orders/?format=csv&from=2026-10-01&to=2026-10-01")  # warm-up: imports, plans
    before = vm_hwm_kb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(path, buffered=False)
    size = lines = 0
    for chunk in response.response:
        chunk = chunk.encode() if isinstance(chunk, str) else chunk
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    return {"status": response.status_code, "bytes": size, "csv_lines": lines,
            "seconds": round(seconds, 2), "rss_before_mb": round(before / 1024, 1),
            "rss_peak_mb": round(vm_hwm_kb() / 1024, 1), "py_peak_mb": round(peak / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--user", default="cm.north@example.com")
    parser.add_argument("--format", default="csv", choices=("csv", "xlsx"))
    parser.add_argument("--from", dest="start", default="2026-07-01")
    parser.add_argument("--to", dest="end", default="2026-09-30")
    parser.add_argument("--no-trace", action="store_true",
                        help="without tracemalloc (which slows Python down): the time alone")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = f"/orders/?format={args.format}&from={args.start}&to={args.end}"
    if args.one:
        print(json.dumps(one(args.database_url, args.user, path, trace=not args.no_trace)))
        return
    out = subprocess.run([sys.executable, __file__, "--one", *sys.argv[1:]], check=True,
                         capture_output=True, text=True, env=os.environ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    print(f"code {ROOT}\n{args.user} {path}: load average {os.getloadavg()[0]:.1f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
