#!/usr/bin/env bash
# Audits every account of an AWS Organization: one `apigw-doctor lint --aws` run per account
# (each run covers the regions asked: --region a,b or --all-regions), under a role assumed in
# that account, a few accounts at once, then one merged result. Not a distributed system: a
# loop over `aws sts assume-role` that a CI job runs.
#
#   scripts/org-scan.sh [-r ROLE] [-a ID,ID...] [-f json|sarif] [-d DIR] [-j PARALLEL] [-- ARGS...]
#
#   -r ROLE      role to assume in each account (default OrganizationAccountAccessRole; an
#                audit role with apigateway:GET, ec2:DescribeRegions and s3:GetObject on
#                truststores is enough)
#   -a IDS       the accounts (default: the organization's ACTIVE accounts, from
#                `aws organizations list-accounts`, which the caller must be allowed)
#   -f FORMAT    json (JSON Lines, default) or sarif
#   -d DIR       where results go (default ./apigw-doctor-org)
#   -j N         accounts scanned at once (default 4; each account has its own API Gateway
#                quotas, so accounts can go in parallel while each run paces itself)
#   ARGS         passed to apigw-doctor (default: --all-regions)
#
# Needs the aws CLI, jq, and apigw-doctor built with live mode (cargo install --path .
# --features aws), or APIGW_DOCTOR=/path/to/apigw-doctor. Credentials are the caller's
# (AWS_PROFILE, SSO, OIDC in CI) and must be allowed sts:AssumeRole on ROLE in every account.
#
# Writes DIR/ACCOUNT.jsonl or .sarif and DIR/ACCOUNT.err (the run's standard error) per account,
# then DIR/all.jsonl (every report, each with "account") or DIR/all.sarif (one run whose
# results each carry properties.account). Exit status: 2 when an account could not be scanned
# at all (its .err says why), else 1 when a report failed (a finding at --fail-on), else 0.
set -euo pipefail
role=OrganizationAccountAccessRole
accounts=
format=json
dir=apigw-doctor-org
parallel=4
while getopts "r:a:f:d:j:h" opt; do
  case $opt in
    r) role=$OPTARG ;;
    a) accounts=$OPTARG ;;
    f) format=$OPTARG ;;
    d) dir=$OPTARG ;;
    j) parallel=$OPTARG ;;
    h) sed -n '2,30p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--all-regions)
case $format in json) ext=jsonl ;; sarif) ext=sarif ;; *) echo "org-scan: -f json|sarif, not $format" >&2; exit 2 ;; esac
doctor=${APIGW_DOCTOR:-apigw-doctor}
command -v "$doctor" >/dev/null || { echo "org-scan: $doctor not found (set APIGW_DOCTOR)" >&2; exit 2; }
command -v jq >/dev/null || { echo "org-scan: jq is needed to merge the results" >&2; exit 2; }
mkdir -p "$dir"
if [ -z "$accounts" ]; then
  accounts=$(aws organizations list-accounts --query 'Accounts[?Status==`ACTIVE`].Id' --output text | tr '\t' ',')
fi
partition=$(aws sts get-caller-identity --query Arn --output text | cut -d: -f2)

scan() {
  local account=$1 creds
  # The regional STS endpoint: its session tokens are valid in opt-in regions too (the
  # global endpoint's are refused there as if the region were not enabled).
  if ! creds=$(AWS_STS_REGIONAL_ENDPOINTS=regional aws sts assume-role --role-arn "arn:$partition:iam::$account:role/$role" \
      --role-session-name apigw-doctor-audit --query Credentials --output json 2>"$dir/$account.err"); then
    echo 2 > "$dir/$account.status"
    return
  fi
  local status=0
  AWS_ACCESS_KEY_ID=$(jq -r .AccessKeyId <<<"$creds") \
  AWS_SECRET_ACCESS_KEY=$(jq -r .SecretAccessKey <<<"$creds") \
  AWS_SESSION_TOKEN=$(jq -r .SessionToken <<<"$creds") \
  AWS_PROFILE= \
    "$doctor" -o "$format" lint --aws "${args[@]}" >"$dir/$account.$ext" 2>"$dir/$account.err" || status=$?
  echo "$status" > "$dir/$account.status"
}

IFS=, read -r -a list <<<"$accounts"
for account in "${list[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  scan "$account" &
done
wait

worst=0
for account in "${list[@]}"; do
  status=$(cat "$dir/$account.status" 2>/dev/null || echo 2)
  case $status in
    0) ;;
    1) [ "$worst" -lt 1 ] && worst=1 ;;
    *) worst=2; echo "org-scan: account $account was not scanned: $(tail -n1 "$dir/$account.err")" >&2 ;;
  esac
done

if [ "$format" = json ]; then
  : > "$dir/all.jsonl"
  for account in "${list[@]}"; do
    [ -s "$dir/$account.jsonl" ] && jq -c --arg account "$account" '{account: $account} + .' "$dir/$account.jsonl" >> "$dir/all.jsonl"
  done
else
  files=()
  for account in "${list[@]}"; do [ -s "$dir/$account.sarif" ] && files+=("$dir/$account.sarif"); done
  if [ ${#files[@]} -gt 0 ]; then
    # One run: every account's results (rule indexes dropped: the rules are merged by id).
    for f in "${files[@]}"; do
      account=$(basename "$f" .sarif)
      jq --arg account "$account" '.runs[0].results |= map(del(.ruleIndex) | .properties.account = $account)' "$f"
    done | jq -s '.[0] + {runs: [.[0].runs[0] + {
        results: [.[].runs[0].results[]],
        invocations: [.[].runs[0].invocations[]?],
        tool: {driver: (.[0].runs[0].tool.driver + {rules: ([.[].runs[0].tool.driver.rules[]?] | unique_by(.id))})}
      }]}' > "$dir/all.sarif"
  fi
fi
echo "org-scan: ${#list[@]} account(s); results in $dir/all.$ext" >&2
exit "$worst"
