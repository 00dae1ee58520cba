#!/usr/bin/env bash
# Start-up time of `apigw-doctor kb list` and `kb search` (target: under 5 ms): loads and
# validates every embedded article, builds the search index, then renders. Uses hyperfine when installed, otherwise times
# RUNS invocations itself and prints the mean and the fastest run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-200}
cargo build --release --locked -q
bin=target/release/apigw-doctor
cognito='Error executing "AdminInitiateAuth" on "https://cognito-idp.us-east-1.amazonaws.com"; resulted in a `400 Bad Request` response: {"__type":"NotAuthorizedException","message":"Incorrect username or password."}'
# Instructions counted by callgrind: repeatable on a loaded or virtual machine, where wall
# times of a few milliseconds are not.
if command -v valgrind >/dev/null 2>&1; then
  for args in "--version" "kb list" "kb search 'Execution failed due to configuration error: Malformed Lambda proxy response'"; do
    refs=$(eval valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$args" 2>&1 >/dev/null | sed -n 's/.*I *refs: *//p')
    printf '%-28s %s instructions\n' "${args:0:28}" "$refs"
  done
fi
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N -i --warmup 20 --runs "$RUNS" "$bin kb list" "$bin -o json kb list" \
    "$bin kb search 'Execution failed due to configuration error: Malformed Lambda proxy response'" \
    "$bin kb search 'has been blocked by CORS policy: No Access-Control-Allow-Origin header is present'" \
    "$bin kb search '$cognito'"
  exit 0
fi
time_runs() {
  local label=$1; shift
  best=999999999; total=0
  for _ in $(seq "$RUNS"); do
    start=$(date +%s%N); "$@" >/dev/null || true; end=$(date +%s%N)
    t=$((end - start)); total=$((total + t)); ((t < best)) && best=$t
  done
  printf '%-28s mean %6.2f ms   min %6.2f ms   (%d runs, includes fork+exec of the shell timer)\n' \
    "$label" "$(echo "$total / $RUNS / 1000000" | bc -l)" "$(echo "$best / 1000000" | bc -l)" "$RUNS"
}
time_runs "--version (process baseline)" $bin --version
time_runs "kb list" $bin kb list
time_runs "-o json kb list" $bin -o json kb list
time_runs "kb search (seed error)" $bin kb search 'Execution failed due to configuration error: Malformed Lambda proxy response'
time_runs "kb search (Cognito paste)" $bin kb search "$cognito"
