//! HTTP plumbing shared by every feature: the JSON extractor, health endpoints, the OpenAPI
//! document, the single-page app with deep-link fallback, and the JSON 404 for unknown API paths.

pub mod health;
pub mod json;
pub mod openapi;
pub mod query;
pub mod serve;
pub mod spa;
