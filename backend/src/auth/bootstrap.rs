//! The first start: create `admin`, with the configured password or a random one printed once.

use model::auth::Role;

use super::password;
use crate::state::AppState;
use crate::store;

/// What happened at start, so `main` can tell the operator.
#[derive(Debug, PartialEq)]
pub enum Bootstrap {
    /// The admin was created with the given (configured) password.
    Created,
    /// The admin was created with this generated password: print it once.
    CreatedRandom(String),
    /// Users exist; a configured admin password was ignored.
    Exists { password_flag_ignored: bool },
}

pub async fn ensure_admin(st: &AppState, configured: Option<&str>) -> anyhow::Result<Bootstrap> {
    if store::users::count(&st.db).await? > 0 {
        return Ok(Bootstrap::Exists { password_flag_ignored: configured.is_some() });
    }
    let (pw, generated) = match configured {
        Some(p) if p.len() >= model::auth::MIN_PASSWORD_LEN => (p.to_string(), false),
        Some(_) => anyhow::bail!("--admin-password needs at least {} characters", model::auth::MIN_PASSWORD_LEN),
        None => (password::random_token(12), true),
    };
    let hash = password::hash(pw.clone()).await?;
    store::users::insert(&st.db, "admin", &hash, Role::Admin, st.now()).await?;
    Ok(if generated { Bootstrap::CreatedRandom(pw) } else { Bootstrap::Created })
}
