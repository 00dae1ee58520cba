#!/usr/bin/env bash
# Reading infrastructure as code at scale: `apigw-doctor lint` on a CloudFormation template in
# resource form (what `cdk synth` prints) with N methods (default 5,000: one Resource, one
# Method with a Lambda non-proxy integration, two integration and two method responses each),
# against `jq empty` on the same file (target: within 2x). Wall time and peak RSS, best of RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-5000}
RUNS=${RUNS:-5}
cargo build --release --locked -q
bin=$PWD/target/release/apigw-doctor
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$N" "$dir/template.json" <<'PY'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
uri = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"},
       ":lambda:path/2015-03-31/functions/", {"Fn::GetAtt": ["Fn", "Arn"]}, "/invocations"]]}
r = {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "big"}},
     "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "index.handler", "Runtime": "nodejs20.x"}}}
for i in range(n):
    r[f"Res{i}"] = {"Type": "AWS::ApiGateway::Resource", "Properties": {"RestApiId": {"Ref": "Api"},
        "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": f"r{i}"}}
    r[f"Method{i}"] = {"Type": "AWS::ApiGateway::Method", "Properties": {"RestApiId": {"Ref": "Api"},
        "ResourceId": {"Ref": f"Res{i}"}, "HttpMethod": "POST", "AuthorizationType": "NONE",
        "Integration": {"Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": uri,
            "RequestTemplates": {"application/json": "{\"body\": $input.json('$')}"},
            "IntegrationResponses": [{"StatusCode": "200"},
                {"StatusCode": "400", "SelectionPattern": ".*Invalid.*",
                 "ResponseTemplates": {"application/json": "{\"error\": \"$input.path('$.errorMessage')\"}"}}]},
        "MethodResponses": [{"StatusCode": "200"}, {"StatusCode": "400"}]}}
json.dump({"AWSTemplateFormatVersion": "2010-09-09", "Resources": r}, open(out, "w"), indent=1)
PY
size=$(stat -c %s "$dir/template.json")
best() {
  local best_ms=999999 best_kib=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M' -o "$dir/t" "$@" >/dev/null 2>&1 || true
    read -r secs kib <"$dir/t"
    ms=$(echo "$secs * 1000 / 1" | bc)
    if ((ms < best_ms)); then best_ms=$ms; best_kib=$kib; fi
  done
  echo "$best_ms $best_kib"
}
read -r doctor_ms doctor_kib < <(best "$bin" -o json lint "$dir/template.json")
read -r jq_ms jq_kib < <(best jq empty "$dir/template.json")
printf 'template: %d methods, %.1f MB\n' "$N" "$(echo "$size / 1000000" | bc -l)"
printf 'apigw-doctor lint: %5d ms  %7d KiB peak\n' "$doctor_ms" "$doctor_kib"
printf 'jq empty:          %5d ms  %7d KiB peak\n' "$jq_ms" "$jq_kib"
printf 'ratio (time): %.2fx\n' "$(echo "$doctor_ms / ($jq_ms + 0.0001)" | bc -l)"
