"""Run the benchmark groups: `python -m bench [--only GROUP[,GROUP]]`."""

import argparse
import importlib
import sys

GROUPS = ["clock", "dossiers", "reports", "appointments", "telephone"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated groups: " + ", ".join(GROUPS))
    args = parser.parse_args()
    chosen = [g for g in args.only.split(",") if g] or GROUPS
    unknown = sorted(set(chosen) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s): {', '.join(unknown)}; known: {', '.join(GROUPS)}")
    for group in chosen:
        importlib.import_module(f"bench.{group}").run()
    return 0


def emit(name: str, value: float, unit: str) -> None:
    """One figure, in the format `make bench` promises."""
    print(f"BENCH {name} {value:.6g} {unit}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
