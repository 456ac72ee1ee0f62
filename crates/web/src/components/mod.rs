//! Prop-driven components: they render what they are given and never fetch.

pub mod confirm;
pub mod copy;
pub mod editor;
pub mod field;
pub mod group_card;
pub mod group_select;
pub mod header;
pub mod provenance;
pub mod rotate;
pub mod secret;
pub mod status;
pub mod tabs;
