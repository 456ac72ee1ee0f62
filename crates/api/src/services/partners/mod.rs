//! Partner sync: what knowledge hubs and tools use to keep in step with the community.
//! `keys` holds scoped API keys, `atom` the Atom feeds, `changes` the change feed and
//! `upsert` the writes by a partner's own ids, with provenance.

pub mod atom;
pub mod changes;
pub mod keys;
pub mod upsert;
