//! The one table of the console's sections. The sidebar, the breadcrumbs, the "not available
//! yet" page, the router's fallback and the keyboard shortcuts all read [`NAV`], so a chapter
//! is added (or switched from placeholder to built) by editing one row here and adding its
//! route in `app.rs`.

use model::auth::Role;

/// Where an entry sits in the sidebar, in the seed's order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Section {
    /// Above the first heading (Overview).
    Top,
    Devices,
    Maintenance,
    Admin,
    /// Not in the sidebar but still a page with a name (breadcrumbs, placeholder): Alerts is
    /// reached from Real-time Monitoring, as in the seed.
    Hidden,
}

impl Section {
    /// The sidebar's sections in display order.
    pub const SIDEBAR: [Section; 4] = [Section::Top, Section::Devices, Section::Maintenance, Section::Admin];

    /// i18n key of the heading; the top section has none.
    pub fn heading(self) -> Option<&'static str> {
        match self {
            Section::Devices => Some("nav.section.devices"),
            Section::Maintenance => Some("nav.section.maintenance"),
            Section::Admin => Some("nav.section.admin"),
            Section::Top | Section::Hidden => None,
        }
    }
}

/// One page of the console.
#[derive(Clone, Copy, Debug)]
pub struct NavEntry {
    /// Path of the page: `/` or one segment (`/remote-config`); pages below it (`/devices/pk/dn`)
    /// belong to it.
    pub route: &'static str,
    /// i18n key of its name (sidebar, breadcrumbs, placeholder heading).
    pub key: &'static str,
    /// Icon name in `components::icons`.
    pub icon: &'static str,
    pub section: Section,
    /// The seed guide's chapter this page implements (1 Real-time monitoring … 6 Remote
    /// configuration); `None` for the registry and admin pages the chapters stand on.
    pub chapter: Option<u8>,
    /// Built pages have their own route; the others show the "not available yet" page.
    pub built: bool,
    /// Lowest role that sees the entry in the sidebar (the server enforces access anyway).
    pub min_role: Role,
    /// Content that can be scoped to one product by `?product=` in its own URL (the top bar's
    /// selector edits it there); links to it never carry a scope.
    pub follows_product: bool,
    /// `g <key>` jumps here.
    pub shortcut: Option<char>,
}

const fn entry(route: &'static str, key: &'static str, icon: &'static str, section: Section) -> NavEntry {
    NavEntry {
        route,
        key,
        icon,
        section,
        chapter: None,
        built: true,
        min_role: Role::Viewer,
        follows_product: false,
        shortcut: None,
    }
}

impl NavEntry {
    const fn chapter(self, n: u8) -> Self {
        NavEntry { chapter: Some(n), ..self }
    }
    const fn unbuilt(self) -> Self {
        NavEntry { built: false, ..self }
    }
    const fn admin(self) -> Self {
        NavEntry { min_role: Role::Admin, ..self }
    }
    const fn by_product(self) -> Self {
        NavEntry { follows_product: true, ..self }
    }
    const fn key(self, c: char) -> Self {
        NavEntry { shortcut: Some(c), ..self }
    }

    /// `overview` for `/`, else the route without its slash: the `nav-{id}` test id.
    pub fn id(&self) -> &'static str {
        match self.route.trim_start_matches('/') {
            "" => "overview",
            id => id,
        }
    }

    /// Whether `path` is this page or below it.
    pub fn is_active(&self, path: &str) -> bool {
        if self.route == "/" {
            path == "/"
        } else {
            path.strip_prefix(self.route).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        }
    }
}

