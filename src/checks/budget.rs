//! What one command may spend on pattern evaluation (selection patterns, policy
//! wildcards), counted in steps rather than time, so results do not depend on the machine.
//! Each evaluation charges its worst-case cost up front; past the budget, evaluations are
//! refused, their verdict is "unknown", and the command says what it could not decide.

/// About a few seconds of the worst-shaped work on this project's machines.
pub const EVALUATION_BUDGET: u64 = 10_000_000_000;

thread_local! {
    static SPENT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static REFUSED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Charges `steps`; false (and counted as refused) when they do not fit in what is left.
/// The budget is per thread: a command runs its checks on one thread, and so does a test.
pub fn charge(steps: u64) -> bool {
    SPENT.with(|s| {
        let spent = s.get().saturating_add(steps);
        if spent > EVALUATION_BUDGET {
            REFUSED.with(|r| r.set(r.get() + 1));
            false
        } else {
            s.set(spent);
            true
        }
    })
}

/// Evaluations refused so far on this thread.
pub fn refused() -> u64 {
    REFUSED.with(|r| r.get())
}

/// Steps spent so far on this thread.
pub fn spent() -> u64 {
    SPENT.with(|s| s.get())
}

/// Starts a fresh budget on this thread: for callers that run many commands' worth of work
/// in one process (benchmarks), never within a command.
pub fn reset() {
    SPENT.with(|s| s.set(0));
    REFUSED.with(|r| r.set(0));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_fit_until_the_budget_is_spent() {
        assert!(charge(EVALUATION_BUDGET - 10));
        assert!(charge(10));
        assert_eq!(refused(), 0);
        assert!(!charge(1));
        assert!(!charge(u64::MAX));
        assert_eq!(refused(), 2);
    }
}
