//! The OpenAPI 3.1 document: operations are collected from the routes by
//! utoipa-actix-web; this module adds the info, the security schemes and the
//! problem+json answers every operation shares.

use copse_shared::{ErrorCode, FieldError, Problem};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Spec, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Copse API",
        description = "The REST API of Copse, a home for communities of practice. \
Members authenticate with a JWT access token (`bearer_jwt`); partners use scoped \
`copse_` API keys (`api_key`), the change feed and signed webhooks. Errors are RFC 9457 `application/problem+json` with a \
stable `code`. Lists use cursor pagination (`limit`, `cursor`, `next_cursor`).",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    components(schemas(Problem, ErrorCode, FieldError)),
    tags(
        (name = "system", description = "Liveness and readiness"),
        (name = "auth", description = "Accounts and sessions"),
        (name = "community", description = "Community settings"),
        (name = "members", description = "Member administration and invitations"),
        (name = "groups", description = "Working groups and special-interest rooms, and their membership"),
        (name = "admin", description = "The audit log"),
        (name = "discussions", description = "Categories, topics, questions, replies and reactions"),
        (name = "moderation", description = "Flags, hiding, pinning, locking, moving and splitting"),
        (name = "notifications", description = "Watching topics, categories and groups, and in-app notifications"),
        (name = "library", description = "Documents, tools, templates, links, datasets and media: versioned files, downloads and previews"),
        (name = "events", description = "Online, in-person and hybrid events: recurrence, answers with a waiting list, reminders, iCalendar files and subscribable feeds"),
        (name = "partners", description = "Scoped API keys for knowledge hubs and tools (`Authorization: Bearer copse_...` on the endpoints whose security lists `api_key`), the change feed, upserts by a partner's own ids, and Atom feeds"),
        (name = "webhooks", description = "Signed events posted to partners' endpoints. Headers: `Copse-Event-Id` (stable across retries), `Copse-Event-Type`, and `Copse-Signature: t=<unix seconds>,v1=<hex>`, the hex being HMAC-SHA256 with the endpoint's secret over `<t>.<raw body>` (one `v1` per valid secret during a rotation). Verify in constant time and refuse timestamps more than 5 minutes from now. Delivery is at least once, from a durable outbox, retried with exponential back-off; never to private, loopback or link-local addresses."),
        (name = "profiles", description = "Member profiles with privacy of contact details, the directory, the expert finder, contact, avatars, data export and account deletion"),
        (name = "bookmarks", description = "A member's bookmarks of topics, library items, events and links"),
    ),
    modifiers(&SecurityAndProblems),
)]
pub struct ApiDoc;

struct SecurityAndProblems;

impl Modify for SecurityAndProblems {
    fn modify(&self, openapi: &mut Spec) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer_jwt",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A member's access token from `create_session` (15 minutes)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("copse_<secret>")
                    .description(Some("A partner's scoped API key, prefixed `copse_`. It acts for the member who made it, within its scopes (listed per operation) and groups."))
                    .build(),
            ),
        );
    }
}

fn problem_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
        )
        .build()
        .into()
}

/// Adds the answers that every operation of a kind can give, so no operation's
/// documentation forgets them.
fn add_shared_problems(operation: &mut Operation) {
    let has_body = operation.request_body.is_some();
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let responses = &mut operation.responses.responses;
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_owned()).or_insert_with(|| problem_response(description));
    };
    add("400", "Malformed request (`malformed_json`, `bad_request`)");
    if has_body {
        add("413", "Body too large (`payload_too_large`)");
        add("415", "Body is not `application/json` (`unsupported_media_type`)");
        add("422", "Invalid fields (`validation_failed`), with per-field `errors`");
    }
    if secured {
        add("401", "Missing, invalid or expired access token");
    }
    add("500", "Unexpected error; the body reveals nothing internal");
}

