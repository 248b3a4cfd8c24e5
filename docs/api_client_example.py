"""Register orders from a CSV file through the portal's API (an example for a dealer's ERP).

One CSV row per order line; rows with the same `contract_no` make one order:

    contract_no,order_date,customer_name,registration,sku,quantity
    HT-2026-0101,2026-12-01,北京某某科技有限公司,,SRV-R740,2
    HT-2026-0101,2026-12-01,北京某某科技有限公司,,STO-S500,1
    HT-2026-0102,2026-12-02,,R2026-00042,SRV-R740,5

`registration` (optional) is the number of an approved registration: its approved exception
prices apply. Each order is sent with an `Idempotency-Key` derived from the dealer's contract
number, so running the script again after a network error never registers an order twice: the
portal answers the first result (`Idempotent-Replayed: true`).

    PORTAL_URL=https://portal.example.com PORTAL_TOKEN=dp_… python api_client_example.py orders.csv

Only the standard library is used. Exit status: 0 all registered, 1 some refused (the reasons are
printed with the field each one concerns), 2 usage or connection error.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections import OrderedDict


def read_orders(path: str) -> list[dict]:
    """The CSV's rows grouped into order bodies for `POST /api/v1/orders`."""
    orders: OrderedDict[str, dict] = OrderedDict()
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            contract = (row.get("contract_no") or "").strip()
            if not contract:
                continue
            order = orders.setdefault(contract, {
                "contract_no": contract, "order_date": row["order_date"].strip(), "lines": []})
            if (row.get("customer_name") or "").strip():
                order["customer_name"] = row["customer_name"].strip()
            if (row.get("registration") or "").strip():
                order["registration"] = row["registration"].strip()
            order["lines"].append({"sku": row["sku"].strip(), "quantity": int(row["quantity"])})
    return list(orders.values())


def idempotency_key(order: dict) -> str:
    """The same order always gets the same key; a changed order (another line) gets another."""
    body = json.dumps(order, sort_keys=True, ensure_ascii=False).encode()
    return "csv-" + hashlib.sha256(body).hexdigest()[:40]


def post_order(base_url: str, token: str, order: dict, attempts: int = 4) -> tuple[int, dict, dict]:
    """POST one order; retries network errors, 429 and 5xx with the same Idempotency-Key."""
    data = json.dumps(order, ensure_ascii=False).encode()
    request = urllib.request.Request(
        base_url.rstrip("/") + "/api/v1/orders", data=data, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                 "Accept": "application/json", "Idempotency-Key": idempotency_key(order)})
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read()), dict(response.headers)
        except urllib.error.HTTPError as err:
            body = json.loads(err.read() or b"{}")
            if err.code == 429 or err.code >= 500:
                time.sleep(int(err.headers.get("Retry-After") or 2 ** attempt))
                continue
            return err.code, body, dict(err.headers)
        except (urllib.error.URLError, TimeoutError):
            if attempt == attempts - 1:
                raise
            time.sleep(2 ** attempt)  # the same key: a retry cannot create a second order
    return 503, {"title": "gave up after retries"}, {}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    base_url, token = os.environ.get("PORTAL_URL"), os.environ.get("PORTAL_TOKEN")
    if not base_url or not token:
        print("Set PORTAL_URL and PORTAL_TOKEN (a token from the portal's account page).")
        return 2
    refused = 0
    try:
        for order in read_orders(argv[1]):
            status, body, headers = post_order(base_url, token, order)
            if status == 201:
                again = " (already registered)" if headers.get("Idempotent-Replayed") else ""
                print(f"{order['contract_no']}: order {body['number']}, total ¥{body['total']}"
                      f" ({body['status']}){again}")
            else:
                refused += 1
                print(f"{order['contract_no']}: refused ({status}) {body.get('title', '')}")
                for error in body.get("errors") or []:
                    where = error.get("pointer") or error.get("parameter") or error.get("header")
                    print(f"    {where}: {error['detail']}")
    except (urllib.error.URLError, TimeoutError) as exc:
        print(f"cannot reach {base_url}: {exc}")
        return 2
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
