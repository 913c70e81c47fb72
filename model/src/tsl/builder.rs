//! Constructors and editing operations for the console's model editor.
//!
//! Editing a property also regenerates the built-in `post` event and `set`/`get` services from
//! the properties (as the Alibaba console does), so an edited model stays self-consistent:
//! `post` outputs and `get` outputs list every property, `get` inputs list their identifiers,
//! `set` inputs list the `rw` properties.

use serde_json::Map;

use super::codes::MODEL_INVALID;
use super::data_type::DataType;
use super::error::TslError;
use super::types::{
    AccessMode, CallType, Event, EventType, Param, Profile, Property, Service, ServiceInput, ThingModel, BUILTIN_GET,
    BUILTIN_POST, BUILTIN_SET, SCHEMA_URL,
};

impl Param {
    pub fn new(identifier: impl Into<String>, name: impl Into<String>, data_type: DataType) -> Self {
        Self { identifier: identifier.into(), name: name.into(), data_type, extra: Map::new() }
    }
}

impl Property {
    /// A read-write, optional property.
    pub fn new(identifier: impl Into<String>, name: impl Into<String>, data_type: DataType) -> Self {
        Self {
            identifier: identifier.into(),
            name: name.into(),
            access_mode: AccessMode::ReadWrite,
            required: false,
            desc: None,
            data_type,
            extra: Map::new(),
        }
    }

    /// Makes the property read-only (`accessMode: r`).
    pub fn read_only(mut self) -> Self {
        self.access_mode = AccessMode::ReadOnly;
        self
    }

    /// The property as a parameter (for the built-in `post`, `set` and `get`).
    pub fn to_param(&self) -> Param {
        Param::new(self.identifier.clone(), self.name.clone(), self.data_type.clone())
    }
}

impl Event {
    /// An event with method `thing.event.{identifier}.post` and no outputs.
    pub fn new(identifier: impl Into<String>, name: impl Into<String>, event_type: EventType) -> Self {
        let identifier = identifier.into();
        Self {
            method: Some(format!("thing.event.{identifier}.post")),
            identifier,
            name: name.into(),
            event_type,
            required: false,
            desc: None,
            output_data: Vec::new(),
            extra: Map::new(),
        }
    }

    pub fn with_output(mut self, param: Param) -> Self {
        self.output_data.push(param);
        self
    }
}

impl Service {
    /// A service with method `thing.service.{identifier}` and no parameters.
    pub fn new(identifier: impl Into<String>, name: impl Into<String>, call_type: CallType) -> Self {
        let identifier = identifier.into();
        Self {
            method: Some(format!("thing.service.{identifier}")),
            identifier,
            name: name.into(),
            required: false,
            call_type,
            desc: None,
            input_data: Vec::new(),
            output_data: Vec::new(),
            extra: Map::new(),
        }
    }

    pub fn with_input(mut self, param: Param) -> Self {
        self.input_data.push(ServiceInput::Param(param));
        self
    }

    pub fn with_output(mut self, param: Param) -> Self {
        self.output_data.push(param);
        self
    }
}

fn builtin_post() -> Event {
    Event {
        identifier: BUILTIN_POST.into(),
        name: BUILTIN_POST.into(),
        event_type: EventType::Info,
        required: true,
        desc: Some("属性上报".into()),
        method: Some("thing.event.property.post".into()),
        output_data: Vec::new(),
        extra: Map::new(),
    }
}

fn builtin_service(id: &str, desc: &str) -> Service {
    Service {
        identifier: id.into(),
        name: id.into(),
        required: true,
        call_type: CallType::Async,
        desc: Some(desc.into()),
        method: Some(format!("thing.service.property.{id}")),
        input_data: Vec::new(),
        output_data: Vec::new(),
        extra: Map::new(),
    }
}

fn duplicate(kind: &str, id: &str) -> TslError {
    TslError::new(MODEL_INVALID, format!("{kind}.{id}"), format!("{id} already exists"))
}

fn missing(kind: &str, id: &str) -> TslError {
    TslError::new(MODEL_INVALID, format!("{kind}.{id}"), format!("{id} does not exist"))
}

fn builtin(kind: &str, id: &str) -> TslError {
    TslError::new(MODEL_INVALID, format!("{kind}.{id}"), format!("{id} is built in and follows the properties"))
}

impl ThingModel {
    /// A model without features except the built-in `post`, `set` and `get` (empty), as the
    /// Alibaba console creates it for a new product.
    pub fn new_empty(product_key: impl Into<String>) -> Self {
        let mut m = Self {
            schema: Some(SCHEMA_URL.into()),
            profile: Profile { product_key: product_key.into(), version: None, extra: Map::new() },
            properties: Vec::new(),
            events: Vec::new(),
            services: Vec::new(),
            function_block_id: None,
            extra: Map::new(),
        };
        m.rebuild_builtins();
        m
    }

