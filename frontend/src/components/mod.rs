//! Building blocks shared by the pages.

pub mod chart;
pub mod confirm;
pub mod fields;
pub mod icons;
pub mod json_view;
pub mod modal;
pub mod pagination;
pub mod scope;
pub mod series_chart;
pub mod states;
pub mod status;
pub mod table;
pub mod table_state;
pub mod tabs;
pub mod toasts;

// history (issue 14)
pub mod time_range;
