#!/usr/bin/env bash
# Live mode at account scale: `apigw-doctor lint --aws` over N REST APIs of R resources each
# (default 500 x 20, one GET method with an HTTP integration per resource) on a moto server on
# loopback, against boto3 doing the same reads (GetRestApis, then GetResources --embed methods
# for each API): sequentially, as most audit scripts do, and with a pool of the same size as the
# tool's --aws-concurrency. Wall time and AWS calls made. moto answers without throttling, so the
# tool runs with --aws-rate 0 here; against AWS the documented GetResources quota (5 every 2 s)
# sets the pace, N/2.5 seconds at least, which the last line works out.
# Needs target/moto-venv (scripts/test.sh creates it).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-500}
R=${R:-20}
CONCURRENCY=${CONCURRENCY:-8}
venv=target/moto-venv
cargo build --release --locked -q --features aws
bin=$PWD/target/release/apigw-doctor
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
dir=$(mktemp -d)
trap 'kill $moto; rm -rf "$dir"' EXIT
export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
  AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=$dir/config \
  AWS_SHARED_CREDENTIALS_FILE=$dir/credentials
touch "$dir/config" "$dir/credentials"
until curl -s -o /dev/null "$AWS_ENDPOINT_URL"; do sleep 0.2; done
echo "creating $N REST APIs x $R resources on moto..." >&2
"$venv/bin/python" - "$N" "$R" <<'PY'
import sys, boto3
from concurrent.futures import ThreadPoolExecutor
n, r = int(sys.argv[1]), int(sys.argv[2])
a = boto3.client('apigateway')
def make(i):
    api = a.create_rest_api(name='svc-%04d' % i)['id']
    root = a.get_resources(restApiId=api)['items'][0]['id']
    for j in range(r - 1):
        res = a.create_resource(restApiId=api, parentId=root, pathPart='r%02d' % j)['id']
        a.put_method(restApiId=api, resourceId=res, httpMethod='GET', authorizationType='NONE')
        a.put_integration(restApiId=api, resourceId=res, httpMethod='GET', type='HTTP_PROXY',
                          integrationHttpMethod='GET', uri='https://backend.example.com/r%02d' % j)
with ThreadPoolExecutor(8) as pool:
    list(pool.map(make, range(n)))
PY
echo "reading them..." >&2
start=$(date +%s.%N)
"$bin" -o json lint --aws --aws-rate 0 --aws-concurrency "$CONCURRENCY" --aws-deadline 30m > "$dir/out.jsonl" || true
end=$(date +%s.%N)
python3 - "$dir/out.jsonl" "$start" "$end" "$N" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
scan = lines[-1]["result"]
print(f"apigw-doctor lint --aws (concurrency {scan['concurrency']}, unpaced): {float(sys.argv[3]) - float(sys.argv[2]):.2f} s wall, "
      f"{scan['apis_read']}/{sys.argv[4]} APIs read, {scan['calls']} calls, {len(lines) - 1} reports")
PY
"$venv/bin/python" - "$CONCURRENCY" <<'PY'
import sys, time, boto3
from concurrent.futures import ThreadPoolExecutor
pool_size = int(sys.argv[1])
calls = 0
def count(**_):
    global calls
    calls += 1
for workers in (1, pool_size):
    calls = 0
    session = boto3.session.Session()
    a = session.client('apigateway')
    a.meta.events.register('before-send', count)
    start = time.monotonic()
    ids = [api['id'] for page in a.get_paginator('get_rest_apis').paginate(PaginationConfig={'PageSize': 500}) for api in page['items']]
    def read(api):
        return [item for page in a.get_paginator('get_resources').paginate(restApiId=api, embed=['methods'], PaginationConfig={'PageSize': 500}) for item in page['items']]
    with ThreadPoolExecutor(workers) as pool:
        resources = sum(len(r) for r in pool.map(read, ids))
    took = time.monotonic() - start
    print(f"boto3, {workers} worker(s): {took:.2f} s wall, {len(ids)} APIs, {resources} resources, {calls} calls")
PY
echo "at API Gateway's documented pace (GetResources 5 every 2 s), $N APIs take at least $(python3 -c "print($N/2.5)") s"
