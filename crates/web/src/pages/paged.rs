//! A list read page by page: the first page arrives through a resource (so Suspense
//! shows the loading state), the following ones are appended by "Load more".

use std::future::Future;

use copse_shared::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::components::status::{ErrorAlert, LoadMore};

/// The items read so far and the cursor of the next page.
pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    pub next: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Clone + Send + Sync + 'static> Paged<T> {
    /// Starts from the first page.
    pub fn new(page: Page<T>) -> Self {
        Paged {
            items: RwSignal::new(page.items),
            next: RwSignal::new(page.next_cursor),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Whether nothing was found.
    pub fn is_empty(self) -> bool {
        self.items.with(Vec::is_empty)
    }

    /// Fetches the next page with `fetch(cursor)` and appends it.
    pub fn load_more<F, Fut>(self, fetch: F)
    where
        F: FnOnce(String) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    {
        let Some(cursor) = self.next.get_untracked() else { return };
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            match fetch(cursor).await {
                Ok(page) => {
                    self.items.update(|items| items.extend(page.items));
                    self.next.set(page.next_cursor);
                }
                Err(e) => self.error.set(Some(e)),
            }
            self.busy.set(false);
        });
    }

    /// Drops the items that match.
    pub fn remove(self, unwanted: impl Fn(&T) -> bool) {
        self.items.update(|items| items.retain(|item| !unwanted(item)));
    }

    /// The list's footer: the error of the last "Load more", and the button.
    pub fn footer(self, on_load: Callback<()>) -> impl IntoView {
        view! {
            {move || self.error.get().map(|e| view! { <ErrorAlert message=e.message()/> })}
            <LoadMore
                more=Signal::derive(move || self.next.with(Option::is_some))
                busy=Signal::derive(move || self.busy.get())
                on_load=on_load
            />
        }
    }
}