/// Documents the `Idempotency-Key` header (see `crate::idempotency`).
fn add_idempotency_key(operation: &mut Operation) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Type};
    let parameter = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .description(Some(
            "Any unique string (a UUID, say). A retry with the same key and request returns the first answer \
             (with `Idempotent-Replayed: true`) and changes nothing; the same key with another request is 422 \
             `idempotency_key_reused`. Keys are remembered for 24 hours, per member.",
        ))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).max_length(Some(255))))
        .build();
    operation.parameters.get_or_insert_with(Vec::new).push(utoipa::openapi::RefOr::T(parameter));
    operation.responses.responses.entry("409".to_owned()).or_insert_with(|| {
        problem_response("Conflict, or a request with the same Idempotency-Key is still being handled")
    });
}

/// The complete document for a set of collected operations.
pub fn finish(mut spec: Spec) -> Spec {
    let mut base = ApiDoc::openapi();
    base.paths = std::mem::take(&mut spec.paths);
    if let (Some(collected), Some(components)) = (spec.components.take(), base.components.as_mut()) {
        components.schemas.extend(collected.schemas);
    }
    for (path, item) in base.paths.paths.iter_mut() {
        if let Some(post) = item.post.as_mut()
            && !path.starts_with("/api/v1/auth/")
            // Uploads are streamed, never buffered for replay.
            && !path.ends_with("/versions")
            && post.security.as_ref().is_some_and(|s| !s.is_empty())
        {
            add_idempotency_key(post);
        }
        for operation in
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
        {
            add_shared_problems(operation);
        }
    }
    base
}

/// The document as the server publishes it, built from the real route table.
pub fn spec() -> Spec {
    use utoipa_actix_web::AppExt;
    let (_, spec) = actix_web::App::new()
        .into_utoipa_app()
        .service(utoipa_actix_web::scope("/api/v1").configure(crate::routes::configure))
        .split_for_parts();
    finish(spec)
}

/// The document as pretty JSON with a trailing newline (the committed file's form).
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

/// The path templates and their methods, used to answer 405 for a known path.
pub fn allowed_methods(known: &[(String, Vec<&'static str>)], path: &str) -> Option<Vec<&'static str>> {
    known.iter().find(|(template, _)| template_matches(template, path)).map(|(_, methods)| methods.clone())
}

/// Each path template of the document with its methods: all the 404/405 answer needs,
/// kept instead of the whole document (which weighs megabytes in memory).
pub fn path_methods(spec: &Spec) -> Vec<(String, Vec<&'static str>)> {
    spec.paths
        .paths
        .iter()
        .map(|(template, item)| {
            let methods = [
                ("GET", &item.get),
                ("PUT", &item.put),
                ("POST", &item.post),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
            ]
            .into_iter()
            .filter_map(|(name, op)| op.is_some().then_some(name))
            .collect();
            (template.clone(), methods)
        })
        .collect()
}

fn template_matches(template: &str, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) if ts.starts_with('{') && ts.ends_with('}') && !ps.is_empty() => {}
            (Some(ts), Some(ps)) if ts == ps => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_concrete_paths() {
        assert!(template_matches("/api/v1/members/{id}/approve", "/api/v1/members/42/approve"));
        assert!(template_matches("/api/v1/me", "/api/v1/me/"));
        assert!(!template_matches("/api/v1/members/{id}/approve", "/api/v1/members//approve"));
        assert!(!template_matches("/api/v1/me", "/api/v1/me/password"));
    }

    #[test]
    fn the_committed_spec_matches_the_code() {
        let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json"))
            .unwrap_or_default();
        let current = spec_json();
        assert!(
            committed == current,
            "openapi/openapi.json is out of date with the code; regenerate it with `cargo xtask openapi`"
        );
    }

    #[test]
    fn every_operation_has_an_id_a_tag_and_a_500_answer() {
        let spec = spec();
        for (path, item) in &spec.paths.paths {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch].into_iter().flatten() {
                let id = op.operation_id.clone().unwrap_or_default();
                assert!(!id.is_empty(), "{path} lacks an operation id");
                assert!(id.contains('_'), "{path}: operation id {id} is not <verb>_<resource>");
                assert!(op.tags.as_ref().is_some_and(|t| !t.is_empty()), "{path} lacks a tag");
                assert!(op.responses.responses.contains_key("500"), "{path} lacks a 500 answer");
            }
        }
    }
}
