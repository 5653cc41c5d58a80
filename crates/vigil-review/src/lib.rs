//! Human review, as pure functions: which decisions go to people and in
//! which order ([`route`]), which unlabelled items teach a model most
//! ([`active`]), and how several reviewers' verdicts become one label
//! ([`adjudicate`]), and how reviewed items become a training data set
//! ([`dataset`]).
//!
//! The store keeps the queue, claims and verdicts; the server and the CLI
//! call these functions, so the queue a server fills and the simulated loop
//! of the benchmark choose items the same way. This crate does no I/O.

pub mod active;
pub mod adjudicate;
pub mod dataset;
pub mod quality;
pub mod route;
