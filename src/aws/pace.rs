//! Pacing and accounting for live mode at account scale: our own token buckets at API
//! Gateway's documented control-plane rates (so a scan of hundreds of APIs stays under the
//! quota instead of running into it), and counters of the calls made and the throttles met
//! (an interceptor sees every attempt, retries included), for the progress bar and the notes.
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// The documented fixed quotas of the API Gateway management API, per account and Region
/// ("API Gateway quotas for creating, deploying and managing an API"): all operations 10
/// requests per second with a burst of 40; GetResources 5 requests every 2 seconds.
pub const DOCUMENTED_RATE: f64 = 10.0;
const DOCUMENTED_BURST: f64 = 40.0;
const GET_RESOURCES_RATE: f64 = 2.5;
const GET_RESOURCES_BURST: f64 = 5.0;

/// A token bucket: `rate` tokens a second, at most `burst` saved up, starting full.
#[derive(Debug)]
struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: f64, burst: f64) -> Bucket {
        Bucket {
            rate,
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    /// Takes a token now (`None`), or says how long until one is there.
    fn take(&mut self, now: Instant) -> Option<Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }
}

/// The command's pace: every API Gateway call takes a token from the account's bucket, and
/// GetResources one from its own as well. `None` buckets: no pacing (`--aws-rate 0`).
#[derive(Debug)]
pub struct Pacer {
    all: Option<Mutex<Bucket>>,
    get_resources: Option<Mutex<Bucket>>,
}

impl Pacer {
    /// `rate`: requests a second for all operations (the documented 10 by default); the
    /// burst and GetResources' own rate keep their documented proportions to it.
    pub fn new(rate: f64) -> Pacer {
        if rate <= 0.0 {
            return Pacer {
                all: None,
                get_resources: None,
            };
        }
        let scale = rate / DOCUMENTED_RATE;
        Pacer {
            all: Some(Mutex::new(Bucket::new(rate, DOCUMENTED_BURST * scale))),
            get_resources: Some(Mutex::new(Bucket::new(
                GET_RESOURCES_RATE * scale,
                (GET_RESOURCES_BURST * scale).max(1.0),
            ))),
        }
    }

    /// Waits until `operation` may be sent; returns how long it waited.
    pub async fn wait(&self, operation: &str) -> Duration {
        let start = Instant::now();
        let buckets = [
            self.all.as_ref(),
            self.get_resources
                .as_ref()
                .filter(|_| operation == "GetResources"),
        ];
        for bucket in buckets.into_iter().flatten() {
            loop {
                let wait = bucket
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take(Instant::now());
                match wait {
                    None => break,
                    Some(d) => tokio::time::sleep(d).await,
                }
            }
        }
        start.elapsed()
    }
}

/// What the command did against AWS.
#[derive(Debug, Default)]
pub struct Stats {
    /// Attempts sent (retries included).
    pub calls: AtomicU64,
    /// Attempts AWS answered with throttling (429, TooManyRequestsException, Throttling...).
    pub throttled: AtomicU64,
    /// Time spent waiting for our own pace, in milliseconds, summed over concurrent calls.
    pub paced_ms: AtomicU64,
}

impl Stats {
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    pub fn paced(&self) -> Duration {
        Duration::from_millis(self.paced_ms.load(Ordering::Relaxed))
    }

    pub fn add_paced(&self, d: Duration) {
        self.paced_ms
            .fetch_add(d.as_millis() as u64, Ordering::Relaxed);
    }
}

/// Whether an answer is AWS throttling: 429, or a 400 whose error type says so.
pub fn is_throttling(status: u16, error_type: Option<&str>) -> bool {
    status == 429
        || error_type.is_some_and(|t| {
            // `TooManyRequestsException:http://...` (REST-JSON), `Throttling;Sender` (query).
            let t = t.split([':', ';']).next().unwrap_or(t);
            matches!(
                t,
                "TooManyRequestsException"
                    | "ThrottlingException"
                    | "Throttling"
                    | "ThrottledException"
                    | "RequestLimitExceeded"
                    | "SlowDown"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_starts_full_then_refills_at_its_rate() {
        let start = Instant::now();
        let mut b = Bucket::new(2.5, 5.0);
        b.last = start;
        for _ in 0..5 {
            assert_eq!(b.take(start), None);
        }
        let wait = b.take(start).expect("empty after the burst");
        assert!((wait.as_secs_f64() - 0.4).abs() < 1e-9, "{wait:?}");
        // 0.4 s later one token is back, and only one.
        let later = start + Duration::from_millis(400);
        assert_eq!(b.take(later), None);
        assert!(b.take(later).is_some());
        // A long idle time saves up no more than the burst.
        let much_later = later + Duration::from_secs(3600);
        for _ in 0..5 {
            assert_eq!(b.take(much_later), None);
        }
        assert!(b.take(much_later).is_some());
    }

    #[test]
    fn throttling_is_429_or_a_throttling_error_type() {
        assert!(is_throttling(429, None));
        assert!(is_throttling(
            400,
            Some(
                "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"
            )
        ));
        assert!(is_throttling(400, Some("Throttling;Sender")));
        assert!(!is_throttling(403, Some("AccessDeniedException")));
        assert!(!is_throttling(404, Some("NotFoundException")));
    }

    #[tokio::test(start_paused = true)]
    async fn get_resources_is_paced_below_the_other_calls() {
        let pacer = Pacer::new(DOCUMENTED_RATE);
        let start = tokio::time::Instant::now();
        for _ in 0..10 {
            pacer.wait("GetResources").await;
        }
        // 5 at once, then one every 0.4 s: the tenth at 2 s.
        let took = start.elapsed().as_secs_f64();
        assert!((1.9..2.2).contains(&took), "{took}");
        let start = tokio::time::Instant::now();
        for _ in 0..20 {
            pacer.wait("GetRestApi").await;
        }
        // The account bucket still holds its burst (40 less the 10 above).
        assert!(start.elapsed().as_secs_f64() < 0.01);
    }
}
