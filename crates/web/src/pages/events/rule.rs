//! Recurrence rules: the subset of RFC 5545 the server accepts (daily, weekly on chosen
//! days, monthly by date or by weekday position, with an interval, ending after a count
//! or on a date), read back from an event, written from the form's choices, and
//! described in a sentence for an event's page.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime};

use crate::format;
use crate::i18n::{self, Msg, t};

/// RFC 5545 weekday codes, Monday first (as the form lists them).
pub const DAY_CODES: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// How often a series repeats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Frequency {
    /// A one-off event.
    #[default]
    Never,
    Daily,
    Weekly,
    Monthly,
}

impl Frequency {
    pub const ALL: [Frequency; 4] = [Frequency::Never, Frequency::Daily, Frequency::Weekly, Frequency::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Never => "none",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
        }
    }

    pub fn label(self) -> &'static str {
        t(match self {
            Frequency::Never => Msg::RepeatNever,
            Frequency::Daily => Msg::RepeatDaily,
            Frequency::Weekly => Msg::RepeatWeekly,
            Frequency::Monthly => Msg::RepeatMonthly,
        })
    }
}

/// Which day of the month a monthly series falls on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MonthlyBy {
    /// The start's date ("on day 15").
    #[default]
    Date,
    /// The start's weekday and its position ("on the second Tuesday").
    Weekday,
    /// The start's weekday, last in the month ("on the last Friday").
    LastWeekday,
}

/// A rule as the form understands it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rule {
    pub frequency: Frequency,
    pub interval: u32,
    /// Weekly: the chosen days, Monday first.
    pub days: [bool; 7],
    pub monthly_by: MonthlyBy,
    /// Monthly by weekday: its position (1 to 4, or -1 for the last) and the weekday.
    pub month_weekday: Option<(i32, usize)>,
    /// Monthly by date: the day of the month.
    pub month_day: Option<u32>,
    pub count: Option<u32>,
    /// The last date, in the event's zone.
    pub until: Option<NaiveDate>,
}

/// A weekday's name, 0 being Monday.
pub fn weekday_name(index: usize, width: &str) -> String {
    // 1 January 2024 was a Monday.
    let monday = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    format::weekday(monday + Days::new(index as u64), width)
}

/// "on the second Tuesday", "on the last Friday".
pub fn position_text(position: i32, weekday: usize) -> String {
    let day = weekday_name(weekday, "long");
    match position {
        1 => i18n::fill(Msg::OnNthWeekday, &[("nth", t(Msg::Ordinal1)), ("day", &day)]),
        2 => i18n::fill(Msg::OnNthWeekday, &[("nth", t(Msg::Ordinal2)), ("day", &day)]),
        3 => i18n::fill(Msg::OnNthWeekday, &[("nth", t(Msg::Ordinal3)), ("day", &day)]),
        4 => i18n::fill(Msg::OnNthWeekday, &[("nth", t(Msg::Ordinal4)), ("day", &day)]),
        _ => i18n::fill(Msg::OnLastWeekday, &[("day", &day)]),
    }
}

/// Which of its month's weekdays like it `day` is (1 to 5), and whether it is the last.
pub fn position_of(day: NaiveDate) -> (i32, bool) {
    ((day.day() as i32 - 1) / 7 + 1, (day + Days::new(7)).month() != day.month())
}

/// The position of `start`'s weekday in its month that a monthly rule uses: `None`
/// by date; 1 to 4; or -1 for the last (also for a fifth, which not every month has).
fn monthly_position(by: MonthlyBy, start: NaiveDate) -> Option<i32> {
    let (nth, is_last) = position_of(start);
    match by {
        MonthlyBy::Date => None,
        MonthlyBy::Weekday if nth <= 4 => Some(nth),
        MonthlyBy::LastWeekday if is_last => Some(-1),
        MonthlyBy::LastWeekday => Some(nth),
        MonthlyBy::Weekday => Some(-1),
    }
}

/// The date an `UNTIL` value names in the event's zone.
fn until_date(value: &str, zone: &str) -> Option<NaiveDate> {
    if let Some(instant) = value.strip_suffix('Z') {
        let at = NaiveDateTime::parse_from_str(instant, "%Y%m%dT%H%M%S").ok()?.and_utc();
        return format::wall_clock(at, Some(zone)).map(|t| t.date());
    }
    let date = value.get(..8)?;
    NaiveDate::parse_from_str(date, "%Y%m%d").ok()
}

