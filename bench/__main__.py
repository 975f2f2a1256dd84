"""Run the benchmark groups: `python -m bench [--only GROUP[,GROUP]]`."""

import argparse
import importlib
import sys

GROUPS = ["clock", "dossiers", "reports", "appointments", "telephone"]
# Only when asked for: an hour or more (three databases of up to 3M dossiers, a 30-minute soak).
ON_REQUEST = ["scale"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument(
        "--only", default="", help="comma-separated groups: " + ", ".join(GROUPS + ON_REQUEST)
    )
    args = parser.parse_args()
    chosen = [g for g in args.only.split(",") if g] or GROUPS
    known = GROUPS + ON_REQUEST
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        parser.error(f"unknown group(s): {', '.join(unknown)}; known: {', '.join(known)}")
    for group in chosen:
        importlib.import_module(f"bench.{group}").run()
    return 0


def emit(name: str, value: float, unit: str) -> None:
    """One figure, in the format `make bench` promises."""
    print(f"BENCH {name} {value:.6g} {unit}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
