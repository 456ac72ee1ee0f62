//! App-wide state provided as contexts: who is signed in, and the community's settings.

use std::rc::Rc;

use copse_shared::auth::{Session, User};
use copse_shared::community::Community;
use copse_shared::endpoints::{GetCommunity, GetUnreadCount, Logout};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;

/// Where the session stands.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionState {
    /// Still asking the server whether the refresh cookie is valid.
    Restoring,
    /// Nobody is signed in.
    SignedOut,
    /// A member is signed in.
    SignedIn(User),
}

impl SessionState {
    /// The signed-in member, if any.
    pub fn user(&self) -> Option<&User> {
        match self {
            SessionState::SignedIn(user) => Some(user),
            _ => None,
        }
    }
}

/// The auth context.
#[derive(Clone, Copy)]
pub struct Auth {
    pub state: RwSignal<SessionState>,
}

impl Auth {
    /// Records a new session.
    pub fn signed_in(&self, session: Session) {
        api::set_token(Some(session.access_token));
        self.state.set(SessionState::SignedIn(session.user));
    }

    /// Signs out on the server and forgets the token.
    pub fn sign_out(&self) {
        let state = self.state;
        spawn_local(async move {
            // Even if the server is unreachable, the browser forgets the session.
            let _ = api::call(&Logout).await;
            api::set_token(None);
            state.set(SessionState::SignedOut);
        });
    }
}

/// The community context: `None` until loaded.
#[derive(Clone, Copy)]
pub struct CommunityInfo {
    pub settings: RwSignal<Option<Community>>,
}

/// The signed-in member's unread notifications, for the bell: `None` when nobody
/// is signed in or the count is not known yet.
#[derive(Clone, Copy)]
pub struct Unread {
    pub count: RwSignal<Option<i64>>,
    signed_in: Memo<bool>,
}

impl Unread {
    /// Asks the server for the current count (only when someone is signed in).
    pub fn refresh(self) {
        if !self.signed_in.get_untracked() {
            self.count.set(None);
            return;
        }
        spawn_local(async move {
            if let Ok(answer) = api::call(&GetUnreadCount).await {
                self.count.set(Some(answer.unread));
            }
        });
    }

    /// Takes a count the server returned with another answer.
    pub fn set(self, unread: i64) {
        self.count.set(Some(unread));
    }
}

/// Provides the contexts and starts restoring the session from the refresh cookie.
pub fn provide() {
    let auth = Auth { state: RwSignal::new(SessionState::Restoring) };
    let community = CommunityInfo { settings: RwSignal::new(None) };
    let signed_in = Memo::new(move |_| matches!(auth.state.get(), SessionState::SignedIn(_)));
    let unread = Unread { count: RwSignal::new(None), signed_in };
    provide_context(auth);
    provide_context(community);
    provide_context(unread);
    // Whoever signs in gets their own count; signing out clears it.
    Effect::new(move |_| {
        signed_in.track();
        unread.refresh();
    });

    let state = auth.state;
    api::on_session_change(Rc::new(move |user: Option<User>| {
        state.set(match user {
            Some(user) => SessionState::SignedIn(user),
            None => SessionState::SignedOut,
        });
    }));
    spawn_local(async move {
        // A failed refresh simply means nobody is signed in on this browser.
        let _ = api::refresh().await;
    });
    spawn_local(async move {
        if let Ok(settings) = api::call(&GetCommunity).await {
            community.settings.set(Some(settings));
        }
    });
}

/// The auth context.
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// The session as a memo: a page that depends on it rebuilds only when who is signed
/// in actually changes, not each time a token refresh reports the same member.
pub fn use_session() -> Memo<SessionState> {
    let auth = use_auth();
    Memo::new(move |_| auth.state.get())
}

/// The community context.
pub fn use_community() -> CommunityInfo {
    expect_context::<CommunityInfo>()
}

/// The unread-notifications context.
pub fn use_unread() -> Unread {
    expect_context::<Unread>()
}
