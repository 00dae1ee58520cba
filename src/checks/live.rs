//! The findings of live mode's account-scale scans (`lint --aws` over many APIs and
//! regions): what could not be read, and regions that were skipped or empty.

/// Something asked for was not read (APIs, regions): the result is no all-clear for it.
pub const INCOMPLETE: &str = "live.incomplete";
/// One API could not be read (access denied, throttled past every retry, ...).
pub const API_NOT_READ: &str = "live.api-not-read";
/// An API was deleted between the listing and its reading.
pub const API_GONE: &str = "live.api-gone";
/// Regions that refused the credentials, as regions not enabled for the account do.
pub const REGION_SKIPPED: &str = "live.region-skipped";
/// Regions asked for by name hold no REST, HTTP or WebSocket API.
pub const NO_APIS: &str = "live.no-apis";

pub const CODES: &[&str] = &[INCOMPLETE, API_NOT_READ, API_GONE, REGION_SKIPPED, NO_APIS];
