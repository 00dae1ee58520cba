//! apigw-doctor: executable checks for Amazon API Gateway troubleshooting articles.
//!
//! Symptom -> check -> finding -> article -> fix. Checks (`checks::*`) look at something
//! real and emit [`finding::Finding`]s; the knowledge base ([`kb`]) explains each finding
//! code and supplies its fix; [`report`] renders the result for people or scripts.
pub mod allocator;
pub mod app;
#[cfg(feature = "aws")]
pub mod aws;
pub mod checks;
pub mod cli;
pub mod document;
pub mod finding;
pub mod input;
pub mod kb;
pub mod locate;
pub mod report;
pub mod sources;
