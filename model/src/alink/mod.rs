//! Alink device protocol (being written).
