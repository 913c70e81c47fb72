//! Which model problems belong to which editor block, and the server's 6317 details as problems.

use leptos::prelude::*;
use model::error::ApiError;
use model::tsl::TslError;

/// Problems owned by the block at `path`: its own, and those of its specs (not of nested fields,
/// which show under their own block).
pub fn owned(all: &[TslError], path: &str) -> Vec<TslError> {
    all.iter()
        .filter(|e| {
            e.path == path
                || e.path.starts_with(&format!("{path}.specs"))
                || e.path == format!("{path}[]")
                || e.path.starts_with(&format!("{path}[].specs"))
                || e.path.starts_with(&format!("{path}.method"))
        })
        .cloned()
        .collect()
}

/// The server's TSL error(s): `details.path`, or a list under `details.problems`/`errors`.
pub fn from_server(e: &ApiError) -> Vec<TslError> {
    let code = e.code.parse::<u32>().unwrap_or(model::tsl::codes::MODEL_INVALID);
    let one = |v: &serde_json::Value, msg: &str| {
        TslError::new(
            v["code"].as_str().and_then(|c| c.parse().ok()).or(v["code"].as_u64().map(|c| c as u32)).unwrap_or(code),
            v["path"].as_str().unwrap_or(""),
            v["message"].as_str().unwrap_or(msg),
        )
    };
    match &e.details {
        Some(d) if d.is_array() => d.as_array().into_iter().flatten().map(|v| one(v, &e.message)).collect(),
        Some(d) => match d["problems"].as_array().or(d["errors"].as_array()) {
            Some(list) => list.iter().map(|v| one(v, &e.message)).collect(),
            None if d["path"].is_string() => vec![one(d, &e.message)],
            None => Vec::new(),
        },
        None => Vec::new(),
    }
}

/// Whether a problem's path lies inside the block at `path` (itself or anything nested).
pub fn within(e: &TslError, path: &str) -> bool {
    e.path == path || e.path.starts_with(&format!("{path}.")) || e.path.starts_with(&format!("{path}["))
}

/// A list of problems: "message (code, path)"; with `on_pick`, clicking one passes its path.
#[component]
pub fn ProblemList(
    #[prop(into)] problems: Signal<Vec<TslError>>,
    testid: &'static str,
    #[prop(optional)] on_pick: Option<Callback<String>>,
) -> impl IntoView {
    move || {
        let ps = problems.get();
        (!ps.is_empty()).then(|| {
            view! {
                <ul class="field-error problem-list" data-testid=testid>
                    {ps.into_iter().map(|e| view! {
                        <li title=e.description() class:pickable=on_pick.is_some()
                            on:click={ let path = e.path.clone(); move |_| if let Some(cb) = on_pick { cb.run(path.clone()) } }>
                            {e.message.clone()} " " <span class="mono">"(" {e.code} {(!e.path.is_empty()).then(|| format!(", {}", e.path))} ")"</span>
                        </li>
                    }).collect_view()}
                </ul>
            }
        })
    }
}
