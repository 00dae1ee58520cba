#!/usr/bin/env bash
# Does mimalloc pay for itself per command? Runs the same commands with mimalloc and with the
# system allocator (APIGW_DOCTOR_ALLOCATOR=mimalloc|system), then as shipped (each command's
# own choice, `allocator_for` in src/main.rs): start-up (--version, kb search), a 100 KB and a
# 6 MB Lambda output, lint, selection and validate on a 10,000-method export, and a 1 MB body through a mapping template. Prints
# mean wall time (with the timers' own fork and exec) and peak RSS of each.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --locked -q
b=target/release/apigw-doctor

python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
dump = lambda o: json.dumps(o, separators=(",", ":"))
items = [{"id": i, "name": f"item-{i}", "tags": ["a", "b"], "price": i * 0.5} for i in range(60000)]
open(f"{w}/small-out.json", "w").write(dump({"statusCode": 200, "headers": {"content-type": "application/json"}, "body": dump(items[:1500])}))
open(f"{w}/out.json", "w").write(dump({"statusCode": 200, "headers": {"content-type": "application/json"}, "body": dump(items)}))
paths = {}
for i in range(10000):
    paths[f"/r{i}"] = {"get": {"responses": {"200": {}}, "x-amazon-apigateway-integration": {
        "type": "aws", "httpMethod": "POST",
        "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations",
        "responses": {"default": {"statusCode": "200"}, ".*error.*": {"statusCode": "500"}}}}}
open(f"{w}/export.json", "w").write(dump({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": paths}))
open(f"{w}/body.json", "w").write(dump({"items": items[:20000]}))
open(f"{w}/t.vtl", "w").write('#set($b = $input.path("$"))[#foreach($i in $b.items){"id":$i.id,"n":"$util.escapeJavaScript($i.name)"}#if($foreach.hasNext),#end#end]')
PY

measure() { # label, then the command; prints mean wall ms and peak RSS of RUNS runs
  local label=$1; shift
  local total=0 peak=0 start end kib
  for _ in $(seq "$RUNS"); do
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/t" "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    kib=$(tail -n 1 "$work/t")
    total=$((total + end - start))
    ((kib > peak)) && peak=$kib
  done
  printf '%-26s %8.1f ms  %8d KiB\n' "$label" "$(echo "$total / $RUNS / 1000000" | bc -l)" "$peak"
}
for a in mimalloc system shipped; do
  if [[ $a == shipped ]]; then unset APIGW_DOCTOR_ALLOCATOR; else export APIGW_DOCTOR_ALLOCATOR=$a; fi
  echo "== $a"
  measure "--version" "$b" --version
  measure "kb search" "$b" kb search 'Execution failed due to configuration error: Malformed Lambda proxy response'
  measure "lambda (100 KB output)" "$b" lambda "$work/small-out.json"
  measure "lambda (6 MB output)" "$b" lambda "$work/out.json"
  measure "lint (10,000 methods)" "$b" lint "$work/export.json"
  measure "selection --export" "$b" selection --export "$work/export.json" --method GET --path /r9999 --status 500
  measure "validate --export" "$b" validate --export "$work/export.json" --method GET --path /r9999
  measure "template (1 MB body)" "$b" template "$work/t.vtl" --body "$work/body.json"
done
