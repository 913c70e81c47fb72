//! A lens: read and write one part of a larger value held in a signal, so nested editors
//! (property → data type → struct field → data type) edit the one draft in place.

use std::sync::Arc;

use leptos::prelude::*;

pub struct Lens<T: 'static> {
    get: Arc<dyn Fn() -> T + Send + Sync>,
    set: Arc<dyn Fn(T) + Send + Sync>,
}

impl<T> Clone for Lens<T> {
    fn clone(&self) -> Self {
        Lens { get: self.get.clone(), set: self.set.clone() }
    }
}

impl<T: Clone + Send + Sync + 'static> Lens<T> {
    pub fn root(sig: RwSignal<T>) -> Self {
        Lens { get: Arc::new(move || sig.get()), set: Arc::new(move |v| sig.set(v)) }
    }

    /// The current value (tracked when called in a reactive context).
    pub fn get(&self) -> T {
        (self.get)()
    }

    pub fn set(&self, v: T) {
        (self.set)(v)
    }

    /// Change the value in place (reads untracked, writes once).
    pub fn update(&self, f: impl FnOnce(&mut T)) {
        let mut v = untrack(|| self.get());
        f(&mut v);
        self.set(v);
    }

    /// A lens on a part of this value.
    pub fn zoom<U: Clone + Send + Sync + 'static>(
        &self,
        get: impl Fn(&T) -> U + Send + Sync + 'static,
        set: impl Fn(&mut T, U) + Send + Sync + 'static,
    ) -> Lens<U> {
        let parent = self.clone();
        let parent_set = self.clone();
        Lens { get: Arc::new(move || get(&parent.get())), set: Arc::new(move |u| parent_set.update(|t| set(t, u))) }
    }
}

impl<T: Clone + Send + Sync + 'static> Lens<Vec<T>> {
    /// A lens on element `i`; reads `fallback` if the list has become shorter.
    pub fn at(&self, i: usize, fallback: T) -> Lens<T> {
        self.zoom(
            move |v| v.get(i).cloned().unwrap_or_else(|| fallback.clone()),
            move |v, x| {
                if let Some(slot) = v.get_mut(i) {
                    *slot = x;
                }
            },
        )
    }
}
