//! `sqlx::migrate!` in `store::database_before` embeds `backend/migrations` at compile time:
//! rebuild when a migration is added or changed, so a migration test never runs stale ones.
fn main() {
    println!("cargo:rerun-if-changed=../backend/migrations");
}
