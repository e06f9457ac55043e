#!/usr/bin/env python3
"""Summarise the criterion results of `cargo bench --bench codec`.

Reads every target/criterion/**/new/benchmark.json (+ the estimates.json next
to it) whose id is `<operation>/<pdu>/<implementation>` and prints one row per
operation/pdu with PDUs/s for smpp, smpp34 and rusmpp, and the ratio of ours
to the faster competitor (target: >= 2.0).

Usage: python3 benches/report.py [--dir target/criterion]
                                 [--estimate median|mean|slope] [--markdown]
Standard library only.
"""

import argparse
import json
import os
import sys

OURS = "smpp"
COMPETITORS = ("smpp34", "rusmpp")
IMPLEMENTATIONS = (OURS,) + COMPETITORS
OPERATION_ORDER = ("decode", "encode")
PDU_ORDER = (
    "submit_sm",
    "deliver_sm_receipt",
    "enquire_link",
    "submit_sm_resp",
    "mixed_stream",
)
TARGET_RATIO = 2.0


def load(root, estimate):
    """{(operation, pdu): {implementation: pdus_per_second}}"""
    results = {}
    for dirpath, _dirnames, filenames in os.walk(root):
        if os.path.basename(dirpath) != "new" or "benchmark.json" not in filenames:
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            estimates = json.load(f)
        parts = bench.get("full_id", "").split("/")
        if len(parts) != 3:
            continue
        operation, pdu, implementation = parts
        throughput = bench.get("throughput") or {}
        elements = throughput.get("Elements")
        if elements is None:
            continue
        chosen = estimates.get(estimate) or estimates.get("mean")
        nanoseconds = chosen["point_estimate"]  # per iteration
        if nanoseconds <= 0:
            continue
        per_second = elements * 1e9 / nanoseconds
        results.setdefault((operation, pdu), {})[implementation] = per_second
    return results


def order_key(key):
    operation, pdu = key
    op_rank = OPERATION_ORDER.index(operation) if operation in OPERATION_ORDER else 99
    pdu_rank = PDU_ORDER.index(pdu) if pdu in PDU_ORDER else 99
    return (op_rank, operation, pdu_rank, pdu)


def human(rate):
    if rate is None:
        return "-"
    for factor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if rate >= factor:
            return f"{rate / factor:.2f} {suffix}"
    return f"{rate:.0f}"


def rows(results):
    out = []
    for key in sorted(results, key=order_key):
        rates = results[key]
        competitors = [rates[c] for c in COMPETITORS if c in rates]
        ours = rates.get(OURS)
        if ours is not None and competitors:
            ratio = ours / max(competitors)
            ratio_text = f"{ratio:.2f}x" + ("" if ratio >= TARGET_RATIO else " (<2x)")
        else:
            ratio_text = "-"
        out.append(
            ["/".join(key)] + [human(rates.get(i)) for i in IMPLEMENTATIONS] + [ratio_text]
        )
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=os.path.join("target", "criterion"))
    parser.add_argument(
        "--estimate",
        default="median",
        choices=("median", "mean", "slope"),
        help="criterion estimate of the time per iteration (default: median, "
        "the most robust on a shared machine)",
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()

    if not os.path.isdir(args.dir):
        sys.exit(f"{args.dir}: no criterion results; run `cargo bench --bench codec` first")
    results = load(args.dir, args.estimate)
    if not results:
        sys.exit(f"{args.dir}: no <operation>/<pdu>/<implementation> results found")

    header = ["operation/pdu (PDUs/s)"] + list(IMPLEMENTATIONS) + ["ours/fastest other"]
    table = rows(results)
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        for row in table:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(r[i]) for r in [header] + table) for i in range(len(header))]
        line = lambda r: "  ".join(  # noqa: E731
            c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)
        )
        print(line(header))
        print("  ".join("-" * w for w in widths))
        for row in table:
            print(line(row))
    print(f"\nestimate: {args.estimate} time per iteration; target: ours >= {TARGET_RATIO}x "
          "the faster competitor")


if __name__ == "__main__":
    main()
