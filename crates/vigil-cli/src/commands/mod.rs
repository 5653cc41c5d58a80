//! One module per subcommand: its arguments and a `run` that calls the library.

pub mod classify;
pub mod data;
pub mod doctor;
pub mod policy;
pub mod store;
pub mod train;
