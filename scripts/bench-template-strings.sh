#!/usr/bin/env bash
# String building in mapping templates: `#set($s = "${s}x")` N thousand times (a loop of 1,000,
# API Gateway's #foreach quota, nested in a loop of N), against LocalStack's engine, airspeed-ext
# (pip, in target/airspeed-venv), on the same template. Target: <= 0.5x airspeed at 160k.
# Wall time of the whole command for apigw-doctor (process start included), of merge() for
# airspeed (its import and parse excluded).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
bin=$PWD/target/release/apigw-doctor
venv=target/airspeed-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import airspeed' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check airspeed-ext
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for n in ${SIZES:-20 60 160}; do
  cat > "$dir/grow.vtl" <<VTL
#set(\$s = "")
#foreach(\$j in [1..$n])
#foreach(\$i in [1..1000])
#set(\$s = "\${s}x")
#end
#end
\$s.length()
VTL
  start=$(date +%s.%N)
  "$bin" template "$dir/grow.vtl" -o json > "$dir/out.json"
  end=$(date +%s.%N)
  out=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["output"].strip())' "$dir/out.json")
  ours=$(python3 -c "print(f'{$end - $start:.3f}')")
  theirs=$("$venv/bin/python" - "$dir/grow.vtl" <<'PY'
import airspeed, sys, time
t = airspeed.Template(open(sys.argv[1]).read())
start = time.monotonic()
out = t.merge({})
print(f"{time.monotonic() - start:.3f} {out.strip()}")
PY
)
  echo "${n}k iterations: apigw-doctor ${ours} s (length $out), airspeed-ext ${theirs% *} s (length ${theirs#* }), ratio $(python3 -c "print(f'{$ours / ${theirs% *}:.2f}')")x"
done
