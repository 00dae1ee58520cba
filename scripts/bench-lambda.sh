#!/usr/bin/env bash
# Benchmarks for `apigw-doctor lambda` (issue targets in brackets):
#  1. a 6 MB function output (Lambda's synchronous response limit), against `jq empty`
#     on the same file [faster than jq];
#  2. a 100,000-line `--lines` file [under 1 s, memory flat: peak RSS at 100k lines about
#     the same as at 10k lines].
# Needs python3 to generate inputs; uses hyperfine when installed and GNU time for RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
bin=$PWD/target/release/apigw-doctor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
random.seed(7)
# A realistic 6 MB proxy response: the body is serialized JSON (escaped inside a string).
items = []
size = 0
while size < 6 * 1024 * 1024 - 200_000:
    item = {"id": len(items), "name": f"item-{len(items)}", "tags": ["a", "b", "c"], "price": random.random() * 100,
            "description": "lorem ipsum dolor sit amet " * 3}
    items.append(item)
    size += len(json.dumps(item)) + 8
def render(items):
    body = json.dumps({"items": items})
    return json.dumps({"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": body})
out = render(items)
while len(out) > 6 * 1024 * 1024:  # escaping the body grows it: trim to just under the limit
    items = items[: int(len(items) * 0.99)]
    out = render(items)
open(f"{work}/six-mb.json", "w").write(out)
shapes = [
    lambda i: {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps({"id": i})},
    lambda i: {"statusCode": 200, "body": {"id": i}},
    lambda i: {"statusCode": "201", "body": ""},
    lambda i: {"statusCode": 404, "headers": {"X-Count": i}, "body": "nf"},
    lambda i: {"statusCode": 302, "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "headers": {"Location": "/x"}},
]
for n in (10_000, 100_000):
    with open(f"{work}/lines-{n}.jsonl", "w") as f:
        for i in range(n):
            f.write(json.dumps(shapes[i % len(shapes)](i)) + "\n")
PY
ls -l "$work"

echo "== 1. 6 MB output: apigw-doctor vs jq empty"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 3 --runs 20 \
    "$bin -o json lambda $work/six-mb.json" \
    "jq empty $work/six-mb.json"
else
  for cmd in "$bin -o json lambda $work/six-mb.json" "jq empty $work/six-mb.json"; do
    /usr/bin/time -f "%e s  %M KiB  $cmd" $cmd >/dev/null
  done
fi

echo "== 2. --lines: wall time and peak RSS"
for n in 10000 100000; do
  /usr/bin/time -f "$n lines: %e s elapsed, peak RSS %M KiB" \
    "$bin" -o json lambda --lines "$work/lines-$n.jsonl" >/dev/null || true
  /usr/bin/time -f "$n lines (human output): %e s elapsed, peak RSS %M KiB" \
    "$bin" --color never lambda --lines "$work/lines-$n.jsonl" >/dev/null || true
done
