//! Extractors that authenticate a request. An invalid credential is always 401, never
//! silently treated as anonymous.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use copse_shared::ErrorCode;
use copse_shared::auth::AccountStatus;
use copse_shared::partners::Scope;
use futures_util::future::LocalBoxFuture;

use crate::auth::jwt::Claims;
use crate::entities::user;
use crate::error::ApiError;
use crate::policy::Actor;
use crate::services::partners::keys;
use crate::state::AppState;

/// A signed-in, active member.
#[derive(Clone, Debug)]
pub struct AuthUser {
    /// The account, read from the database or kept from a read less than
    /// `COPSE_COMMUNITY_CACHE_MS` ago (`services::accounts::signed_in`): a suspension
    /// or a role change through this server takes effect at once, through another
    /// within that time.
    pub user: user::Model,
    /// The token's claims.
    pub claims: Claims,
}

impl AuthUser {
    /// The actor the policy reasons about.
    pub fn actor(&self) -> Actor {
        Actor::Member(self.user.clone())
    }
}

/// A member if the request carries a credential, or anonymous if it carries none.
#[derive(Clone, Debug)]
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl MaybeAuthUser {
    /// The actor the policy reasons about (anonymous when nobody signed in).
    pub fn actor(&self) -> Actor {
        match &self.0 {
            Some(auth) => auth.actor(),
            None => Actor::Anonymous,
        }
    }
}

enum Credential {
    None,
    Bearer(String),
    Malformed,
}

fn credential(req: &HttpRequest) -> Credential {
    let Some(value) = req.headers().get(actix_web::http::header::AUTHORIZATION) else {
        return Credential::None;
    };
    let Ok(value) = value.to_str() else {
        return Credential::Malformed;
    };
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Credential::Bearer(token.trim().to_owned())
        }
        _ => Credential::Malformed,
    }
}

async fn authenticate(state: web::Data<AppState>, token: String) -> Result<AuthUser, ApiError> {
    if token.starts_with(keys::PREFIX) {
        // Keys are accepted only where a handler takes `ApiClient`: everything else
        // (sessions, profiles, settings, moderation) is for members in person.
        return Err(ApiError::forbidden("This endpoint does not accept API keys; sign in as a member."));
    }
    let claims = state.jwt.verify(&token)?;
    let user = crate::services::accounts::signed_in(&state, &claims.sub)
        .await?
        .ok_or_else(|| ApiError::unauthorized(ErrorCode::InvalidToken, "The account no longer exists."))?;
    if user.status() != AccountStatus::Active {
        return Err(ApiError::unauthorized(ErrorCode::InvalidToken, "The account is not active."));
    }
    Ok(AuthUser { user, claims })
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("application state missing")))
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let credential = credential(req);
        let state = state_of(req);
        Box::pin(async move {
            match credential {
                Credential::None => Err(ApiError::unauthorized(
                    ErrorCode::AuthenticationRequired,
                    "Sign in: send Authorization: Bearer <access token>.",
                )),
                Credential::Malformed => Err(ApiError::unauthorized(
                    ErrorCode::InvalidToken,
                    "The Authorization header must be `Bearer <token>`.",
                )),
                Credential::Bearer(token) => authenticate(state?, token).await,
            }
        })
    }
}

impl FromRequest for MaybeAuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if matches!(credential(req), Credential::None) {
            return Box::pin(async { Ok(MaybeAuthUser(None)) });
        }
        let inner = AuthUser::from_request(req, payload);
        Box::pin(async move { inner.await.map(|user| MaybeAuthUser(Some(user))) })
    }
}

/// The verified subject of a member's access token, whether or not the account still
/// exists: only account deletion uses it, so that repeating a deletion succeeds.
#[derive(Clone, Debug)]
pub struct TokenSubject(pub String);

impl FromRequest for TokenSubject {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let credential = credential(req);
        let state = state_of(req);
        Box::pin(async move {
            match credential {
                Credential::None => Err(ApiError::unauthorized(
                    ErrorCode::AuthenticationRequired,
                    "Sign in: send Authorization: Bearer <access token>.",
                )),
                Credential::Malformed => Err(ApiError::unauthorized(
                    ErrorCode::InvalidToken,
                    "The Authorization header must be `Bearer <token>`.",
                )),
                Credential::Bearer(token) if token.starts_with("copse_") => {
                    Err(ApiError::unauthorized(ErrorCode::InvalidToken, "API keys are not enabled on this server yet."))
                }
                Credential::Bearer(token) => Ok(TokenSubject(state?.jwt.verify(&token)?.sub)),
            }
        })
    }
}

/// A member (access token) or a partner's API key (`copse_...`). Only handlers that take
/// this extractor accept keys; they name the scope they need with [`ApiClient::actor_for`].
#[derive(Clone, Debug)]
pub struct ApiClient(Actor);

impl ApiClient {
    /// The actor, once the key (if it is one) has the scope: 403 otherwise.
    pub fn actor_for(&self, scope: Scope) -> Result<Actor, ApiError> {
        if self.0.has_scope(scope) {
            Ok(self.0.clone())
        } else {
            Err(ApiError::forbidden(format!("This API key lacks the `{}` scope.", scope.as_str())))
        }
    }
}

/// Like [`ApiClient`], or anonymous when the request carries no credential.
#[derive(Clone, Debug)]
pub struct MaybeApiClient(Option<ApiClient>);

impl MaybeApiClient {
    /// The actor for a scope (anonymous visitors pass; the policy decides for them).
    pub fn actor_for(&self, scope: Scope) -> Result<Actor, ApiError> {
        match &self.0 {
            Some(client) => client.actor_for(scope),
            None => Ok(Actor::Anonymous),
        }
    }

    /// The actor without a scope check, for handlers whose service checks scopes per
    /// item (the change feed: one scope per type of change).
    pub fn actor(&self) -> Actor {
        self.0.as_ref().map_or(Actor::Anonymous, |client| client.0.clone())
    }
}

impl FromRequest for ApiClient {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if let Credential::Bearer(token) = credential(req)
            && token.starts_with(keys::PREFIX)
        {
            let state = state_of(req);
            let ip = crate::routes::client_ip(req);
            return Box::pin(async move {
                let state = state?;
                Ok(ApiClient(keys::authenticate(&state, &token, &ip).await?))
            });
        }
        let member = AuthUser::from_request(req, payload);
        Box::pin(async move { Ok(ApiClient(member.await?.actor())) })
    }
}

impl FromRequest for MaybeApiClient {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if matches!(credential(req), Credential::None) {
            return Box::pin(async { Ok(MaybeApiClient(None)) });
        }
        let inner = ApiClient::from_request(req, payload);
        Box::pin(async move { inner.await.map(|client| MaybeApiClient(Some(client))) })
    }
}
