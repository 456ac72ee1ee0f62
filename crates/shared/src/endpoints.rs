//! Every API operation as a typed definition. The server's routes, the SPA's calls and
//! the tests all refer to these, so a path or a type has exactly one source of truth.

use crate::auth::{AccountStatus, Role};
use crate::auth::{ChangePasswordRequest, LoginRequest, RegisterRequest, RegisterResponse, Session, User};
use crate::community::{Community, UpdateCommunityRequest};
use crate::endpoint::{Endpoint, Method, NoContent, encode_component, query_string};
use crate::members::{CreateInvitationRequest, CreatedInvitation};
use crate::pagination::Page;
use crate::system::Health;

/// Declares an endpoint without path parameters. With `body`, the struct wraps the body.
macro_rules! endpoint {
    ($(#[$doc:meta])* $name:ident, $method:ident, $path:literal => $response:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default)]
        pub struct $name;
        impl Endpoint for $name {
            const METHOD: Method = Method::$method;
            const PATH: &'static str = $path;
            type Body = ();
            type Response = $response;
        }
    };
    ($(#[$doc:meta])* $name:ident, $method:ident, $path:literal, body $body:ty => $response:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name(pub $body);
        impl Endpoint for $name {
            const METHOD: Method = Method::$method;
            const PATH: &'static str = $path;
            type Body = $body;
            type Response = $response;
            fn body(&self) -> Option<&Self::Body> {
                Some(&self.0)
            }
        }
    };
}

endpoint!(
    /// `GET /api/v1/health`: the process answers.
    GetHealth, Get, "/api/v1/health" => Health);
endpoint!(
    /// `GET /api/v1/ready`: the process and its database answer.
    GetReady, Get, "/api/v1/ready" => Health);
endpoint!(
    /// `POST /api/v1/auth/register`: create an account.
    Register, Post, "/api/v1/auth/register", body RegisterRequest => RegisterResponse);
endpoint!(
    /// `POST /api/v1/auth/login`: sign in; sets the refresh cookie.
    Login, Post, "/api/v1/auth/login", body LoginRequest => Session);
endpoint!(
    /// `POST /api/v1/auth/refresh`: trade the refresh cookie for a new session.
    Refresh, Post, "/api/v1/auth/refresh" => Session);
endpoint!(
    /// `POST /api/v1/auth/logout`: revoke the session and clear the cookie.
    Logout, Post, "/api/v1/auth/logout" => NoContent);
endpoint!(
    /// `GET /api/v1/me`: the signed-in account.
    GetMe, Get, "/api/v1/me" => User);
endpoint!(
    /// `PUT /api/v1/me/password`: change the password; other sessions are revoked.
    ChangePassword, Put, "/api/v1/me/password", body ChangePasswordRequest => NoContent);
endpoint!(
    /// `GET /api/v1/community`: the community's settings.
    GetCommunity, Get, "/api/v1/community" => Community);
endpoint!(
    /// `PUT /api/v1/community`: replace the settings (admins).
    UpdateCommunity, Put, "/api/v1/community", body UpdateCommunityRequest => Community);
endpoint!(
    /// `POST /api/v1/invitations`: invite someone (facilitators and admins).
    CreateInvitation, Post, "/api/v1/invitations", body CreateInvitationRequest => CreatedInvitation);

/// `GET /api/v1/members`: accounts, newest first (facilitators and admins).
#[derive(Clone, Debug, Default)]
pub struct ListMembers {
    /// Only accounts with this status.
    pub status: Option<AccountStatus>,
    /// Only accounts with this role.
    pub role: Option<Role>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListMembers {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/members";
    type Body = ();
    type Response = Page<User>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("status", self.status.map(|s| s.as_str().to_owned())),
            ("role", self.role.map(|r| r.as_str().to_owned())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

/// `POST /api/v1/members/{id}/approve`: approve a pending registration.
#[derive(Clone, Debug)]
pub struct ApproveMember {
    /// The pending account's id.
    pub id: String,
}

impl Endpoint for ApproveMember {
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/api/v1/members/{id}/approve";
    type Body = ();
    type Response = User;
    fn path(&self) -> String {
        format!("/api/v1/members/{}/approve", encode_component(&self.id))
    }
}
