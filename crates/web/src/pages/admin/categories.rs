//! The discussion categories, for site staff: create, rename and reorder.

use copse_shared::discussions::{Category, CategoryRequest};
use copse_shared::endpoints::{CreateCategory, ListCategories, UpdateCategory};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::field::{TextField, field_error};
use crate::components::status::{Empty, ErrorAlert, ErrorSlot, Loading, StatusNote, busy_text};
use crate::i18n::{self, Msg, t};

#[component]
pub fn Categories() -> impl IntoView {
    let version = RwSignal::new(0_u32);
    let resource = LocalResource::new(move || {
        version.track();
        async { api::call(&ListCategories).await }
    });
    let note = RwSignal::new(None::<String>);
    // One category is edited at a time.
    let open = RwSignal::new(None::<String>);
    let reload = Callback::new(move |_| version.update(|v| *v += 1));
    view! {
        <h2>{t(Msg::Categories)}</h2>
        <StatusNote message=note.into()/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(list) => {
                    let list = StoredValue::new(list);
                    let count = list.with_value(Vec::len);
                    view! {
                        {(count == 0).then(|| view! { <Empty text=t(Msg::NoCategories)/> })}
                        <ol class="rows categories">
                            {list.get_value()
                                .into_iter()
                                .enumerate()
                                .map(|(i, c)| view! { <CategoryRow category=c index=i list=list open=open note=note on_change=reload/> })
                                .collect_view()}
                        </ol>
                    }
                    .into_any()
                }
                Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
            })}
        </Transition>
        <NewCategory note=note on_change=reload/>
    }
}

fn request(c: &Category, position: i32) -> CategoryRequest {
    CategoryRequest { name: c.name.clone(), description: c.description.clone(), position: Some(position) }
}

/// Moves the category at `from` to `to`, then numbers every category by its place
/// (10, 20, ...), saving only those whose number changes.
async fn reorder(mut list: Vec<Category>, from: usize, to: usize) -> Result<(), ApiError> {
    let moved = list.remove(from);
    list.insert(to, moved);
    for (i, c) in list.iter().enumerate() {
        let position = (i as i32 + 1) * 10;
        if c.position != position {
            api::call(&UpdateCategory { id: c.id.clone(), body: request(c, position) }).await?;
        }
    }
    Ok(())
}

#[component]
fn CategoryRow(
    category: Category,
    index: usize,
    list: StoredValue<Vec<Category>>,
    open: RwSignal<Option<String>>,
    note: RwSignal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let name = RwSignal::new(category.name.clone());
    let description = RwSignal::new(category.description.clone());
    let last = list.with_value(Vec::len).saturating_sub(1);
    let name_id = format!("category-{}", category.id);
    let key = category.id.clone();
    let editing = Memo::new(move |_| open.get().as_deref() == Some(key.as_str()));
    let category = StoredValue::new(category);
    let shift = move |to: usize| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match reorder(list.get_value(), index, to).await {
                Ok(()) => on_change.run(()),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let c = category.get_value();
        let body = CategoryRequest {
            name: name.get_untracked(),
            description: description.get_untracked(),
            position: Some(c.position),
        };
        spawn_local(async move {
            match api::call(&UpdateCategory { id: c.id.clone(), body }).await {
                Ok(saved) => {
                    note.set(Some(i18n::fill(Msg::CategorySaved, &[("name", &saved.name)])));
                    open.set(None);
                    on_change.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let (shown_name, shown_description, slug) =
        category.with_value(|c| (c.name.clone(), c.description.clone(), c.slug.clone()));
    view! {
        <li class="row" data-testid="category">
            {move || if editing.get() {
                view! {
                    <form class="row-main" on:submit=save novalidate aria-label=t(Msg::EditCategory)>
                        <TextField id="edit-category-name" label=t(Msg::GroupName) value=name error=field_error(error, "name")/>
                        <TextField
                            id="edit-category-description"
                            label=t(Msg::GroupDescription)
                            value=description
                            error=field_error(error, "description")
                            required=false
                        />
                        <div class="form-actions">
                            <button class="primary" type="submit" disabled=busy>{t(Msg::Save)}</button>
                            <button class="secondary" type="button" on:click=move |_| open.set(None)>{t(Msg::Cancel)}</button>
                        </div>
                    </form>
                }
                .into_any()
            } else {
                view! {
                    <div class="row-main">
                        <strong id=name_id.clone()>{shown_name.clone()}</strong>
                        <span class="meta"><code>{slug.clone()}</code> " " {shown_description.clone()}</span>
                    </div>
                    <div class="row-actions">
                        <button
                            type="button"
                            class="secondary"
                            aria-label=i18n::fill(Msg::MoveUpNamed, &[("name", &shown_name)])
                            disabled=move || busy.get() || index == 0
                            on:click=move |_| shift(index - 1)
                        >
                            "↑"
                        </button>
                        <button
                            type="button"
                            class="secondary"
                            aria-label=i18n::fill(Msg::MoveDownNamed, &[("name", &shown_name)])
                            disabled=move || busy.get() || last <= index
                            on:click=move |_| shift(index + 1)
                        >
                            "↓"
                        </button>
                        <button type="button" class="secondary" aria-describedby=name_id.clone() on:click=move |_| open.set(Some(category.with_value(|c| c.id.clone())))>
                            {t(Msg::Rename)}
                        </button>
                    </div>
                }
                .into_any()
            }}
            <ErrorSlot error=error fields=&["name", "description"]/>
        </li>
    }
}

#[component]
fn NewCategory(note: RwSignal<Option<String>>, on_change: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let body =
            CategoryRequest { name: name.get_untracked(), description: description.get_untracked(), position: None };
        spawn_local(async move {
            match api::call(&CreateCategory(body)).await {
                Ok(created) => {
                    note.set(Some(i18n::fill(Msg::CategoryCreated, &[("name", &created.name)])));
                    name.set(String::new());
                    description.set(String::new());
                    on_change.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-card" on:submit=submit novalidate aria-labelledby="new-category-title">
            <h3 id="new-category-title">{t(Msg::NewCategory)}</h3>
            <ErrorSlot error=error fields=&["name", "description"]/>
            <TextField id="category-name" label=t(Msg::GroupName) value=name error=field_error(error, "name")/>
            <TextField
                id="category-description"
                label=t(Msg::GroupDescription)
                hint=t(Msg::CategoryDescriptionHint)
                value=description
                error=field_error(error, "description")
                required=false
            />
            <button class="primary" type="submit" disabled=busy>
                {busy_text(busy, Msg::CreateCategory)}
            </button>
        </form>
    }
}