impl Rule {
    /// Reads an RRULE (without its `RRULE:` prefix) of an event in `zone`.
    pub fn parse(text: &str, zone: &str) -> Rule {
        let mut rule = Rule { interval: 1, ..Rule::default() };
        for part in text.split(';') {
            let Some((key, value)) = part.split_once('=') else { continue };
            match key.trim().to_ascii_uppercase().as_str() {
                "FREQ" => {
                    rule.frequency = match value {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        "MONTHLY" => Frequency::Monthly,
                        _ => Frequency::Never,
                    }
                }
                "INTERVAL" => rule.interval = value.parse().unwrap_or(1).max(1),
                "BYDAY" => {
                    for code in value.split(',') {
                        let cut = code.len().saturating_sub(2);
                        let (Some(position), Some(day)) = (code.get(..cut), code.get(cut..)) else { continue };
                        let Some(index) = DAY_CODES.iter().position(|c| *c == day) else { continue };
                        rule.days[index] = true;
                        if let Ok(n) = position.trim_start_matches('+').parse::<i32>() {
                            rule.month_weekday = Some((n, index));
                        }
                    }
                }
                "BYMONTHDAY" => rule.month_day = value.parse().ok(),
                "COUNT" => rule.count = value.parse().ok(),
                "UNTIL" => rule.until = until_date(value, zone),
                _ => {}
            }
        }
        rule.monthly_by = match rule.month_weekday {
            Some((-1, _)) => MonthlyBy::LastWeekday,
            Some(_) => MonthlyBy::Weekday,
            None => MonthlyBy::Date,
        };
        rule
    }

    /// The RRULE for a series starting on `start` in `zone`, such as
    /// `FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=10`; `None` for a one-off event.
    pub fn to_rrule(&self, start: NaiveDate, zone: &str) -> Option<String> {
        let frequency = match self.frequency {
            Frequency::Never => return None,
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
        };
        let mut parts = vec![format!("FREQ={frequency}"), format!("INTERVAL={}", self.interval.max(1))];
        let weekday = start.weekday().num_days_from_monday() as usize;
        match self.frequency {
            Frequency::Weekly => {
                let mut days: Vec<&str> =
                    DAY_CODES.iter().zip(self.days).filter(|(_, chosen)| *chosen).map(|(code, _)| *code).collect();
                // No day chosen: the start's own weekday, as the organiser would expect.
                if days.is_empty() {
                    days.push(DAY_CODES[weekday]);
                }
                parts.push(format!("BYDAY={}", days.join(",")));
            }
            Frequency::Monthly => parts.push(match monthly_position(self.monthly_by, start) {
                None => format!("BYMONTHDAY={}", start.day()),
                Some(position) => format!("BYDAY={position}{}", DAY_CODES[weekday]),
            }),
            _ => {}
        }
        if let Some(count) = self.count {
            parts.push(format!("COUNT={count}"));
        } else if let Some(until) = self.until {
            // The whole last day counts, in the event's zone; UNTIL is written in UTC.
            let end = until.and_hms_opt(23, 59, 59).unwrap_or_default();
            let instant = format::instant(end, Some(zone)).unwrap_or_else(|| end.and_utc());
            parts.push(format!("UNTIL={}", instant.format("%Y%m%dT%H%M%SZ")));
        }
        Some(parts.join(";"))
    }

    /// "Every 2 weeks on Monday, Wednesday, 10 times".
    pub fn describe(&self) -> String {
        let n = self.interval.to_string();
        let every = |one: Msg, many: Msg| {
            if self.interval <= 1 { t(one).to_owned() } else { i18n::fill(many, &[("n", &n)]) }
        };
        let mut text = match self.frequency {
            Frequency::Never => return String::new(),
            Frequency::Daily => every(Msg::EveryDay, Msg::EveryNDays),
            Frequency::Weekly => every(Msg::EveryWeek, Msg::EveryNWeeks),
            Frequency::Monthly => every(Msg::EveryMonth, Msg::EveryNMonths),
        };
        let detail = match self.frequency {
            Frequency::Weekly => {
                let names: Vec<String> = (0..7).filter(|i| self.days[*i]).map(|i| weekday_name(i, "long")).collect();
                (!names.is_empty()).then(|| i18n::fill(Msg::OnDays, &[("days", &names.join(", "))]))
            }
            Frequency::Monthly => match (self.month_weekday, self.month_day) {
                (Some((position, day)), _) => Some(position_text(position, day)),
                (None, Some(day)) => Some(i18n::fill(Msg::OnMonthDay, &[("n", &day.to_string())])),
                (None, None) => None,
            },
            _ => None,
        };
        if let Some(detail) = detail {
            text = format!("{text} {detail}");
        }
        if let Some(count) = self.count {
            text = format!("{text}, {}", i18n::fill(Msg::TimesCount, &[("n", &count.to_string())]));
        } else if let Some(until) = self.until {
            text = format!("{text}, {}", i18n::fill(Msg::UntilDate, &[("date", &format::day_range(until, until))]));
        }
        text
    }
}

/// Describes an event's rule for its page, in the event's zone for an end date.
pub fn describe(rule: &str, zone: &str) -> String {
    Rule::parse(rule, zone).describe()
}
