//! The event form's state: the fields as typed, and the request they make. Problems
//! found before sending (a missing start, a count out of range) are shaped like the
//! server's, so they show next to their field the same way.

use chrono::{Duration, NaiveTime};
use copse_shared::events::{EventFields, EventFormat};
use copse_shared::{ErrorCode, FieldError, Problem};
use leptos::prelude::*;

use super::recurrence::Repeat;
use super::{local_input, parse_local};
use crate::api::ApiError;
use crate::components::field::{comma_list, optional};
use crate::format;
use crate::i18n::{Msg, t};

/// The server's own default, ticked on a new event.
const DEFAULT_REMINDERS: [i32; 2] = [1440, 60];

/// A problem found before sending, shown next to its field like the server's.
fn invalid(field: &str, message: Msg) -> ApiError {
    ApiError::Problem(Problem {
        type_url: "about:blank".to_owned(),
        title: t(Msg::CheckTheForm).to_owned(),
        status: 422,
        detail: None,
        code: ErrorCode::ValidationFailed,
        errors: vec![FieldError {
            field: field.to_owned(),
            code: "invalid".to_owned(),
            message: t(message).to_owned(),
        }],
    })
}

/// An input's text for a local time: a date alone for a whole-day event.
fn input_text(at: chrono::NaiveDateTime, all_day: bool) -> String {
    at.format(if all_day { "%Y-%m-%d" } else { "%Y-%m-%dT%H:%M" }).to_string()
}

/// The event as the form edits it.
#[derive(Clone, Copy)]
pub struct Draft {
    pub title: RwSignal<String>,
    pub description: RwSignal<String>,
    pub format: RwSignal<EventFormat>,
    pub venue: RwSignal<String>,
    pub online_url: RwSignal<String>,
    pub link_for_going_only: RwSignal<bool>,
    pub time_zone: RwSignal<String>,
    pub all_day: RwSignal<bool>,
    pub start: RwSignal<String>,
    pub end: RwSignal<String>,
    pub repeat: Repeat,
    pub capacity: RwSignal<String>,
    pub rsvp_deadline: RwSignal<String>,
    pub attendees_public: RwSignal<bool>,
    pub tags: RwSignal<String>,
    pub reminders: RwSignal<Vec<i32>>,
    pub organisers: StoredValue<Vec<String>>,
}

impl Draft {
    pub fn new(fields: Option<&EventFields>) -> Self {
        let zone = fields.map(|f| f.time_zone.clone()).unwrap_or_else(format::browser_zone);
        let all_day = fields.is_some_and(|f| f.all_day);
        let text = |value: Option<String>| RwSignal::new(value.unwrap_or_default());
        Draft {
            title: text(fields.map(|f| f.title.clone())),
            description: text(fields.map(|f| f.description.clone())),
            format: RwSignal::new(fields.map_or(EventFormat::Online, |f| f.format)),
            venue: text(fields.and_then(|f| f.venue.clone())),
            online_url: text(fields.and_then(|f| f.online_url.clone())),
            link_for_going_only: RwSignal::new(fields.is_some_and(|f| f.link_for_going_only)),
            time_zone: RwSignal::new(zone.clone()),
            all_day: RwSignal::new(all_day),
            start: text(fields.map(|f| input_text(f.starts_at, all_day))),
            end: text(fields.map(|f| input_text(f.ends_at, all_day))),
            repeat: Repeat::new(fields.and_then(|f| f.recurrence.as_deref()), &zone),
            capacity: text(fields.and_then(|f| f.capacity).map(|c| c.to_string())),
            rsvp_deadline: text(fields.and_then(|f| f.rsvp_deadline).map(|d| local_input(d, &zone))),
            attendees_public: RwSignal::new(fields.is_some_and(|f| f.attendees_public)),
            tags: text(fields.map(|f| f.tags.join(", "))),
            reminders: RwSignal::new(
                fields.and_then(|f| f.reminders.clone()).unwrap_or_else(|| DEFAULT_REMINDERS.to_vec()),
            ),
            organisers: StoredValue::new(fields.map(|f| f.organisers.clone()).unwrap_or_default()),
        }
    }