/// Every page, in sidebar order within each section.
pub const NAV: &[NavEntry] = &[
    entry("/", "nav.overview", "overview", Section::Top).by_product().key('o'),
    entry("/products", "nav.products", "products", Section::Devices).key('p'),
    entry("/devices", "nav.devices", "devices", Section::Devices).by_product().key('d'),
    entry("/groups", "nav.groups", "groups", Section::Devices),
    entry("/monitoring", "nav.monitoring", "monitoring", Section::Maintenance).chapter(1).by_product().key('m'),
    entry("/alerts", "nav.alerts", "monitoring", Section::Hidden).chapter(1).unbuilt(),
    entry("/debug", "nav.debug", "debug", Section::Maintenance).chapter(2),
    entry("/simulate", "nav.simulate", "simulate", Section::Maintenance).chapter(3),
    entry("/logs", "nav.logs", "logs", Section::Maintenance).chapter(4).by_product().key('l'),
    entry("/ota", "nav.ota", "ota", Section::Maintenance).chapter(5).unbuilt(),
    entry("/remote-config", "nav.remote_config", "remote-config", Section::Maintenance).chapter(6).unbuilt(),
    entry("/users", "nav.users", "users", Section::Admin).admin(),
    entry("/audit", "nav.audit", "audit", Section::Admin).admin(),
    entry("/settings", "nav.settings", "settings", Section::Admin),
];

/// The entry a path belongs to (`/devices/pk/dn` → Devices).
pub fn entry_for(path: &str) -> Option<&'static NavEntry> {
    NAV.iter().find(|e| e.is_active(path))
}

/// The entry whose route's segment is `seg` (`"remote-config"`).
pub fn by_segment(seg: &str) -> Option<&'static NavEntry> {
    NAV.iter().find(|e| e.route.len() > 1 && &e.route[1..] == seg)
}

/// The sidebar entries of one section, in order.
pub fn in_section(section: Section) -> impl Iterator<Item = &'static NavEntry> {
    NAV.iter().filter(move |e| e.section == section)
}

/// Whether the page at exactly `path` is filtered by the current product.
pub fn follows_product(path: &str) -> bool {
    NAV.iter().any(|e| e.follows_product && e.route == path)
}

/// Where `g <key>` goes.
pub fn shortcut(key: &str) -> Option<&'static str> {
    let mut chars = key.chars();
    let c = chars.next().filter(|_| chars.next().is_none())?;
    NAV.iter().find(|e| e.shortcut == Some(c)).map(|e| e.route)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn routes_ids_and_shortcuts_are_unique() {
        let mut routes = HashSet::new();
        let mut ids = HashSet::new();
        let mut keys = HashSet::new();
        for e in NAV {
            assert!(routes.insert(e.route), "route {} twice", e.route);
            assert!(ids.insert(e.id()), "id {} twice", e.id());
            assert!(e.route.starts_with('/') && !e.route[1..].contains('/'), "{}: one segment", e.route);
            if let Some(c) = e.shortcut {
                assert!(keys.insert(c), "shortcut {c} twice");
            }
        }
    }

    #[test]
    fn a_path_belongs_to_its_section_and_not_to_a_longer_name() {
        assert_eq!(entry_for("/").map(|e| e.id()), Some("overview"));
        assert_eq!(entry_for("/devices").map(|e| e.id()), Some("devices"));
        assert_eq!(entry_for("/devices/a1Pk/dn").map(|e| e.id()), Some("devices"));
        assert_eq!(entry_for("/remote-config/jobs").map(|e| e.id()), Some("remote-config"));
        // `/devicesX` is not the Devices page, nor is it Overview.
        assert!(entry_for("/devicesX").is_none());
        assert!(entry_for("/nowhere").is_none());
    }

    #[test]
    fn segments_shortcuts_and_product_pages() {
        assert_eq!(by_segment("alerts").map(|e| e.key), Some("nav.alerts"));
        assert!(by_segment("").is_none());
        assert_eq!(shortcut("d"), Some("/devices"));
        assert_eq!(shortcut("dd"), None);
        assert_eq!(shortcut(""), None);
        assert!(follows_product("/") && follows_product("/devices") && follows_product("/logs"));
        assert!(follows_product("/monitoring"));
        assert_eq!(shortcut("m"), Some("/monitoring"));
        assert!(!follows_product("/products") && !follows_product("/devices/a/b"));
    }

    #[test]
    fn every_chapter_has_a_page_and_hidden_entries_stay_out_of_the_sidebar() {
        for ch in 1..=6u8 {
            assert!(NAV.iter().any(|e| e.chapter == Some(ch)), "chapter {ch} has no page");
        }
        let shown: Vec<_> = Section::SIDEBAR.iter().flat_map(|s| in_section(*s)).map(|e| e.id()).collect();
        assert!(!shown.contains(&"alerts"));
        assert_eq!(shown.len(), NAV.len() - 1);
    }
}
