//! Input validation rules shared by services, collecting every field error at once so
//! a form can show them all.

use copse_shared::{FieldError, MAX_DISPLAY_NAME_LEN, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};

use crate::error::ApiError;

/// Collects field errors.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// Records an error on a field.
    pub fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.to_owned(), code: code.to_owned(), message: message.into() });
    }

    /// Fails with 422 if any error was recorded.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() { Ok(()) } else { Err(ApiError::Validation(self.0)) }
    }
}

/// Normalises an email (trimmed, lower-cased) and checks its shape.
pub fn email(errors: &mut Errors, field: &str, raw: &str) -> String {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if email.is_empty() {
        errors.add(field, "required", "Enter an email address.");
    } else if !valid {
        errors.add(field, "invalid_format", "Enter a valid email address, like name@example.org.");
    }
    email
}

/// Trims a display name and checks its length and characters.
pub fn display_name(errors: &mut Errors, field: &str, raw: &str) -> String {
    let name = raw.trim().to_owned();
    let length = name.chars().count();
    if length == 0 {
        errors.add(field, "required", "Enter the name other members will see.");
    } else if length > MAX_DISPLAY_NAME_LEN {
        errors.add(field, "too_long", format!("Use at most {MAX_DISPLAY_NAME_LEN} characters."));
    } else if name.chars().any(char::is_control) {
        errors.add(field, "invalid_format", "Remove control characters.");
    }
    name
}

/// Checks a new password's strength.
pub fn password(errors: &mut Errors, field: &str, password: &str, email: &str) {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LEN {
        errors.add(field, "too_short", format!("Use at least {MIN_PASSWORD_LEN} characters."));
    } else if length > MAX_PASSWORD_LEN {
        errors.add(field, "too_long", format!("Use at most {MAX_PASSWORD_LEN} characters."));
    } else if password.chars().all(|c| password.starts_with(c)) {
        errors.add(field, "too_weak", "Do not repeat a single character.");
    } else if !email.is_empty() && password.to_lowercase() == email {
        errors.add(field, "too_weak", "Do not use your email address as your password.");
    }
}

/// Checks a free-text field's length.
pub fn text(errors: &mut Errors, field: &str, raw: &str, min: usize, max: usize) -> String {
    let text = raw.trim().to_owned();
    let length = text.chars().count();
    if length < min {
        errors.add(field, "required", "This field is required.");
    } else if length > max {
        errors.add(field, "too_long", format!("Use at most {max} characters."));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(f: impl FnOnce(&mut Errors)) -> Vec<String> {
        let mut errors = Errors::default();
        f(&mut errors);
        errors.0.into_iter().map(|e| e.code).collect()
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        let mut errors = Errors::default();
        assert_eq!(email(&mut errors, "email", "  Amina@Example.ORG "), "amina@example.org");
        assert!(errors.0.is_empty());
        assert_eq!(
            codes(|e| {
                email(e, "email", "no-at-sign");
            }),
            ["invalid_format"]
        );
        assert_eq!(
            codes(|e| {
                email(e, "email", "a@b");
            }),
            ["invalid_format"]
        );
        assert_eq!(
            codes(|e| {
                email(e, "email", "a b@c.org");
            }),
            ["invalid_format"]
        );
        assert_eq!(
            codes(|e| {
                email(e, "email", " ");
            }),
            ["required"]
        );
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert_eq!(codes(|e| password(e, "password", "short", "")), ["too_short"]);
        assert_eq!(codes(|e| password(e, "password", "aaaaaaaaaaaaaaaa", "")), ["too_weak"]);
        assert_eq!(codes(|e| password(e, "password", "me@example.org", "me@example.org")), ["too_weak"]);
        assert!(codes(|e| password(e, "password", "a fine long passphrase", "")).is_empty());
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(
            codes(|e| {
                display_name(e, "display_name", "   ");
            }),
            ["required"]
        );
        assert_eq!(
            codes(|e| {
                display_name(e, "display_name", &"x".repeat(81));
            }),
            ["too_long"]
        );
        assert!(
            codes(|e| {
                display_name(e, "display_name", " Amina ");
            })
            .is_empty()
        );
    }
}
