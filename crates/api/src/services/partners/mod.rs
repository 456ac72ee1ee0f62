//! Partner sync: what knowledge hubs and tools use to keep in step with the community.
//! `keys` holds scoped API keys, `atom` the Atom feeds.

pub mod atom;
pub mod keys;
