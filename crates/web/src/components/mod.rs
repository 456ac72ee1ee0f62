//! Prop-driven components: they render what they are given and never fetch.

pub mod field;
pub mod header;
