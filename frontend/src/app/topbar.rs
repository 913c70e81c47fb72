//! Top bar: menu button, breadcrumbs, product selector, live indicator, language, theme, user menu.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use super::nav;
use super::shell::ProductsCtx;
use crate::components::{icons::Icon, status::LiveIndicator};
use crate::i18n::{t, Lang};
use crate::state::{g, Theme};
use crate::util::{set_time_zone, time_zone, TimeZone};

#[component]
fn Breadcrumbs() -> impl IntoView {
    let location = use_location();
    move || {
        let path = location.pathname.get();
        let segs: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(crate::util::dec).collect();
        let mut crumbs: Vec<(String, Option<String>)> = Vec::new();
        match segs.first().map(String::as_str) {
            None => crumbs.push((t("nav.overview").into(), None)),
            Some(first) => {
                let label = nav::by_segment(first).map(|e| t(e.key)).unwrap_or("—").to_string();
                crumbs.push((label, (segs.len() > 1).then(|| format!("/{first}"))));
                if first == "devices" && segs.len() >= 3 {
                    crumbs.push((segs[1].clone(), Some(format!("/products/{}", crate::util::enc(&segs[1])))));
                    crumbs.push((segs[2].clone(), None));
                } else if let Some(rest) = segs.get(1) {
                    crumbs.push((rest.clone(), None));
                }
            }
        }
        let n = crumbs.len();
        // The tab title names the page, so many open tabs stay tellable apart.
        if let Some((last, _)) = crumbs.last() {
            document().set_title(&format!("{last} · fleetdeck"));
        }
        view! {
            <nav class="crumbs" aria-label="breadcrumbs" data-testid="breadcrumbs">
                {crumbs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, href))| {
                        let sep = (i + 1 < n).then_some(view! { <span class="crumb-sep">"/"</span> });
                        let cls = if i + 1 < n { "crumb" } else { "crumb crumb-last mono-when-id" };
                        match href {
                            Some(h) => view! { <a class=cls href=h>{label}</a>{sep} }.into_any(),
                            None => view! { <span class=cls>{label}</span>{sep} }.into_any(),
                        }
                    })
                    .collect_view()}
            </nav>
        }
    }
}

/// The product the current page is scoped to, read from its URL only: `?product=` on pages that
/// follow a product, the product of a product or device page. Nothing is remembered between
/// pages, so visiting one never changes what another shows.
/// `decode` undoes the path's percent-encoding (the browser's `decodeURIComponent` in the app).
pub fn scope_of(path: &str, product_param: Option<String>, decode: fn(&str) -> String) -> Option<String> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["products", pk, ..] | ["devices", pk, _, ..] => Some(decode(pk)),
        _ if nav::follows_product(path) => product_param.filter(|p| !p.is_empty()),
        _ => None,
    }
}

