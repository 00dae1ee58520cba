#!/usr/bin/env python3
"""Writes rules/vocabulary/*.txt, the words `kb search` uses to tell other services' problems from
API Gateway's, learned from the AWS SDK's service models (botocore's data folder), not listed by
hand.

  foreign.txt  error names, operation names and service names that only services the knowledge
               base does not cover define: NotAuthorizedException (Cognito), GetObject (S3),
               ConditionalCheckFailedException (DynamoDB), dynamodb, sqs, ...
  services.txt those services' identifiers (endpoint prefixes, signing names, CLI names): they
               mark a text only where an identifier stands, in an ARN (arn:aws:states:...), an
               IAM action (kms:Decrypt), a host (cognito-idp.us-east-1.amazonaws.com) or a
               command (aws dynamodb ...), since many are plain words ("states", "config").
  shared.txt   error names some service other than API Gateway defines: a pasted
               AccessDeniedException or TooManyRequestsException says nothing about which
               service answered, so an article symptom made of one of them earns no exact-match
               bonus.

Usage: scripts/kb-vocabulary.py [BOTOCORE_DATA_DIR]   (default: the moto venv's botocore)
"""
import glob
import gzip
import json
import os
import re
import sys

# The services whose errors and operations the articles explain, by botocore folder name: their
# words are ours.
OWN = {
    "apigateway", "apigatewayv2", "apigatewaymanagementapi", "lambda", "iam", "sts", "acm",
    "cloudfront", "elbv2", "elb", "ec2", "logs", "wafv2",
}
# Services the articles name (DNS records, metrics, Cloud Map targets) without explaining their
# errors: their names are ours too.
NAMED = OWN | {"route53", "cloudwatch", "waf", "waf-regional", "servicediscovery", "xray"}
# The API's own invoke endpoint is execute-api (the WebSocket management API shares it).
OURS = {"execute-api"}
# API Gateway itself: only its error names are never "shared".
APIGATEWAY = {"apigateway", "apigatewayv2"}

CAMEL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$")


def models(data):
    for folder in sorted(os.listdir(data)):
        versions = sorted(glob.glob(os.path.join(data, folder, "*", "service-2.json*")))
        if not versions:
            continue
        path = versions[-1]
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            yield folder, json.load(f)


def identifiers(folder, model):
    meta = model.get("metadata", {})
    words = {folder, meta.get("endpointPrefix", ""), meta.get("signingName", "")}
    return {w.lower() for w in words if w}


def service_words(model):
    meta = model.get("metadata", {})
    words = set()
    # Names users write: "DynamoDB", "SQS", "S3", "AppSync" (not plain English words such as
    # "Config" or "Batch", which would mark ordinary sentences).
    for name in (meta.get("serviceId", ""), meta.get("serviceAbbreviation", "")):
        for w in re.split(r"[^A-Za-z0-9]+", name):
            if w in ("Amazon", "AWS"):
                continue
            if re.search(r"\d", w) or re.search(r"[a-z][A-Z]", w) or (w.isupper() and len(w) >= 3):
                words.add(w)
    return {w.lower() for w in words if len(w) >= 2}


def main():
    default = glob.glob("target/moto-venv/lib/python3*/site-packages/botocore/data")
    data = sys.argv[1] if len(sys.argv) > 1 else (default[0] if default else "")
    if not os.path.isdir(data):
        sys.exit("no botocore data folder: pass its path (pip install botocore)")
    own_words, foreign_words, shared = set(OURS), set(), set()
    own_ids, foreign_ids = set(OURS), set()
    own_operations = set()
    exceptions_by = {}
    for folder, model in models(data):
        shapes = model.get("shapes", {})
        errors = {n for n, s in shapes.items() if s.get("exception")}
        operations = {n for n in model.get("operations", {}) if CAMEL.match(n)}
        for e in errors:
            exceptions_by.setdefault(e, set()).add(folder)
        names = service_words(model)
        if folder in NAMED:
            own_words.update(names | identifiers(folder, model))
            own_ids.update(identifiers(folder, model))
        else:
            foreign_words.update(names)
            foreign_ids.update(identifiers(folder, model))
        if folder in OWN:
            # Our services' error names are ours; their operations only where an article names
            # them (DeleteVpcLink): `when calling the ListVersionsByFunction operation` or
            # `createRestApi` failing is a management or SDK call, not a call to the API.
            own_words.update(w.lower() for w in errors)
            own_operations.update(w.lower() for w in operations)
        else:
            foreign_words.update(w.lower() for w in errors | operations)
    for name, folders in exceptions_by.items():
        if folders - APIGATEWAY:
            shared.add(name.lower())
    # A word our own articles use is ours ("vpc", "s3" in BodyS3Location, ForbiddenException).
    rules = os.path.join(os.path.dirname(__file__), "..", "rules")
    for path in glob.glob(os.path.join(rules, "*.toml")):
        with open(path, encoding="utf-8") as f:
            own_words.update(w.lower() for w in re.findall(r"[A-Za-z0-9-]+", f.read()))
    foreign = sorted((foreign_words | own_operations) - own_words)
    services = sorted(foreign_ids - own_ids)
    out = os.path.join(os.path.dirname(__file__), "..", "rules", "vocabulary")
    os.makedirs(out, exist_ok=True)
    version = open(os.path.join(data, "..", "__init__.py")).read()
    version = re.search(r"__version__ = '([^']+)'", version).group(1)
    lists = (("foreign.txt", foreign), ("services.txt", services), ("shared.txt", sorted(shared)))
    for name, words in lists:
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(f"# generated by scripts/kb-vocabulary.py from botocore {version}; do not edit\n")
            f.write("\n".join(words) + "\n")
        print(f"{name}: {len(words)} words")


main()
