//! The Copse server as a library, so the binary, the integration tests and the
//! benchmarks all start exactly the same application.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod entities;
pub mod error;
pub mod idempotency;
pub mod middleware;
pub mod openapi;
pub mod policy;
pub mod ratelimit;
pub mod routes;
pub mod seed;
pub mod services;
pub mod spa;
pub mod sqlcount;
pub mod startup;
pub mod state;
pub mod storage;

pub use startup::Application;