/// The top bar's product selector: it shows the scope of the current page and, on pages that
/// follow a product, changing it rewrites that page's `?product=`. On a product or device page
/// it names the page's product and cannot be changed (the page is about that one); elsewhere
/// there is no scope and it is hidden.
#[component]
fn ProductSelector() -> impl IntoView {
    let ProductsCtx(products) = expect_context::<ProductsCtx>();
    let location = use_location();
    let navigate = use_navigate();
    let current = Memo::new(move |_| {
        scope_of(&location.pathname.get(), location.query.with(|q| q.get("product")), crate::util::dec)
    });
    let follows = Memo::new(move |_| nav::follows_product(&location.pathname.get()));
    let shown = move || follows.get() || current.get().is_some();
    let on_change = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let path = location.pathname.get_untracked();
        let mut q = location.query.get_untracked();
        q.remove("page");
        if v.is_empty() {
            q.remove("product");
        } else {
            q.replace("product", v);
        }
        navigate(&format!("{path}{}", q.to_query_string()), NavigateOptions::default());
    };
    view! {
        <Show when=shown>
            <select
                class="input product-select"
                data-testid="product-selector"
                title=move || {
                    // The select clips long names ("Environment sensor (a1Demo…"): the whole one on hover.
                    let pk = current.get();
                    let named = pk.as_deref().and_then(|pk| {
                        products.get().unwrap_or_default().into_iter().find(|p| p.product_key == pk)
                    });
                    match (named, pk) {
                        (Some(p), _) => format!("{} ({})", p.name, p.product_key),
                        (None, Some(pk)) => pk,
                        (None, None) => t("topbar.product").to_string(),
                    }
                }
                disabled=move || !follows.get()
                on:change=on_change.clone()
            >
                <option value="" selected=move || current.get().is_none()>{move || t("topbar.all_products")}</option>
                {move || {
                    let current = current.get();
                    let mut list: Vec<(String, String)> = products
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| (format!("{} ({})", p.name, p.product_key), p.product_key))
                        .collect();
                    // A scope naming a product the list does not have (deleted, or still loading)
                    // is still shown as it is, not as "All products".
                    if let Some(pk) = current.as_deref().filter(|pk| !list.iter().any(|(_, k)| k == pk)) {
                        list.push((pk.to_string(), pk.to_string()));
                    }
                    list.into_iter()
                        .map(|(label, pk)| {
                            let sel = current.as_deref() == Some(pk.as_str());
                            view! { <option value=pk selected=sel>{label}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </Show>
    }
}

#[component]
fn UserMenu() -> impl IntoView {
    let gl = g();
    let open = RwSignal::new(false);
    let navigate = use_navigate();
    let go = move |to: &'static str| {
        let navigate = navigate.clone();
        move |_| {
            open.set(false);
            navigate(to, NavigateOptions::default());
        }
    };
    let logout = move |_| {
        open.set(false);
        spawn_local(async move {
            let _ = crate::api::auth::logout().await;
            crate::api::ws::stop();
            gl.me.set(None);
        });
    };
    let name = move || gl.me.with(|m| m.as_ref().map(|m| m.username.clone()).unwrap_or_default());
    let role = move || gl.me.with(|m| m.as_ref().map(|m| m.role.as_str()).unwrap_or(""));
    view! {
        <div class="menu-wrap">
            <button class="btn btn-ghost user-btn" data-testid="user-menu" on:click=move |_| open.update(|o| *o = !*o)>
                <Icon name="user"/>
                <span class="user-name">{name}</span>
            </button>
            <Show when=move || open.get()>
                <div class="menu-backdrop" on:click=move |_| open.set(false)></div>
                <div class="menu" role="menu" data-testid="user-menu-list">
                    <div class="menu-head">
                        <div>{name}</div>
                        <div class="muted" data-testid="user-role">{move || t(match role() { "admin" => "role.admin", "operator" => "role.operator", _ => "role.viewer" })}</div>
                    </div>
                    <button class="menu-item" data-testid="menu-password" on:click=go("/settings?tab=password")>{move || t("menu.password")}</button>
                    <button class="menu-item" data-testid="menu-tokens" on:click=go("/settings?tab=tokens")>{move || t("menu.tokens")}</button>
                    <div class="menu-sep"></div>
                    <div class="menu-row">
                        <span class="muted">{move || t("menu.language")}</span>
                        <button class="btn-link" class:active=move || gl.lang.get() == Lang::En data-testid="menu-lang-en" on:click=move |_| gl.lang.set(Lang::En)>"EN"</button>
                        <button class="btn-link" class:active=move || gl.lang.get() == Lang::Zh data-testid="menu-lang-zh" on:click=move |_| gl.lang.set(Lang::Zh)>"中文"</button>
                    </div>
                    <div class="menu-row" data-testid="menu-tz">
                        <span class="muted">{move || t("menu.time_zone")}</span>
                        <button class="btn-link" class:active=move || time_zone() == TimeZone::Local data-testid="menu-tz-local" on:click=move |_| set_time_zone(TimeZone::Local)>{move || t("menu.tz_local")}</button>
                        <button class="btn-link" class:active=move || time_zone() == TimeZone::Utc data-testid="menu-tz-utc" on:click=move |_| set_time_zone(TimeZone::Utc)>{move || t("menu.tz_utc")}</button>
                    </div>
                    <div class="menu-sep"></div>
                    <button class="menu-item" data-testid="menu-logout" on:click=logout>{move || t("menu.logout")}</button>
                </div>
            </Show>
        </div>
    }
}

#[component]
pub fn TopBar() -> impl IntoView {
    let gl = g();
    // The one way to collapse the sidebar: a drawer on phones, icons-only (remembered) on desktop.
    let menu = move |_| {
        if window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(1280.0) <= 768.0 {
            gl.drawer_open.update(|o| *o = !*o);
        } else {
            gl.sidebar_collapsed.update(|c| *c = !*c);
            let v = if gl.sidebar_collapsed.get_untracked() { "collapsed" } else { "open" };
            crate::util::storage::set("fd.sidebar", v);
        }
    };
    view! {
        <header class="topbar" data-testid="topbar">
            <button
                class="btn-icon"
                data-testid="sidebar-toggle"
                title=move || t("nav.menu")
                aria-expanded=move || (!gl.sidebar_collapsed.get() || gl.drawer_open.get()).to_string()
                on:click=menu
            >
                <Icon name="menu"/>
            </button>
            <Breadcrumbs/>
            <div class="topbar-spacer"></div>
            <ProductSelector/>
            <LiveIndicator/>
            <button
                class="btn btn-ghost btn-small"
                data-testid="lang-toggle"
                title=move || t("menu.language")
                on:click=move |_| gl.lang.update(|l| *l = if *l == Lang::En { Lang::Zh } else { Lang::En })
            >
                {move || if gl.lang.get() == Lang::En { "中文" } else { "EN" }}
            </button>
            <button
                class="btn-icon"
                data-testid="theme-toggle"
                title=move || t("topbar.theme")
                on:click=move |_| gl.theme.update(|th| *th = if *th == Theme::Light { Theme::Dark } else { Theme::Light })
            >
                {move || if gl.theme.get() == Theme::Light { view! { <Icon name="moon"/> } } else { view! { <Icon name="sun"/> } }}
            </button>
            <UserMenu/>
        </header>
    }
}

#[cfg(test)]
mod tests {
    use super::scope_of as scope;

    fn dec(s: &str) -> String {
        s.replace("%20", " ")
    }

    fn scope_of(path: &str, product: Option<String>) -> Option<String> {
        scope(path, product, dec)
    }

    #[test]
    fn the_scope_comes_from_the_current_url_only() {
        let p = || Some("a1Lamp".to_string());
        // Pages that follow a product: their `?product=`, or none.
        assert_eq!(scope_of("/", p()), p());
        assert_eq!(scope_of("/devices", None), None);
        assert_eq!(scope_of("/logs", Some(String::new())), None);
        // A product or device page is about its product, whatever the query says.
        assert_eq!(scope_of("/products/a1Fan", p()).as_deref(), Some("a1Fan"));
        assert_eq!(scope_of("/devices/a1Fan/fan%2001", None).as_deref(), Some("a1Fan"));
        assert_eq!(scope_of("/devices/a1%20Fan/x", None).as_deref(), Some("a1 Fan"));
        // Pages without a product scope ignore a stray parameter.
        assert_eq!(scope_of("/products", p()), None);
        assert_eq!(scope_of("/settings", p()), None);
    }
}
