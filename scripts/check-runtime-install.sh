#!/usr/bin/env bash
# A production install works: Guichet built as a wheel and installed WITHOUT the dev extras, at
# the versions requirements.lock pins, in a scratch virtual environment; then every module of
# the installed package is imported after django.setup(). A module that imports at run time a
# package listed only in the dev extras (pypdf once was, for the bilingual letters) fails here
# instead of in production. It also fails if the install pulled a package the lock does not pin.
#
# Usage: scripts/check-runtime-install.sh [python]    (make install-check; CI runs it first)
# Skipped modules: tests/ and migrations/ folders, and guichet/testing.py (pytest fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
bash scripts/ensure-python-venv.sh "$python"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/guichet-install-check.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/src"

# The project's files as they are in the work tree (tracked and new, not ignored), copied: the
# build writes nothing here, and a stale build/ folder cannot ship a module that was removed.
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "install-check: needs a git work tree (it copies the files git knows)" >&2
  exit 1
fi
git ls-files -z --cached --others --exclude-standard \
  | tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null \
  | tar -xf - -C "$scratch/src"

"$python" -m venv "$scratch/venv"
pip=("$scratch/venv/bin/pip" --disable-pip-version-check --quiet)
# The lock is a constraints file: it fixes the version of whatever the runtime dependencies of
# pyproject.toml pull in, and installs nothing by itself (so no dev package).
"${pip[@]}" install --constraint requirements.lock "$scratch/src"
bash scripts/ensure-system-libs.sh "$scratch/venv/bin/python"
"$scratch/venv/bin/pip" --disable-pip-version-check freeze --exclude guichet >"$scratch/installed.txt"

# From the scratch folder, so that `guichet` is the installed package, not this work tree.
cd "$scratch"
DJANGO_SETTINGS_MODULE=guichet.settings "$scratch/venv/bin/python" - \
  "$OLDPWD/requirements.lock" "$scratch/installed.txt" <<'PY'
import importlib
import re
import sys
import traceback
from pathlib import Path


def pins(path: str) -> dict[str, str]:
    found = {}
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            found[re.sub(r"[-_.]+", "-", name).lower().strip()] = version.strip()
    return found


lock, installed = pins(sys.argv[1]), pins(sys.argv[2])
unpinned = sorted(f"{name}=={version}" for name, version in installed.items() if lock.get(name) != version)
if unpinned:
    print("install-check: installed at a version requirements.lock does not pin:", *unpinned, sep="\n  ")
    sys.exit(1)

import django  # noqa: E402

django.setup()
import guichet  # noqa: E402

package = Path(guichet.__file__).resolve().parent
if not package.is_relative_to(Path(sys.prefix).resolve()):
    print(f"install-check: guichet was imported from {package}, not from the scratch install")
    sys.exit(1)

failures, imported = [], 0
for path in sorted(package.rglob("*.py")):
    parts = path.relative_to(package.parent).with_suffix("").parts
    if "tests" in parts or "migrations" in parts or parts == ("guichet", "testing"):
        continue
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    try:
        importlib.import_module(name)
        imported += 1
    except Exception:
        failures.append(f"{name}:\n{traceback.format_exc(limit=-1)}")
for failure in failures:
    print(f"install-check: cannot import {failure}")
print(
    f"install-check: {len(installed)} packages installed without the dev extras, all pinned by "
    f"requirements.lock; {imported} modules imported, {len(failures)} failed"
)
sys.exit(1 if failures else 0)
PY
