"""Benchmark: one rebate statement PDF through the portal's path (DESIGN.md §6).

Target: < 300 ms per statement, and within 1.3× of WeasyPrint rendering the same HTML alone.

Interleaved, so that load from other processes hits both paths alike:
  portal      portal.rebates.documents.render_bytes(snapshot): pdf_context + the print template
              templates/pdf/statement.html + the plain-data check + html_to_pdf (what issue does)
  weasyprint  HTML(string=<the same HTML>, url_fetcher=PortalURLFetcher()).write_pdf(font_config=fc)
              — WeasyPrint alone on identical HTML and fonts, one FontConfiguration reused

Run:  cd /work/main && flock /tmp/bench.lock .venv/bin/python bench/statement_pdf_bench.py [--runs 30]
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HUEY_SQLITE_PATH", str(ROOT / "bench" / "out" / "jobs.db"))

from pypdf import PdfReader  # noqa: E402

from portal.rebates.amount_words import amount_in_words  # noqa: E402

CONTENT = {
    "number": "RB-2026Q4-D0001", "vendor_name": "华辰信息技术有限公司",
    "dealer": {"code": "D0001", "name": "北京华信智联科技有限公司", "tier": "platinum"},
    "program": {"name": "2026年第四季度渠道返利", "period_code": "2026Q4", "start": "2026-10-01",
                "end": "2026-12-31", "mode": "all_units", "treatment": "exclude",
                "exception_rate_bp": None, "bands": [[0, 100], [50_000_000, 200], [100_000_000, 300]]},
    "lines": [{"code": c, "name_zh": zh, "name_en": en, "sales_fen": s, "rate_bp": 300,
               "amount_fen": s * 3 // 100, "override_sales_fen": 0, "override_rate_bp": None}
              for c, zh, en, s in (("SRV", "服务器", "Servers", 60_000_000),
                                   ("STO", "存储", "Storage", 30_000_000),
                                   ("NET", "网络", "Network", 20_000_000),
                                   ("SW", "软件", "Software", 10_000_000))],
    "exclusions": [{"code": "SRV", "name_zh": "服务器", "name_en": "Servers", "sales_fen": 2_100_000,
                    "reason": "exception_price"}],
    "qualifying_sales_fen": 120_000_000, "band_index": 2, "band_threshold_fen": 100_000_000,
    "rate_bp": 300, "gap_to_next_fen": None, "next_rate_bp": None, "lines_total_fen": 3_600_000,
    "growth": {"met": False, "target_fen": None, "bonus_fen": 0, "last_year_fen": None,
               "bonus_bp": None, "pct_bp": None},
    "cap": {"applied": False, "cap_fen": None, "reduction_fen": 0}, "entitlement_fen": 3_600_000,
    "adjustments": [{"amount_fen": -50_000, "reason": "退货扣减", "date": "2026-12-20"}],
    "adjustments_fen": -50_000, "priors": [], "prior_fen": 0, "net_payable_fen": 3_550_000,
    "amount_words": amount_in_words(3_550_000), "issued_on": "2027-01-05",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from flask_babel import force_locale
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from portal import create_app
    from portal.core.pdf import PortalURLFetcher, ensure_fonts
    from portal.rebates import documents

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        ensure_fonts()
        with force_locale(documents.PDF_LOCALE):
            html = app.jinja_env.get_template(documents.TEMPLATE).render(documents.pdf_context(CONTENT))
        fc = FontConfiguration()
        # Warm both paths (font loading, Pango caches).
        documents.render_bytes(CONTENT)
        HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf(font_config=fc)
        portal_t, weasy_t, portal_cpu, weasy_cpu = [], [], [], []
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            data = documents.render_bytes(CONTENT)
            portal_t.append(time.perf_counter() - t0)
            portal_cpu.append(time.process_time() - c0)
            t0, c0 = time.perf_counter(), time.process_time()
            HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf(font_config=fc)
            weasy_t.append(time.perf_counter() - t0)
            weasy_cpu.append(time.process_time() - c0)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    p, w = statistics.median(portal_t), statistics.median(weasy_t)
    pc, wc = statistics.median(portal_cpu), statistics.median(weasy_cpu)
    # Each portal render is followed by a WeasyPrint-alone one: the median of the per-pair ratios
    # cancels most of the load that other processes put on a shared machine.
    paired = statistics.median(a / b for a, b in zip(portal_t, weasy_t, strict=True))
    paired_cpu = statistics.median(a / b for a, b in zip(portal_cpu, weasy_cpu, strict=True))
    ok = p < 0.3 and paired <= 1.3
    print(f"load average {os.getloadavg()[0]:.2f} (1 min), {args.runs} interleaved runs")
    print(f"CPU time: portal median {pc * 1000:.0f} ms (min {min(portal_cpu) * 1000:.0f}), weasyprint "
          f"alone {wc * 1000:.0f} ms (min {min(weasy_cpu) * 1000:.0f}), paired ratio {paired_cpu:.2f}×")
    print(f"statement PDF: {pages} page(s), {len(data):,} bytes | portal median {p * 1000:.0f} ms "
          f"(p90 {sorted(portal_t)[int(0.9 * len(portal_t))] * 1000:.0f} ms, min {min(portal_t) * 1000:.0f}) "
          f"| weasyprint alone {w * 1000:.0f} ms (min {min(weasy_t) * 1000:.0f}) | ratio of medians "
          f"{p / w:.2f}×, paired {paired:.2f}× | target <300 ms and ≤1.3× (paired): "
          f"{'MET' if ok else 'NOT MET'}")


if __name__ == "__main__":
    main()
