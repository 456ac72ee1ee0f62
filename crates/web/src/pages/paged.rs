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

/// A list endpoint whose next page is asked for with a cursor.
pub trait CursorQuery: copse_shared::Endpoint + Clone + Send + Sync + 'static {
    /// The same query, from `cursor` on.
    fn at_cursor(&self, cursor: String) -> Self;
}

macro_rules! cursor_query {
    ($($endpoint:ty),* $(,)?) => {$(
        impl CursorQuery for $endpoint {
            fn at_cursor(&self, cursor: String) -> Self {
                Self { cursor: Some(cursor), ..self.clone() }
            }
        }
    )*};
}

cursor_query!(
    copse_shared::endpoints::ListTopics,
    copse_shared::endpoints::ListLibraryItems,
    copse_shared::endpoints::ListDirectory,
    copse_shared::endpoints::ListEvents,
);

/// A list read from a query that the page may change (its filters): the first page
/// through a resource (loading and errors shown), then "Load more". `row` renders one
/// item; `key` tells items apart.
pub fn paged_list<Q, T, V>(
    query: Signal<Q>,
    key: fn(&T) -> String,
    row: fn(T) -> V,
    empty: crate::i18n::Msg,
    class: &'static str,
    label: &'static str,
) -> impl IntoView
where
    Q: CursorQuery<Response = Page<T>>,
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    use crate::components::status::{Empty, Loading};
    let resource = LocalResource::new(move || {
        let q = query.get();
        async move { crate::api::call(&q).await }
    });
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(page) => {
                    let paged = Paged::new(page);
                    let first = query.get_untracked();
                    let on_load = Callback::new(move |_| {
                        let next = first.clone();
                        paged.load_more(move |cursor| async move { crate::api::call(&next.at_cursor(cursor)).await })
                    });
                    view! {
                        {move || paged.is_empty().then(|| view! { <Empty text=crate::i18n::t(empty)/> })}
                        <ul class=class aria-label=label>
                            <For each=move || paged.items.get() key=key children=row/>
                        </ul>
                        {paged.footer(on_load)}
                    }
                    .into_any()
                }
                Err(e) => crate::pages::discussions::error_view(e).into_any(),
            })}
        </Transition>
    }
}
