//! The parts of the `vigil` command that are more than argument parsing:
//! where Vigil keeps its files ([`home`]) and the outside-component check
//! ([`doctor`]). Every real job is a call into a library crate.

pub mod doctor;
pub mod home;
