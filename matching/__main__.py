"""Command line: classify-role, eval-role, train-role and bench."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _classify(path: str) -> int:
    from matching.text import extract_skills

    source = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    for line in source.splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        text = row.get("description") or ""
        if row.get("title"):  # used when given, never needed
            text = f"{row['title']}. {text}"
        found = extract_skills(text)
        out = {
            "role": found.role,
            "confidence": round(found.confidence, 4),
            "skills": found.skills,
            "credentials": sorted(found.credentials),
            "ehr": sorted(found.ehr),
            "languages": sorted(found.languages),
            "typing_wpm": found.typing_wpm,
        }
        if "posting_id" in row:
            out = {"posting_id": row["posting_id"], **out}
        print(json.dumps(out))
    return 0


def _eval(directory: str) -> int:
    from matching.text import ROLE_LABELS
    from matching.training import cross_validate

    result = cross_validate(Path(directory))
    print(f"cross-validated macro-F1 (receptionist/secretary/other): {result['macro_f1']:.3f}")
    print(f"\n{'':14}{'precision':>10}{'recall':>10}{'F1':>10}{'postings':>10}")
    for role in ROLE_LABELS:
        print(
            f"{role:14}{result['per_class_precision'][role]:10.3f}"
            f"{result['per_class_recall'][role]:10.3f}{result['per_class_f1'][role]:10.3f}"
            f"{result['counts'][role]:10d}"
        )
    print(f"\nconfusion (rows: true role, columns: predicted)\n{'':14}", end="")
    print("".join(f"{role:>14}" for role in ROLE_LABELS))
    for role, row in zip(ROLE_LABELS, result["confusion"], strict=True):
        print(f"{role:14}" + "".join(f"{v:14d}" for v in row))
    print()
    print(json.dumps(result, indent=2))
    return 0 if result["macro_f1"] > 0.90 else 1


def _train(directory: str) -> int:
    from matching.training import train, write_model

    path = write_model(train(Path(directory)))
    print(f"wrote {path}")
    return 0


def _bench(sizes: str) -> int:
    bench_dir = Path(__file__).resolve().parent.parent / "bench"
    sys.path.insert(0, str(bench_dir))
    from bench_matching import main as bench_main

    return int(bench_main([int(s) for s in sizes.split(",")]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "classify-role", help="JSON lines with description -> role, confidence, skills"
    ).add_argument("file", help="a .jsonl file, or - for standard input")
    sub.add_parser(
        "eval-role", help="cross-validated macro-F1 on a postings directory"
    ).add_argument("dir")
    sub.add_parser("train-role", help="retrain matching/data/role_classifier.json").add_argument(
        "dir"
    )
    bench = sub.add_parser("bench", help="ranking speed and memory benchmark")
    bench.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args(argv)
    if args.command == "classify-role":
        return _classify(args.file)
    if args.command == "eval-role":
        return _eval(args.dir)
    if args.command == "train-role":
        return _train(args.dir)
    return _bench(args.sizes)


if __name__ == "__main__":
    raise SystemExit(main())
