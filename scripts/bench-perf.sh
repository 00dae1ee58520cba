#!/usr/bin/env bash
# Linear-time benchmarks, each measured side by side with the machine's jq in the same run
# (issue targets in brackets). Inputs are generated compact JSON.
#  1. lambda, 6 MB output with one header holding 242,000 values   [<= 2x jq empty]
#  2. lambda, 6 MB output with 101,000 header names                 [<= 2x jq empty]
#  3. lambda, a 6 MB output with a large JSON body, -o json          [<= 0.3x jq empty]
#  4. lint, exports of 1,000 / 10,000 / 50,000 methods (5 integration responses each, one
#     in ten methods with a finding)  [time per method flat within 25%; 10k <= 5x jq empty]
#  5. lambda --lines, 1,000,000 lines, -o json (one in ten invalid) [faster than jq -c .;
#     memory flat]
# Needs python3 (inputs), jq, and hyperfine (falls back to best-of-N with GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
cargo build --release --locked -q
bin=$PWD/target/release/apigw-doctor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "peer: $(jq --version) ($(command -v jq))"

python3 - "$work" <<'PY'
import json, random, sys
w = sys.argv[1]
dump = lambda o: json.dumps(o, separators=(",", ":"))
vals = [f"value-{i:07d}-abcdefg" for i in range(242000)]
open(f"{w}/one-header.json", "w").write(dump({"statusCode": 200, "multiValueHeaders": {"x-many": vals}, "body": "ok"}))
names = {f"x-header-name-{i:07d}-abcdefghijklm": ["value-abcdefghijklm"] for i in range(101000)}
open(f"{w}/many-names.json", "w").write(dump({"statusCode": 200, "multiValueHeaders": names, "body": "ok"}))
random.seed(7)
items = [{"id": i, "name": f"item-{i}", "tags": ["a", "b"], "price": random.random() * 100,
          "description": "lorem ipsum dolor sit amet " * 3} for i in range(36000)]
out = dump({"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": dump({"items": items})})
while len(out) > 6 * 1024 * 1024:
    items = items[: int(len(items) * 0.99)]
    out = dump({"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": dump({"items": items})})
open(f"{w}/six-mb.json", "w").write(out)
for n in (1000, 10000, 50000):
    paths = {}
    for i in range(n):
        bad = i % 10 == 0
        responses = {"default": {"statusCode": "200"}, "4\\d{2}": {"statusCode": "400"},
                     "5\\d{2}": {"statusCode": "500"}, "404": {"statusCode": "404"},
                     ("(a+)+x" if bad else "409"): {"statusCode": "409"}}
        op = {"responses": {s: {"description": s} for s in ["200", "400", "404", "409", "500"]},
              "x-amazon-apigateway-integration": {"type": "http", "httpMethod": "GET",
                  "uri": f"https://backend.example.com/r{i}", "responses": responses}}
        paths[f"/r{i}"] = {"get": op}
    open(f"{w}/lint-{n}.json", "w").write(dump({"openapi": "3.0.1", "info": {"title": "bench", "version": "1"}, "paths": paths}))
with open(f"{w}/lines.jsonl", "w") as f:
    for i in range(1_000_000):
        o = ({"statusCode": 200, "body": {"id": i}} if i % 10 == 9 else
             {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": dump({"id": i, "ok": True})})
        f.write(dump(o) + "\n")
PY

# Mean wall time in seconds of a command (stdout discarded).
mean() {
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N -w 3 -r "$RUNS" -i --export-json "$work/h.json" "$1" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$work/h.json"
  else
    local best=999
    for _ in $(seq "$RUNS"); do
      t=$( { /usr/bin/time -f %e sh -c "$1 >/dev/null 2>&1" ; } 2>&1 | tail -1)
      best=$(python3 -c "print(min($best, $t))")
    done
    echo "$best"
  fi
}
rss() { /usr/bin/time -f %M sh -c "$1 >/dev/null 2>&1" 2>&1 | tail -1; }
ratio() { python3 -c "print('%.2fx' % ($1 / $2))"; }

compare() { # label, ours, peer
  local a b
  a=$(mean "$2"); b=$(mean "$3")
  printf '%-58s %8.1f ms  peer %8.1f ms  ratio %s\n' "$1" "$(python3 -c "print($a*1000)")" "$(python3 -c "print($b*1000)")" "$(ratio "$a" "$b")"
}

echo "== lambda (peer: jq empty)"
compare "1. one header, 242,000 values (-o json)" "$bin -o json lambda $work/one-header.json" "jq empty $work/one-header.json"
compare "2. 101,000 header names (-o json)" "$bin -o json lambda $work/many-names.json" "jq empty $work/many-names.json"
compare "3. 6 MB output, JSON body (-o json)" "$bin -o json lambda $work/six-mb.json" "jq empty $work/six-mb.json"
# Peak RSS against the issue's bounds: at most 4x the input and at most jq's.
for f in one-header many-names six-mb; do
  size=$(stat -c %s "$work/$f.json")
  ours=$(rss "$bin -o json lambda $work/$f.json"); peer=$(rss "jq empty $work/$f.json")
  printf '   peak RSS %-10s %7d KiB  = %4.2fx the input (%d KiB)  jq %7d KiB  ratio %s\n' \
    "$f" "$ours" "$(python3 -c "print($ours * 1024 / $size)")" "$((size / 1024))" "$peer" "$(ratio "$ours" "$peer")"
done

echo "== lint (peer: jq empty)"
for n in 1000 10000 50000; do
  a=$(mean "$bin -o json lint $work/lint-$n.json"); b=$(mean "jq empty $work/lint-$n.json")
  printf '4. %6d methods: %8.1f ms  %6.2f us/method  peak RSS %7d KiB  jq %8.1f ms  ratio %s\n' \
    "$n" "$(python3 -c "print($a*1000)")" "$(python3 -c "print($a*1e6/$n)")" \
    "$(rss "$bin -o json lint $work/lint-$n.json")" "$(python3 -c "print($b*1000)")" "$(ratio "$a" "$b")"
done

echo "== lambda --lines, 1,000,000 lines (peer: jq -c .)"
RUNS=3
compare "5. --lines -o json" "$bin -o json lambda --lines $work/lines.jsonl" "jq -c . $work/lines.jsonl"
head -n 100000 "$work/lines.jsonl" > "$work/lines-100k.jsonl"
echo "   peak RSS: 100k lines $(rss "$bin -o json lambda --lines $work/lines-100k.jsonl") KiB, 1M lines $(rss "$bin -o json lambda --lines $work/lines.jsonl") KiB"
