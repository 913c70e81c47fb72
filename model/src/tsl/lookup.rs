//! [`Tsl`]: a product's default model plus its custom modules, and `{module}:{identifier}`
//! lookups.
//!
//! Messages address a feature of a custom module as `{functionBlockId}:{identifier}` (seed notices
//! of 5092/5094/5096; blanks around the colon, as the seed prints them, are tolerated). A plain
//! identifier means the default model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::types::{Event, Property, Service, ThingModel};

/// A product's complete model: the default model plus custom modules by module identifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tsl {
    pub default: ThingModel,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub modules: BTreeMap<String, ThingModel>,
}

/// Splits `module:identifier` into `(Some(module), identifier)`; a plain identifier gives
/// `(None, identifier)`.
pub fn split_identifier(id: &str) -> (Option<&str>, &str) {
    match id.split_once(':') {
        Some((m, i)) => (Some(m.trim()), i.trim()),
        None => (None, id.trim()),
    }
}

/// Anything that can resolve the model of a module: a [`ThingModel`] (which answers for itself
/// and, if it is a module, for its own `functionBlockId`) or a whole [`Tsl`]. The validators take
/// `&impl Features` so callers need not build a [`Tsl`] for a product without modules.
pub trait Features {
    /// The model addressed by `module` (`None` = the default model); `None` if no such module.
    fn model_for(&self, module: Option<&str>) -> Option<&ThingModel>;
}

impl Features for ThingModel {
    fn model_for(&self, module: Option<&str>) -> Option<&ThingModel> {
        match module {
            None => Some(self),
            Some(m) if self.function_block_id.as_deref() == Some(m) => Some(self),
            Some(_) => None,
        }
    }
}

impl Features for Tsl {
    fn model_for(&self, module: Option<&str>) -> Option<&ThingModel> {
        match module {
            None => Some(&self.default),
            Some(m) => self.modules.get(m),
        }
    }
}

impl ThingModel {
    /// The property `identifier` (or `module:identifier` naming this module).
    pub fn property(&self, identifier: &str) -> Option<&Property> {
        let (m, id) = split_identifier(identifier);
        self.model_for(m)?.properties.iter().find(|p| p.identifier == id)
    }

    /// The event `identifier` (or `module:identifier` naming this module).
    pub fn event(&self, identifier: &str) -> Option<&Event> {
        let (m, id) = split_identifier(identifier);
        self.model_for(m)?.events.iter().find(|e| e.identifier == id)
    }

    /// The service `identifier` (or `module:identifier` naming this module).
    pub fn service(&self, identifier: &str) -> Option<&Service> {
        let (m, id) = split_identifier(identifier);
        self.model_for(m)?.services.iter().find(|s| s.identifier == id)
    }
}

impl Tsl {
    /// A product without custom modules.
    pub fn new(default: ThingModel) -> Self {
        Self { default, modules: BTreeMap::new() }
    }

    /// Adds (or replaces) custom module `id`, setting its `functionBlockId` to `id`.
    pub fn with_module(mut self, id: impl Into<String>, mut model: ThingModel) -> Self {
        let id = id.into();
        model.function_block_id = Some(id.clone());
        self.modules.insert(id, model);
        self
    }

    /// The property `identifier` or `module:identifier`.
    pub fn property(&self, identifier: &str) -> Option<&Property> {
        let (m, id) = split_identifier(identifier);
        self.model_for(m)?.property(id)
    }

    /// The event `identifier` or `module:identifier`.
    pub fn event(&self, identifier: &str) -> Option<&Event> {
        let (m, id) = split_identifier(identifier);
        self.model_for(m)?.event(id)
    }

    /// The service `identifier` or `module:identifier`.
    pub fn service(&self, identifier: &str) -> Option<&Service> {
        let (m, id) = split_identifier(identifier);
        self.model_for(m)?.service(id)
    }
}

impl From<ThingModel> for Tsl {
    fn from(default: ThingModel) -> Self {
        Self::new(default)
    }
}
