#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need when it is missing,
# then runs every test (none is skipped).
#  - a JDK (javac, java): the selection differential test runs the real java.util.regex;
#  - script(1) from util-linux: the terminal tests run the tool under a pseudo-terminal;
#  - Debian's velocity (Apache Velocity 1.7): the template engine's differential test;
#  - python3 with venv, and a venv with moto[server] and boto3 (target/moto-venv): the live
#    mode tests run the tool against a moto server on loopback;
#  - zsh and fish (bash is there): the completion tests run each shell; man-db: `man` at a
#    terminal;
#  - openssl: the authorizer tests make an RSA key and sign JWTs with it;
#  - jq, and the aws CLI in a venv of its own (target/awscli-venv): the organization fan-out
#    test runs scripts/org-scan.sh against moto.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
[ -f /usr/share/java/velocity-1.7.jar ] || need+=(velocity)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3 python3-venv)
# The completion tests run bash, zsh and fish; `man` at a terminal renders through man-db.
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
command -v man >/dev/null 2>&1 || need+=(man-db)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v jq >/dev/null 2>&1 || need+=(jq)
if ((${#need[@]})); then
  echo "installing ${need[*]} for the tests" >&2
  sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${need[@]}" >/dev/null
fi
venv=target/moto-venv
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "creating $venv with moto[server] and boto3 for the live-mode tests" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]' boto3
fi
export APIGW_DOCTOR_MOTO_VENV="$PWD/$venv"
# The aws CLI apart from moto's venv: its pinned botocore must not move moto's.
cli_venv=target/awscli-venv
if [ ! -x "$cli_venv/bin/aws" ]; then
  echo "creating $cli_venv with the aws CLI for the organization fan-out test" >&2
  rm -rf "$cli_venv"
  python3 -m venv "$cli_venv"
  "$cli_venv/bin/pip" install -q --disable-pip-version-check awscli
fi
export APIGW_DOCTOR_AWSCLI="$PWD/$cli_venv/bin/aws"
# Every test binary, then one closing line that counts them all (cargo's own last line is
# the doc tests', which may be empty).
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# Live mode is the `aws` feature (off in the default build, which the quick start uses):
# the tests cover it too.
cargo test --locked --features aws "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^test result: .* ([0-9]+) passed' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '^test result: .* ([0-9]+) failed' "$log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
echo "$passed passed, $failed failed"
exit "$status"
