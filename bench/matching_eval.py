"""Evaluate the customer matcher on labelled pairs (DESIGN §3.4).

    .venv/bin/python bench/matching_eval.py                 # metrics, errors, blocking
    .venv/bin/python bench/matching_eval.py --sweep         # calibrate FUZZY_THRESHOLD
    .venv/bin/python bench/matching_eval.py path/to/pairs.csv

The CSV has columns a_name, a_uscc, a_domain, a_phone, b_name, b_uscc, b_domain, b_phone,
same (1/0), outcome (match / possible / none: what a channel manager expects) and note; it is
written by bench/data/build_pairs.py. Prints precision, recall and F1 of `compare` for `match`,
the 3×3 confusion matrix of the outcomes, the misclassified pairs, and how well the blocking keys
would find each true pair's partner in a candidate search.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portal.matching.compare import FUZZY_THRESHOLD, compare  # noqa: E402
from portal.matching.keys import blocking_keys, record_keys  # noqa: E402

DEFAULT = ROOT / "bench" / "data" / "customer_pairs.csv"
FIELDS = ("name", "uscc", "domain", "phone")


OUTCOMES = ("match", "possible", "none")


def load_pairs(path: Path = DEFAULT) -> list[tuple[dict, dict, str, str]]:
    """(a, b, expected outcome, note) per row; empty cells become None. A file without the
    outcome column reads `same` 1/0 as match/none."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [({f: row[f"a_{f}"] or None for f in FIELDS},
                 {f: row[f"b_{f}"] or None for f in FIELDS},
                 (row.get("outcome") or "").strip()
                 or ("match" if row["same"].strip() == "1" else "none"), row["note"])
                for row in csv.DictReader(handle)]


def outcome_of(result) -> str:
    return getattr(result, "outcome", None) or ("match" if result.is_match else "none")


def evaluate(pairs, threshold: float = FUZZY_THRESHOLD) -> dict:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    matrix = {(e, g): 0 for e in OUTCOMES for g in OUTCOMES}
    errors = []
    for a, b, expected, note in pairs:
        result = compare(a, b, fuzzy_threshold=threshold)
        got = outcome_of(result)
        matrix[(expected, got)] += 1
        same, found = expected == "match", got == "match"
        counts[("t" if found == same else "f") + ("p" if found else "n")] += 1
        if got != expected:
            errors.append((a, b, expected, note, result))
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {**counts, "precision": precision, "recall": recall, "f1": f1, "errors": errors,
            "matrix": matrix}


def blocking(pairs) -> dict:
    names = {record.get("name") for a, b, _same, _note in pairs for record in (a, b)} - {None}
    sizes = [len(blocking_keys(name)) for name in names]
    true_pairs = [(a, b) for a, b, expected, _note in pairs if expected == "match"]
    by_name = [bool({k for k in record_keys(a) if k.startswith("n:")}
                    & {k for k in record_keys(b) if k.startswith("n:")}) for a, b in true_pairs]
    by_any = [bool(record_keys(a) & record_keys(b)) for a, b in true_pairs]
    return {"names": len(names), "avg_keys": sum(sizes) / len(sizes), "max_keys": max(sizes),
            "true_pairs": len(true_pairs), "name_shared": sum(by_name), "any_shared": sum(by_any),
            "missed": [(a, b) for (a, b), hit in zip(true_pairs, by_any, strict=True) if not hit],
            "name_missed": [(a, b) for (a, b), hit in zip(true_pairs, by_name, strict=True) if not hit]}


def _describe(record: dict) -> str:
    return " / ".join(value for value in (record.get(f) for f in FIELDS) if value)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--sweep", action="store_true", help="F1 for fuzzy thresholds 0.50-0.95")
    args = parser.parse_args(argv)
    pairs = load_pairs(Path(args.path))

    if args.sweep:
        print("threshold  precision  recall   F1      fp  fn")
        for step in range(50, 96):
            m = evaluate(pairs, step / 100)
            print(f"  {step / 100:.2f}     {m['precision']:.3f}    {m['recall']:.3f}   {m['f1']:.3f}"
                  f"   {m['fp']:>3} {m['fn']:>3}")
        return 0

    m = evaluate(pairs)
    expected = {o: sum(1 for _a, _b, e, _n in pairs if e == o) for o in OUTCOMES}
    print(f"pairs: {len(pairs)} (" + ", ".join(f"{n} {o}" for o, n in expected.items())
          + f"); fuzzy threshold {FUZZY_THRESHOLD}")
    print(f"match: tp {m['tp']}  fp {m['fp']}  fn {m['fn']}  tn {m['tn']}")
    print(f"match: precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}")
    print("\nconfusion matrix (rows: expected, columns: compare's outcome)")
    print(f"  {'':>10}" + "".join(f"{o:>10}" for o in OUTCOMES))
    for e in OUTCOMES:
        print(f"  {e:>10}" + "".join(f"{m['matrix'][(e, g)]:>10}" for g in OUTCOMES))
    print(f"\nmisclassified ({len(m['errors'])}):")
    for a, b, want, note, result in m["errors"]:
        print(f"  [expected {want}, got {outcome_of(result)}] {_describe(a)}  <>  {_describe(b)}\n"
              f"      score {result.score:.2f} signals {result.signals or '-'}  ({note})")

    blk = blocking(pairs)
    print(f"\nblocking: {blk['names']} distinct names, {blk['avg_keys']:.2f} name keys per name "
          f"on average (max {blk['max_keys']})")
    print(f"  true pairs sharing a name key: {blk['name_shared']}/{blk['true_pairs']}")
    print(f"  true pairs sharing any key (name, USCC, domain, phone): "
          f"{blk['any_shared']}/{blk['true_pairs']} -> every true pair blocked: "
          f"{'yes' if not blk['missed'] else 'no'}")
    for a, b in blk["missed"]:
        print(f"    not blocked: {_describe(a)}  <>  {_describe(b)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
