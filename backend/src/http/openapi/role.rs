//! What registering a route adds to its operations: the required role (security requirement
//! with the role as scope, `x-fleetdeck-role`, a sentence in the description), the 401/403
//! answers of a guarded route, and the `ApiError` body of every other error.

use model::auth::Role;
use model::error::ApiError;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{Operation, Paths};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::ToSchema;
use utoipa_axum::router::UtoipaMethodRouter;

use super::{BEARER_SCHEME, SESSION_SCHEME};
use crate::state::AppState;

/// The extension naming the least role that may call an operation.
pub const ROLE_EXTENSION: &str = "x-fleetdeck-role";
/// Its value for operations anyone may call.
pub const PUBLIC: &str = "public";

fn operations(paths: &mut Paths) -> impl Iterator<Item = &mut Operation> {
    paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
    })
}

/// An answer whose body is `ApiError`; added only where the annotation has not described it.
fn error_answer(op: &mut Operation, status: &str, description: &str) {
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name(ApiError::name()))).build();
    let answer = ResponseBuilder::new().description(description).content("application/json", body).build();
    op.responses.responses.entry(status.to_string()).or_insert(answer.into());
}

fn mark(op: &mut Operation, role: &str, sentence: String) {
    let ext = ExtensionsBuilder::new().add(ROLE_EXTENSION, role).build();
    op.extensions.get_or_insert_with(Default::default).merge(ext);
    op.description = Some(match op.description.take() {
        Some(d) if !d.is_empty() => format!("{d}\n\n{sentence}"),
        _ => sentence,
    });
    error_answer(op, "default", "Any other failure: `{code, message, details}`");
    // OpenAPI requires a description; an annotation that names only the body leaves it empty.
    for (status, answer) in op.responses.responses.iter_mut() {
        if let (true, RefOr::T(answer)) = (status.starts_with('2'), answer) {
            if answer.description.is_empty() {
                answer.description = "Success".to_string();
            }
        }
    }
}

/// A guarded route: its operations require `role` (see [`crate::auth::guard`]).
pub fn guard((schemas, mut paths, router): UtoipaMethodRouter<AppState>, role: Role) -> UtoipaMethodRouter<AppState> {
    let name = role.as_str();
    for op in operations(&mut paths) {
        let higher: Vec<&str> =
            [Role::Operator, Role::Admin].into_iter().filter(|r| *r > role).map(Role::as_str).collect();
        let sentence = match higher.as_slice() {
            [] => format!("Requires the **{name}** role."),
            more => format!("Requires the **{name}** role (or {}).", more.join(", ")),
        };
        mark(op, name, sentence);
        op.security = Some(vec![
            SecurityRequirement::new(SESSION_SCHEME, [name]),
            SecurityRequirement::new(BEARER_SCHEME, [name]),
        ]);
        error_answer(op, "401", "Not logged in, or the session or token has expired");
        error_answer(op, "403", &format!("The caller's role is below {name}, or the X-CSRF-Token header is missing"));
    }
    (schemas, paths, router)
}

/// A route anyone may call: an empty security list says so explicitly.
pub fn open((schemas, mut paths, router): UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    for op in operations(&mut paths) {
        mark(op, PUBLIC, "No login needed.".to_string());
        op.security = Some(Vec::new());
    }
    (schemas, paths, router)
}
