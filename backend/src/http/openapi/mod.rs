//! The OpenAPI document at `/api/v1/openapi.json`, generated from the handlers themselves.
//!
//! Every REST handler carries a `#[utoipa::path]` annotation (method, path, parameters, request
//! and response types) and is registered with [`guarded!`] or [`public!`], which put the handler
//! into the axum router *and* its operation into the document in one step: a route cannot be
//! served without being documented. Request/response schemas are derived from the `model` types
//! (`model`'s `openapi` feature), so clients generated in other languages get real fields, enums
//! and required lists.
//!
//! Roles are written once, in the handler's first argument (`Authorized<Operator>`, see
//! [`crate::auth::guard`]): the extractor enforces it and [`guarded!`] reads the same type to
//! write the security requirement (the role as its scope, as OpenAPI 3.1 allows for non-OAuth
//! schemes), an `x-fleetdeck-role` extension, a sentence in the description and the 401/403
//! answers. Every error answer is `ApiError` (`{code, message, details}`).
//!
//! Why utoipa (5.x with utoipa-axum 0.2's `OpenApiRouter`/`routes!`, both for axum 0.8) and not
//! aide: utoipa describes an operation next to its handler in one attribute and registers route
//! and doc together, leaving the handlers plain axum functions with our own error-mapping
//! `Json`/`Query` extractors; aide needs every extractor and response type to implement its
//! `OperationInput`/`OperationOutput` traits (so each of ours would need impls) and derives schemas
//! through schemars, a second derive beside serde's on every `model` type. utoipa 6.0 (with
//! utoipa-axum 0.3) appeared in Sep 2026; we use none of what it removed, so moving up should be
//! a version bump.
//!
//! A snapshot test (`tests/openapi.rs`) compares the document with
//! `backend/tests/snapshots/openapi.json`, so API drift shows as a diff in review; other tests
//! check that documented and routed paths agree both ways and that each documented role is the
//! one enforced.

mod role;

use std::sync::OnceLock;

use axum::Json;
use model::error::ApiError;
use serde_json::Value;
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub use role::{guard, open, PUBLIC, ROLE_EXTENSION};

/// A feature's routes together with their documentation.
pub type ApiRouter = OpenApiRouter<AppState>;

/// Register a handler whose first argument is `Authorized<R>`: routed, documented, and its
/// required role `R` written into the document.
macro_rules! guarded {
    ($($handler:tt)+) => {
        $crate::http::openapi::guard(
            ::utoipa_axum::routes!($($handler)+),
            $crate::auth::guard::role_of(&$($handler)+),
        )
    };
}

/// Register a handler anyone may call (login, health, this document).
macro_rules! public {
    ($($handler:tt)+) => {
        $crate::http::openapi::open(::utoipa_axum::routes!($($handler)+))
    };
}

pub(crate) use {guarded, public};

/// The security schemes named by every guarded operation.
pub const SESSION_SCHEME: &str = "session";
pub const BEARER_SCHEME: &str = "bearer";

/// The document's frame: title, version, security schemes, the error schema.
pub fn base() -> OpenApi {
    let session = SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
        crate::auth::session::COOKIE,
        "Set by `POST /api/v1/auth/login`. Mutating requests also need the `X-CSRF-Token` header \
         (the `csrf_token` of `Me`).",
    )));
    let bearer = SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("A personal API token from `POST /api/v1/auth/tokens` (`fdk_…`)."))
            .build(),
    );
    OpenApiBuilder::new()
        .info(InfoBuilder::new().title("fleetdeck").version(env!("CARGO_PKG_VERSION")).description(Some(
            "The fleetdeck REST API. Each operation's `x-fleetdeck-role` is the least role that may \
                     call it (viewer < operator < admin, or `public`); it is also the scope of its security \
                     requirement. Every error answer is an `ApiError`.",
        )))
        .components(Some(
            ComponentsBuilder::new()
                .schema(ApiError::name(), ApiError::schema())
                .security_scheme(SESSION_SCHEME, session)
                .security_scheme(BEARER_SCHEME, bearer)
                .build(),
        ))
        .build()
}

/// The whole document, built from the routes the server really has.
pub fn document() -> OpenApi {
    let mut doc = crate::api().into_openapi();
    page_items_by_ref(&mut doc);
    doc
}

/// utoipa 5 inlines a generic's type argument (`Page<Device>`'s items become a copy of
/// `Device`; juhaku/utoipa#1586), which makes client generators invent a second Device type.
/// Point each `Page_X`'s items back at `X`; a test checks that every reference resolves.
fn page_items_by_ref(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else { return };
    for (name, schema) in components.schemas.iter_mut() {
        let (Some(item), RefOr::T(Schema::Object(page))) = (name.strip_prefix("Page_"), schema) else { continue };
        let items = ArrayBuilder::new().items(Ref::from_schema_name(item)).build();
        page.properties.insert("items".to_string(), items.into());
    }
}

/// This document, as served: generated once per process.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi",
    tag = "system",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = serde_json::Value)),
)]
async fn serve() -> Json<Value> {
    static DOC: OnceLock<Value> = OnceLock::new();
    Json(DOC.get_or_init(|| serde_json::to_value(document()).unwrap_or(Value::Null)).clone())
}

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(public!(serve))
}
