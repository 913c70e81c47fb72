//! Role-typed callers: a handler states the role it needs once, in its first argument's type
//! (`user: Authorized<Operator>`), and that one type both enforces the role and documents it.
//!
//! Enforcement: [`Authorized`] authenticates (like [`CurrentUser`]) and refuses with 403 unless
//! the caller's role includes `R`. Documentation: [`role_of`] reads `R` back from the handler's
//! signature at compile time, and `http::openapi` writes it into the operation (security scopes,
//! `x-fleetdeck-role`, 401/403 answers). A handler whose first argument is not `Authorized<_>`
//! cannot be registered as a guarded route: it does not compile.

use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use model::auth::Role;

use super::session::{authenticate, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;

/// A role as a type, so it can sit in a handler's signature.
pub trait RoleMarker: Send + Sync + 'static {
    const ROLE: Role;
}

/// Any logged-in user.
pub struct Viewer;
/// Device work: products, devices, secrets.
pub struct Operator;
/// Users and the audit log.
pub struct Admin;

impl RoleMarker for Viewer {
    const ROLE: Role = Role::Viewer;
}
impl RoleMarker for Operator {
    const ROLE: Role = Role::Operator;
}
impl RoleMarker for Admin {
    const ROLE: Role = Role::Admin;
}

/// The caller, proven to hold at least role `R`.
pub struct Authorized<R: RoleMarker> {
    pub user: CurrentUser,
    _role: PhantomData<R>,
}

impl<R: RoleMarker> Deref for Authorized<R> {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

impl<R: RoleMarker> FromRequestParts<AppState> for Authorized<R> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = authenticate(state, parts).await?;
        user.require(R::ROLE)?;
        Ok(Authorized { user, _role: PhantomData })
    }
}

/// Implemented by every function whose first argument is `Authorized<R>`; `Args` only keeps the
/// impls for different arities apart (as axum's `Handler` does).
pub trait FirstArgRole<Args> {
    const ROLE: Role;
}

macro_rules! first_arg_role {
    ($($t:ident),*) => {
        impl<F, Fut, R: RoleMarker, $($t,)*> FirstArgRole<(R, $($t,)*)> for F
        where
            F: FnOnce(Authorized<R>, $($t,)*) -> Fut,
        {
            const ROLE: Role = R::ROLE;
        }
    };
}

first_arg_role!();
first_arg_role!(T1);
first_arg_role!(T1, T2);
first_arg_role!(T1, T2, T3);
first_arg_role!(T1, T2, T3, T4);
first_arg_role!(T1, T2, T3, T4, T5);
first_arg_role!(T1, T2, T3, T4, T5, T6);

/// The role a handler enforces, read from its signature.
pub const fn role_of<F: FirstArgRole<A>, A>(_handler: &F) -> Role {
    F::ROLE
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn needs_operator(_u: Authorized<Operator>, _x: u32) {}
    async fn needs_admin(_u: Authorized<Admin>) {}

    #[test]
    fn the_role_is_read_from_the_first_argument() {
        assert_eq!(role_of(&needs_operator), Role::Operator);
        assert_eq!(role_of(&needs_admin), Role::Admin);
    }
}
