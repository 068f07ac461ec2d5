#!/usr/bin/env bash
# Mutation testing of docgap's core with mutmut 3, configured in pyproject.toml ([tool.mutmut]).
#
#   bench/mutation.sh                      # every module in only_mutate
#   bench/mutation.sh validate render      # just these (docgap.<name> and what is below it)
#   bench/mutation.sh docgap.validate.x__short__mutmut_3 ...   # just these mutants
#
# mutmut 3 wants the package under src/ (it puts mutants/src first on sys.path and names mutants by
# module), while docgap lives in plugin/. So this stages plugin/docgap as src/docgap, with tests/,
# bench/, example_docs/ and pyproject.toml, in a temporary directory and runs mutmut there: nothing is written to the work tree.
# Prints killed/survived per module and in total. Environment: JOBS (parallel mutants, default 2),
# TESTS (space-separated test files to use instead of pyproject's selection; every one must pass),
# MUTATION_DIR (stage here and keep it, to inspect survivors with `mutmut show NAME` or re-run
# incrementally; default: a fresh temporary directory, removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv=$root/.venv/bin
"$venv/python" -c "import mutmut" 2>/dev/null || "$venv/pip" install -q -e ".[mutation]"

if [[ -n "${MUTATION_DIR:-}" ]]; then
    work=$MUTATION_DIR
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/docgap-mutation.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/src"
# -p keeps modification times, so an unchanged file keeps the mutants and results of a kept directory
rm -rf "$work/src/docgap" "$work/tests"
cp -rp plugin/docgap "$work/src/docgap"
cp -rp tests "$work/tests"
rm -rf "$work/bench" "$work/example_docs"
cp -rp bench "$work/bench"  # tests import bench/synthetic.py and copy example_docs/
cp -rp example_docs "$work/example_docs"
cp -p pyproject.toml "$work/"
find "$work/src" "$work/tests" "$work/bench" "$work/example_docs" -name __pycache__ -prune -exec rm -rf {} +
if [[ -n "${TESTS:-}" ]]; then  # another test selection, e.g. while unrelated tests are broken
    "$venv/python" - "$work/pyproject.toml" $TESTS <<'EOF'
import re
import sys

path, tests = sys.argv[1], sys.argv[2:]
listed = "pytest_add_cli_args_test_selection = [" + ", ".join(f'"{t}"' for t in tests) + "]"
text = re.sub(r"(?ms)^pytest_add_cli_args_test_selection = \[.*?^\]", lambda _: listed, open(path).read())
open(path, "w").write(text)
EOF
fi

patterns=()
for name in "$@"; do
    case $name in
        *__mutmut_*) patterns+=("$name") ;;  # one mutant, as `mutmut results` names it: re-check it
        *) patterns+=("docgap.${name%.py}.*") ;;
    esac
done

cd "$work"
start=$SECONDS
"$venv/mutmut" run --max-children "${JOBS:-2}" "${patterns[@]}" > mutmut-run.log 2>&1 || {
    tail -40 mutmut-run.log
    exit 1
}
"$venv/mutmut" results --all true > mutmut-results.txt
"$venv/python" - "$((SECONDS - start))" "${patterns[@]}" <<'EOF'
"""Summarise `mutmut results --all true`: killed and survived per module, then the total."""
import fnmatch
import re
import sys
from collections import Counter, defaultdict

seconds, patterns = sys.argv[1], sys.argv[2:]
counts: dict[str, Counter] = defaultdict(Counter)
survivors = []
for line in open("mutmut-results.txt"):
    match = re.match(r"\s*(\S+)__mutmut_\d+: (.+)", line)
    if not match:
        continue
    name, status = line.strip().split(": ", 1)
    if patterns and not any(fnmatch.fnmatch(name, p) for p in patterns):
        continue
    module = re.sub(r"\.x[_ǁ].*$", "", name)
    status = {"timeout": "killed", "caught by type check": "killed"}.get(status, status)
    counts[module][status] += 1
    if status != "killed":
        survivors.append(f"{name}: {status}")
total = Counter()
print(f"{'module':<28} {'mutants':>8} {'killed':>8} {'survived':>9} {'score':>7}")
for module in sorted(counts):
    c = counts[module]
    total.update(c)
    n = sum(c.values())
    print(f"{module:<28} {n:>8} {c['killed']:>8} {n - c['killed']:>9} {c['killed'] / n:>7.1%}")
n = sum(total.values())
if n:
    print(f"{'total':<28} {n:>8} {total['killed']:>8} {n - total['killed']:>9} {total['killed'] / n:>7.1%}")
print(f"({seconds} s; not killed: {dict(Counter(s.rsplit(': ', 1)[1] for s in survivors))})")
EOF
echo "survivors: mutmut results in $work (mutmut show NAME there)"
