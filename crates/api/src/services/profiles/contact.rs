//! "Contact member": a short message delivered as an in-app notification. The
//! sender learns nothing about the recipient but whether they accept messages.

use actix_web::http::StatusCode;
use copse_shared::ErrorCode;
use copse_shared::profiles::{ContactMemberRequest, MAX_CONTACT_MESSAGE_LEN, MAX_CONTACT_SUBJECT_LEN};

use super::load_active;
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::discussions::notify;
use crate::services::validate::{self, Errors};
use crate::state::AppState;

/// Sends the message: 404 for an unknown or inactive member, 422 to oneself or for
/// bad fields, 403 `contact_not_allowed` when the member does not accept messages.
pub async fn send(state: &AppState, actor: &Actor, id: &str, request: ContactMemberRequest) -> ApiResult<()> {
    policy::require(actor, Action::ReadProfiles, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let recipient = load_active(&state.db, id).await?;
    let is_self = recipient.user.id == me.id;
    let mut errors = Errors::default();
    if is_self {
        errors.add("id", "self", "You cannot send a message to yourself.");
    }
    let subject = validate::text(&mut errors, "subject", &request.subject, 1, MAX_CONTACT_SUBJECT_LEN);
    if subject.chars().any(char::is_control) {
        errors.add("subject", "invalid_format", "Remove control characters.");
    }
    let message: String = request.message.trim().chars().filter(|c| !c.is_control() || *c == '\n').collect();
    if message.is_empty() {
        errors.add("message", "required", "Write a message.");
    } else if message.chars().count() > MAX_CONTACT_MESSAGE_LEN {
        errors.add("message", "too_long", format!("Use at most {MAX_CONTACT_MESSAGE_LEN} characters."));
    }
    errors.finish()?;
    let allow_contact = recipient.privacy().allow_contact;
    if !policy::can(actor, Action::ContactMember, &Resource::Recipient { allow_contact, is_self }) {
        return Err(ApiError::client(
            StatusCode::FORBIDDEN,
            ErrorCode::ContactNotAllowed,
            "This member does not accept messages.",
        ));
    }
    notify::contact(&state.db, &recipient.user.id, me, &subject, &message).await
}
