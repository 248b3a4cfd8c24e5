"""Prepare the Chinese fonts of statement PDFs once per host (run by `make setup`).

Extracts the Noto Sans CJK SC faces from the fonts-noto-cjk collections and builds their reduced
faces (see portal/core/pdf.py) into $PORTAL_FONT_CACHE or instance/fonts/. Idempotent: files
already built for the installed font package are kept. Without this step the first PDF a
process renders waits for the build (~30 s).
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal.core import pdf  # noqa: E402


def main() -> None:
    started = time.perf_counter()
    for name in (*pdf.CJK_FONTS, *pdf.CORE_FONTS):
        path = pdf.font_file(name)
        print(f"{name}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"PDF fonts ready in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