    /// What to send, or the first problem found before sending.
    pub fn fields(self) -> Result<EventFields, ApiError> {
        let zone = self.time_zone.get_untracked();
        let all_day = self.all_day.get_untracked();
        let start = parse_local(&self.start.get_untracked()).ok_or_else(|| invalid("starts_at", Msg::StartRequired))?;
        let end = parse_local(&self.end.get_untracked()).ok_or_else(|| invalid("ends_at", Msg::EndRequired))?;
        // A whole-day event counts its dates only.
        let (start, end) = if all_day {
            (start.date().and_time(NaiveTime::MIN), end.date().and_time(NaiveTime::MIN))
        } else {
            (start, end)
        };
        let recurrence = self.repeat.rrule(start.date(), &zone).map_err(|m| invalid("recurrence", m))?;
        let capacity = match optional(self.capacity.get_untracked()) {
            None => None,
            Some(text) => Some(
                text.parse::<i32>()
                    .ok()
                    .filter(|c| *c >= 1)
                    .ok_or_else(|| invalid("capacity", Msg::CapacityInvalid))?,
            ),
        };
        // A series closes each occurrence's answers when it starts: no deadline.
        let deadline = optional(self.rsvp_deadline.get_untracked()).filter(|_| recurrence.is_none());
        let rsvp_deadline = match deadline {
            None => None,
            Some(text) => Some(
                parse_local(&text)
                    .and_then(|local| format::instant(local, Some(&zone)))
                    .ok_or_else(|| invalid("rsvp_deadline", Msg::DeadlineInvalid))?,
            ),
        };
        let format = self.format.get_untracked();
        let online = format != EventFormat::InPerson;
        let mut reminders = self.reminders.get_untracked();
        reminders.sort_unstable_by(|a, b| b.cmp(a));
        Ok(EventFields {
            title: self.title.get_untracked().trim().to_owned(),
            description: self.description.get_untracked(),
            format,
            time_zone: zone,
            all_day,
            starts_at: start,
            ends_at: end,
            recurrence,
            venue: if format == EventFormat::Online { None } else { optional(self.venue.get_untracked()) },
            online_url: if online { optional(self.online_url.get_untracked()) } else { None },
            link_for_going_only: online && self.link_for_going_only.get_untracked(),
            capacity,
            rsvp_deadline,
            attendees_public: self.attendees_public.get_untracked(),
            tags: comma_list(&self.tags.get_untracked()),
            reminders: Some(reminders),
            organisers: self.organisers.get_value(),
        })
    }

    /// Switches the start and end inputs between dates and date-times, keeping the days.
    pub fn set_all_day(self, all_day: bool) {
        let convert = |value: String, hour: u32| match parse_local(&value) {
            Some(t) if all_day => input_text(t, true),
            Some(t) => input_text(t.date().and_hms_opt(hour, 0, 0).unwrap_or(t), false),
            None => value,
        };
        self.start.update(|s| *s = convert(std::mem::take(s), 9));
        self.end.update(|s| *s = convert(std::mem::take(s), 10));
        self.all_day.set(all_day);
    }

    /// After the start changes: an end that is missing or no longer after it moves
    /// to an hour later (the same day for a whole-day event).
    pub fn follow_start(self) {
        let all_day = self.all_day.get_untracked();
        let Some(start) = parse_local(&self.start.get_untracked()) else { return };
        let end = parse_local(&self.end.get_untracked());
        let too_early = end.is_none_or(|end| if all_day { end < start } else { end <= start });
        if too_early {
            let end = if all_day { start } else { start + Duration::hours(1) };
            self.end.set(input_text(end, all_day));
        }
    }
}
