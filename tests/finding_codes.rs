//! Every finding code a check emits has an article, and every code an article names is
//! emitted by a check or still listed as pending (a list that only shrinks).
use apigw_doctor::checks::{PENDING_CODES, emitted_codes};
use apigw_doctor::kb::KnowledgeBase;
use std::collections::BTreeSet;

#[test]
fn articles_and_checks_agree_on_finding_codes() {
    let kb = KnowledgeBase::embedded().unwrap();
    let explained: BTreeSet<&str> = kb.codes().collect();
    let emitted: BTreeSet<&str> = emitted_codes().into_iter().collect();
    let pending: BTreeSet<&str> = PENDING_CODES.iter().copied().collect();

    let unexplained: Vec<_> = emitted.difference(&explained).collect();
    assert!(
        unexplained.is_empty(),
        "emitted but no article explains: {unexplained:?}"
    );

    let orphans: Vec<_> = explained
        .iter()
        .filter(|c| !emitted.contains(*c) && !pending.contains(*c))
        .collect();
    assert!(
        orphans.is_empty(),
        "articles name codes no check emits: {orphans:?}"
    );

    let stale: Vec<_> = pending.intersection(&emitted).collect();
    assert!(
        stale.is_empty(),
        "emitted codes still listed as pending: {stale:?}"
    );
    let unknown: Vec<_> = pending.difference(&explained).collect();
    assert!(
        unknown.is_empty(),
        "pending codes no article names: {unknown:?}"
    );
}