    /// Regenerates the parameter lists of the built-in `post`, `set` and `get` from the
    /// properties, adding the built-ins (first in their lists) if missing; other fields of existing
    /// built-ins are kept.
    pub fn rebuild_builtins(&mut self) {
        if !self.events.iter().any(Event::is_builtin) {
            self.events.insert(0, builtin_post());
        }
        if !self.services.iter().any(|s| s.identifier == BUILTIN_SET) {
            self.services.insert(0, builtin_service(BUILTIN_SET, "属性设置"));
        }
        if !self.services.iter().any(|s| s.identifier == BUILTIN_GET) {
            let at = self.services.iter().position(|s| s.identifier == BUILTIN_SET).map_or(0, |i| i + 1);
            self.services.insert(at, builtin_service(BUILTIN_GET, "属性获取"));
        }
        let all: Vec<Param> = self.properties.iter().map(Property::to_param).collect();
        for e in self.events.iter_mut().filter(|e| e.is_builtin()) {
            e.output_data = all.clone();
        }
        for s in &mut self.services {
            if s.identifier == BUILTIN_SET {
                s.input_data = self
                    .properties
                    .iter()
                    .filter(|p| p.access_mode == AccessMode::ReadWrite)
                    .map(|p| ServiceInput::Param(p.to_param()))
                    .collect();
                s.output_data = Vec::new();
            } else if s.identifier == BUILTIN_GET {
                s.input_data = self.properties.iter().map(|p| ServiceInput::Identifier(p.identifier.clone())).collect();
                s.output_data = all.clone();
            }
        }
    }

    /// Builder form of [`ThingModel::add_property`] (panics on a duplicate: for fixed code only).
    pub fn with_property(mut self, p: Property) -> Self {
        self.add_property(p).expect("duplicate property");
        self
    }

    /// Builder form of [`ThingModel::add_event`] (panics on a duplicate or built-in).
    pub fn with_event(mut self, e: Event) -> Self {
        self.add_event(e).expect("duplicate event");
        self
    }

    /// Builder form of [`ThingModel::add_service`] (panics on a duplicate or built-in).
    pub fn with_service(mut self, s: Service) -> Self {
        self.add_service(s).expect("duplicate service");
        self
    }

    /// Appends a property (6317 if the identifier exists) and updates the built-ins.
    pub fn add_property(&mut self, p: Property) -> Result<(), TslError> {
        if self.properties.iter().any(|q| q.identifier == p.identifier) {
            return Err(duplicate("properties", &p.identifier));
        }
        self.properties.push(p);
        self.rebuild_builtins();
        Ok(())
    }

    /// Replaces property `identifier` in place (it may be renamed; 6317 if it does not exist or
    /// the new identifier is taken) and updates the built-ins.
    pub fn replace_property(&mut self, identifier: &str, p: Property) -> Result<(), TslError> {
        if p.identifier != identifier && self.properties.iter().any(|q| q.identifier == p.identifier) {
            return Err(duplicate("properties", &p.identifier));
        }
        let slot = self
            .properties
            .iter_mut()
            .find(|q| q.identifier == identifier)
            .ok_or_else(|| missing("properties", identifier))?;
        *slot = p;
        self.rebuild_builtins();
        Ok(())
    }

    /// Removes property `identifier`, returning it, and updates the built-ins.
    pub fn remove_property(&mut self, identifier: &str) -> Option<Property> {
        let i = self.properties.iter().position(|p| p.identifier == identifier)?;
        let p = self.properties.remove(i);
        self.rebuild_builtins();
        Some(p)
    }

    /// Appends an event (6317 if the identifier exists or is the built-in `post`).
    pub fn add_event(&mut self, e: Event) -> Result<(), TslError> {
        if e.is_builtin() {
            return Err(builtin("events", &e.identifier));
        }
        if self.events.iter().any(|q| q.identifier == e.identifier) {
            return Err(duplicate("events", &e.identifier));
        }
        self.events.push(e);
        Ok(())
    }

    /// Replaces event `identifier` in place (6317 if missing, built-in or the new identifier is
    /// taken).
    pub fn replace_event(&mut self, identifier: &str, e: Event) -> Result<(), TslError> {
        if e.is_builtin() || identifier == BUILTIN_POST {
            return Err(builtin("events", identifier));
        }
        if e.identifier != identifier && self.events.iter().any(|q| q.identifier == e.identifier) {
            return Err(duplicate("events", &e.identifier));
        }
        let slot =
            self.events.iter_mut().find(|q| q.identifier == identifier).ok_or_else(|| missing("events", identifier))?;
        *slot = e;
        Ok(())
    }

    /// Removes event `identifier` (never the built-in `post`), returning it.
    pub fn remove_event(&mut self, identifier: &str) -> Option<Event> {
        let i = self.events.iter().position(|e| e.identifier == identifier && !e.is_builtin())?;
        Some(self.events.remove(i))
    }

    /// Appends a service (6317 if the identifier exists or is a built-in).
    pub fn add_service(&mut self, s: Service) -> Result<(), TslError> {
        if s.is_builtin() {
            return Err(builtin("services", &s.identifier));
        }
        if self.services.iter().any(|q| q.identifier == s.identifier) {
            return Err(duplicate("services", &s.identifier));
        }
        self.services.push(s);
        Ok(())
    }

    /// Replaces service `identifier` in place (6317 if missing, built-in or the new identifier is
    /// taken).
    pub fn replace_service(&mut self, identifier: &str, s: Service) -> Result<(), TslError> {
        if s.is_builtin() || identifier == BUILTIN_SET || identifier == BUILTIN_GET {
            return Err(builtin("services", identifier));
        }
        if s.identifier != identifier && self.services.iter().any(|q| q.identifier == s.identifier) {
            return Err(duplicate("services", &s.identifier));
        }
        let slot = self
            .services
            .iter_mut()
            .find(|q| q.identifier == identifier)
            .ok_or_else(|| missing("services", identifier))?;
        *slot = s;
        Ok(())
    }

    /// Removes service `identifier` (never a built-in), returning it.
    pub fn remove_service(&mut self, identifier: &str) -> Option<Service> {
        let i = self.services.iter().position(|s| s.identifier == identifier && !s.is_builtin())?;
        Some(self.services.remove(i))
    }
}
