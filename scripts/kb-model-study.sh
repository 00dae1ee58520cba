#!/usr/bin/env bash
# Is `kb search`'s confidence limited by its model or by what the texts say? Fits other models on
# the fit part of the labelled pastes (tests/kb/) and scores them by 5-fold cross-validation on
# that part alone (fixed folds), beside a refit of the shipped model's form:
#   - ranking: the shipped order (score raised by the memory) against a conditional logit over
#     each hit's features (coverage, exact symptom, score, symptom share, memory closeness);
#   - confidence: logistic regression on the shipped features, with the first two hits' margin,
#     with every pairwise product of features, with the first article's id, and gradient-boosted
#     trees;
#   - memory: the nearest remembered text's cosine from word, word-pair and character n-gram
#     tf-idf instead of the shipped one.
# Prints, for each, covered texts answered confidently and right, uncovered texts left without a
# confident answer, and the Brier score. HELD_OUT=1 also scores each model, fitted on the whole fit
# part, on the held-out part: that reads the held-out part, so a model chosen that way is no
# longer measured cleanly by it. Needs python3 with venv; numpy, scipy and scikit-learn are
# installed into target/kb-study-venv on the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/kb-study-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy scipy scikit-learn
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
KB_DUMP="$work/first.tsv" KB_DUMP_HITS="$work/hits.tsv" \
  cargo test --release --locked -q --test kb_search_quality held_out_part >/dev/null
"$venv/bin/python" - "$work" "${HELD_OUT:-0}" <<'PY'
import collections, json, math, random, sys
import numpy as np
from scipy.optimize import minimize
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

work, show_held = sys.argv[1], sys.argv[2] == "1"
MEMORY_IN_SCORE = 1.5  # src/kb/search.rs

# One line per paste (KB_DUMP): held out, label, source, first hit, confidence, weak, second
# hit, the first hit's feature vector, text. One line per hit (KB_DUMP_HITS): paste number,
# held out, label, hit, score, feature vector.
first = [l.rstrip("\n").split("\t") for l in open(f"{work}/first.tsv")]
hits = collections.OrderedDict()
for l in open(f"{work}/hits.tsv"):
    n, held, label, hit, score, vec = l.rstrip("\n").split("\t")
    hits.setdefault(int(n), []).append((hit, float(score), json.loads(vec)))

def ranking(h):
    return h[1] * (1 + MEMORY_IN_SCORE * h[2][9])

held = np.array([r[0] == "true" for r in first])
label = np.array([r[1] for r in first])
texts = [r[-1] for r in first]
ordered = [sorted(hits.get(n, []), key=lambda h: -ranking(h)) for n in range(len(first))]
top = np.array([hs[0][0] if hs else "-" for hs in ordered])
right = top == label
base = np.array([hs[0][2][1:] if hs else [0.0] * 10 for hs in ordered])
fit = ~held
folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(np.where(fit)[0], right[fit]))

def line(p, part):
    lab, ok = label[part], right[part]
    covered = (lab != "none").sum()
    quiet = ((lab == "none") & (p < 0.5)).sum()
    answered = ((lab != "none") & ok & (p >= 0.5)).sum()
    return f"{answered}/{covered} covered, {quiet}/{(lab == 'none').sum()} quiet, Brier {np.mean((ok - p) ** 2):.4f}"

def study(name, x, make):
    xf, yf = x[fit], right[fit]
    p = np.zeros(len(yf))
    for train, test in folds:
        p[test] = make().fit(xf[train], yf[train]).predict_proba(xf[test])[:, 1]
    out = f"{name:44s} cv: {line(p, fit)}"
    if show_held:
        ph = make().fit(xf, yf).predict_proba(x[held])[:, 1]
        out += f"   held out: {line(ph, held)}"
    print(out)

logit = lambda c=100: (lambda: LogisticRegression(C=c, max_iter=20000))
print("confidence (the shipped ranking's first hit):")
study("logistic, shipped features (refit)", base, logit())
margin = np.array([[math.log(ranking(hs[0]) / (ranking(hs[1]) if len(hs) > 1 else 1e-3)),
                    hs[1][2][9] if len(hs) > 1 else 0.0, hs[0][2][9] - hs[0][2][10]]
                   if hs else [0.0] * 3 for hs in ordered])
study("logistic + the first two hits' margin", np.hstack([base, margin]), logit())
pairs = np.array([[a * b for i, a in enumerate(r) for b in r[i:]] for r in base])
study("logistic + pairwise products (C=1)", np.hstack([base, pairs]), logit(1))
ids = sorted(set(top))
onehot = np.array([[1.0 if t == i else 0.0 for i in ids] for t in top])
study("logistic + the first article's id (C=10)", np.hstack([base, onehot]), logit(10))
trees = lambda: HistGradientBoostingClassifier(max_depth=3, learning_rate=0.05, max_iter=200)
study("gradient-boosted trees", base, trees)

print("memory closeness computed otherwise (replacing the shipped two features):")
fit_rows = np.where(fit)[0]
for name, vec in [("word tf-idf", TfidfVectorizer(sublinear_tf=True)),
                  ("word and word-pair tf-idf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                  ("character 3-5-gram tf-idf", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True))]:
    sims = (vec.fit(texts[i] for i in fit_rows).transform(texts) @ vec.transform([texts[i] for i in fit_rows]).T).toarray()
    near = np.zeros((len(first), 2))
    for i in range(len(first)):
        s = sims[i].copy()
        s[fit_rows == i] = -1.0  # a remembered text is never its own evidence
        same = s[label[fit_rows] == top[i]]
        none = s[label[fit_rows] == "none"]
        near[i] = [same.max() if len(same) else 0.0, none.max() if len(none) else 0.0]
    x = base.copy()
    x[:, 8:10] = near
    study(name, x, logit())

print("ranking (covered texts with the right article first, any confidence):")
groups = []
for n, hs in enumerate(ordered):
    if label[n] == "none" or not hs:
        continue
    x = np.array([[h[2][1], h[2][2], h[2][3], h[2][7], h[2][9], math.log1p(ranking(h))] for h in hs])
    groups.append((held[n], x, np.array([h[0] == label[n] for h in hs], float)))

def nll(w, gs):
    total = 0.0
    for _, x, y in gs:
        z = x @ w
        z = z - z.max()
        logp = z - np.log(np.exp(z).sum())
        if y.sum() > 0:
            total -= logp[y > 0].max()
    return total + 0.01 * (w @ w)

fit_groups = [g for g in groups if not g[0]]
order = list(range(len(fit_groups)))
random.Random(1).shuffle(order)
chosen = 0
for k in range(5):
    test = set(order[k::5])
    w = minimize(nll, np.zeros(6), args=([g for i, g in enumerate(fit_groups) if i not in test],)).x
    chosen += sum(fit_groups[i][2][np.argmax(fit_groups[i][1] @ w)] > 0 for i in test)
shipped = sum(g[2][0] > 0 for g in fit_groups)
out = f"shipped order {shipped}/{len(fit_groups)}; conditional logit (cv) {chosen}/{len(fit_groups)}"
if show_held:
    w = minimize(nll, np.zeros(6), args=(fit_groups,)).x
    hg = [g for g in groups if g[0]]
    out += f"; held out: shipped {sum(g[2][0] > 0 for g in hg)}/{len(hg)}, logit {sum(g[2][np.argmax(g[1] @ w)] > 0 for g in hg)}/{len(hg)}"
print(out)
PY
