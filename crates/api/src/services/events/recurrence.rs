//! The RFC 5545 recurrence subset Copse accepts, and its expansion into local
//! wall-clock starts: `FREQ=DAILY|WEEKLY|MONTHLY`, `INTERVAL`, `BYDAY` (weekdays for
//! weekly series, one `2TU`/`-1FR` position for monthly ones), `BYMONTHDAY` (monthly),
//! and exactly one of `COUNT` or `UNTIL`. Every series ends and has at most
//! [`MAX_OCCURRENCES`] occurrences, so occurrences can be stored.
//!
//! Expansion works on local dates and times: a weekly call at 14:00 in Paris stays at
//! 14:00 local across daylight-saving changes; converting to UTC happens afterwards.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, Weekday};

/// The longest series accepted.
pub const MAX_OCCURRENCES: usize = 366;

/// Why a rule was refused: a machine code for the `recurrence` field and a sentence.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleError {
    /// `invalid_rrule`, `unsupported_rrule`, `no_end`, `too_many_occurrences`,
    /// `start_not_in_rule` or `until_before_start`.
    pub code: &'static str,
    /// For people.
    pub message: String,
}

fn error(code: &'static str, message: impl Into<String>) -> RuleError {
    RuleError { code, message: message.into() }
}

/// How often.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    /// Every `interval` days.
    Daily,
    /// Every `interval` weeks, on the listed weekdays.
    Weekly,
    /// Every `interval` months, on a day of the month or a weekday position.
    Monthly,
}

/// Where a series stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// After this many occurrences.
    Count(u32),
    /// No occurrence starts after this local date (inclusive). A UTC `UNTIL` is turned
    /// into the local date by the caller's time zone before expansion, see [`Rule::parse`].
    Until(NaiveDate),
}

/// A parsed rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// How often.
    pub frequency: Frequency,
    /// Every n periods (1 to 99).
    pub interval: u32,
    /// Weekly: the weekdays (empty: the start's weekday).
    pub weekdays: Vec<Weekday>,
    /// Monthly: a position and weekday (`2TU`: second Tuesday, `-1FR`: last Friday).
    pub month_position: Option<(i8, Weekday)>,
    /// Monthly: a day of the month (negative counts from the end).
    pub month_day: Option<i8>,
    /// The end.
    pub end: End,
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// The RFC 5545 code of a weekday.
pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// Parses `UNTIL`: a date (`20270630`) or a UTC date-time (`20270630T235959Z`); the
/// date-time is turned into a local date by `to_local_date`.
fn parse_until(value: &str, to_local_date: &dyn Fn(NaiveDateTime) -> NaiveDate) -> Option<NaiveDate> {
    if value.len() == 8 {
        return NaiveDate::parse_from_str(value, "%Y%m%d").ok();
    }
    let utc = value.strip_suffix('Z')?;
    NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok().map(to_local_date)
}

impl Rule {
    /// Parses a rule (with or without the `RRULE:` prefix). `to_local_date` turns a UTC
    /// `UNTIL` into the series' local date.
    pub fn parse(text: &str, to_local_date: &dyn Fn(NaiveDateTime) -> NaiveDate) -> Result<Rule, RuleError> {
        let text = text.trim();
        let text = text.strip_prefix("RRULE:").unwrap_or(text);
        let invalid = |detail: &str| error("invalid_rrule", format!("The recurrence rule is not valid: {detail}."));
        // Rules are ASCII; anything else is refused before any slicing by byte offsets.
        if !text.is_ascii() || text.len() > 300 {
            return Err(invalid("use only the ASCII rule syntax, at most 300 characters"));
        }
        let mut frequency = None;
        let mut interval = 1u32;
        let mut weekdays = Vec::new();
        let mut month_position = None;
        let mut month_day = None;
        let mut count = None;
        let mut until = None;
        let mut seen = Vec::new();
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').ok_or_else(|| invalid(&format!("`{part}` is not NAME=VALUE")))?;
            let name = name.to_ascii_uppercase();
            let value = value.to_ascii_uppercase();
            if seen.contains(&name) {
                return Err(invalid(&format!("{name} appears twice")));
            }
            seen.push(name.clone());
            match name.as_str() {
                "FREQ" => {
                    frequency = Some(match value.as_str() {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        "MONTHLY" => Frequency::Monthly,
                        "YEARLY" | "HOURLY" | "MINUTELY" | "SECONDLY" => {
                            return Err(error(
                                "unsupported_rrule",
                                "Events repeat daily, weekly or monthly; create yearly events one by one.",
                            ));
                        }
                        _ => return Err(invalid("FREQ must be DAILY, WEEKLY or MONTHLY")),
                    })
                }
                "INTERVAL" => {
                    interval = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=99).contains(n))
                        .ok_or_else(|| invalid("INTERVAL must be 1 to 99"))?
                }
                "COUNT" => {
                    count = Some(
                        value
                            .parse::<u32>()
                            .ok()
                            .filter(|n| *n >= 1)
                            .ok_or_else(|| invalid("COUNT must be a positive number"))?,
                    )
                }
                "UNTIL" => {
                    until = Some(
                        parse_until(&value, to_local_date)
                            .ok_or_else(|| invalid("UNTIL must be a date such as 20270630 or 20270630T235959Z"))?,
                    )
                }
                "BYMONTHDAY" => {
                    let day: i8 =
                        value.parse().map_err(|_| invalid("BYMONTHDAY must be one day, 1 to 31 or -1 to -31"))?;
                    if day == 0 || !(-31..=31).contains(&day) {
                        return Err(invalid("BYMONTHDAY must be 1 to 31 or -1 to -31"));
                    }
                    month_day = Some(day);
                }
                "BYDAY" => {
                    for item in value.split(',') {
                        let split = item.len().saturating_sub(2);
                        let (position, day) = item.split_at(split);
                        let day = weekday(day)
                            .ok_or_else(|| invalid(&format!("`{item}` is not a weekday such as MO or 2TU")))?;
                        if position.is_empty() {
                            weekdays.push(day);
                        } else {
                            let n: i8 =
                                position.parse().map_err(|_| invalid(&format!("`{item}` has no valid position")))?;
                            if n == 0 || !(-5..=5).contains(&n) || month_position.is_some() {
                                return Err(invalid(
                                    "a monthly weekday is one position from -5 to 5, such as 2TU or -1FR",
                                ));
                            }
                            month_position = Some((n, day));
                        }
                    }
                }
                "WKST" if value == "MO" => {}
                _ => {
                    return Err(error(
                        "unsupported_rrule",
                        format!("{name} is not supported; use FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL."),
                    ));
                }
            }
        }
        let frequency = frequency.ok_or_else(|| invalid("FREQ is missing"))?;
        let end = match (count, until) {
            (Some(count), None) => End::Count(count),
            (None, Some(until)) => End::Until(until),
            (Some(_), Some(_)) => return Err(invalid("give COUNT or UNTIL, not both")),
            (None, None) => {
                return Err(error("no_end", "A series must end: give a number of occurrences or an end date."));
            }
        };
        match frequency {
            Frequency::Daily if !weekdays.is_empty() || month_position.is_some() || month_day.is_some() => {
                return Err(error("unsupported_rrule", "A daily series takes no BYDAY or BYMONTHDAY."));
            }
            Frequency::Weekly if month_position.is_some() || month_day.is_some() => {
                return Err(error(
                    "unsupported_rrule",
                    "A weekly series takes weekdays without positions (BYDAY=MO,WE).",
                ));
            }
            Frequency::Monthly if !weekdays.is_empty() || (month_position.is_some() && month_day.is_some()) => {
                return Err(error(
                    "unsupported_rrule",
                    "A monthly series takes one day of the month (BYMONTHDAY=15) or one weekday position (BYDAY=2TU).",
                ));
            }
            _ => {}
        }
        weekdays.sort_by_key(|d| d.num_days_from_monday());
        weekdays.dedup();
        Ok(Rule { frequency, interval, weekdays, month_position, month_day, end })
    }

    /// The local starts of the series beginning at `start`, which must itself be an
    /// occurrence of the rule.
    pub fn expand(&self, start: NaiveDateTime) -> Result<Vec<NaiveDateTime>, RuleError> {
        if let End::Until(until) = self.end
            && until < start.date()
        {
            return Err(error("until_before_start", "The series ends before it starts."));
        }
        let time = start.time();
        let mut dates = Vec::new();
        let mut push = |date: NaiveDate| -> Result<bool, RuleError> {
            if date < start.date() {
                return Ok(true);
            }
            match self.end {
                End::Count(count) if dates.len() >= count as usize => return Ok(false),
                End::Until(until) if date > until => return Ok(false),
                _ => {}
            }
            if dates.len() >= MAX_OCCURRENCES {
                return Err(error(
                    "too_many_occurrences",
                    format!("A series has at most {MAX_OCCURRENCES} occurrences; end it sooner."),
                ));
            }
            dates.push(date);
            Ok(true)
        };
        // Each period may yield nothing (a month without a 31st), so the loop is bounded
        // by periods, not by occurrences found.
        let max_periods = 12 * 100;
        'periods: for period in 0..max_periods {
            let step = period * self.interval;
            match self.frequency {
                Frequency::Daily => {
                    let Some(date) = start.date().checked_add_days(Days::new(u64::from(step))) else { break };
                    if !push(date)? {
                        break;
                    }
                }
                Frequency::Weekly => {
                    let monday = start.date() - Days::new(u64::from(start.weekday().num_days_from_monday()));
                    let Some(week) = monday.checked_add_days(Days::new(u64::from(step) * 7)) else { break };
                    let days = if self.weekdays.is_empty() { vec![start.weekday()] } else { self.weekdays.clone() };
                    for day in days {
                        if !push(week + Days::new(u64::from(day.num_days_from_monday())))? {
                            break 'periods;
                        }
                    }
                }
                Frequency::Monthly => {
                    let first = start.date().with_day(1).and_then(|d| d.checked_add_months(Months::new(step)));
                    let Some(first) = first else { break };
                    let date = match self.month_position {
                        Some((n, day)) => nth_weekday(first, n, day),
                        None => month_day(first, self.month_day.unwrap_or(start.day() as i8)),
                    };
                    if let Some(date) = date
                        && !push(date)?
                    {
                        break;
                    }
                }
            }
        }
        if dates.first() != Some(&start.date()) {
            return Err(error(
                "start_not_in_rule",
                "The first occurrence must fall on the rule: start the event on one of its days.",
            ));
        }
        Ok(dates.into_iter().map(|d| d.and_time(time)).collect())
    }
}

fn days_in_month(first: NaiveDate) -> u32 {
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    (next - first).num_days() as u32
}

/// The `day`th day of `first`'s month (negative from the end), if the month has it.
fn month_day(first: NaiveDate, day: i8) -> Option<NaiveDate> {
    let len = days_in_month(first) as i32;
    let day = if day > 0 { i32::from(day) } else { len + 1 + i32::from(day) };
    if day < 1 || day > len { None } else { first.with_day(day as u32) }
}

/// The `n`th `weekday` of `first`'s month (negative from the end), if it exists.
fn nth_weekday(first: NaiveDate, n: i8, weekday: Weekday) -> Option<NaiveDate> {
    let len = days_in_month(first);
    let matching: Vec<NaiveDate> =
        (1..=len).filter_map(|d| first.with_day(d)).filter(|d| d.weekday() == weekday).collect();
    let index = if n > 0 { n as i32 - 1 } else { matching.len() as i32 + i32::from(n) };
    usize::try_from(index).ok().and_then(|i| matching.get(i).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap_or_default()
    }

    fn utc_date(t: NaiveDateTime) -> NaiveDate {
        t.date()
    }

    fn expand(rule: &str, start: &str) -> Result<Vec<String>, RuleError> {
        let rule = Rule::parse(rule, &utc_date)?;
        Ok(rule.expand(at(start))?.iter().map(|t| t.format("%Y-%m-%d %a %H:%M").to_string()).collect())
    }

    #[test]
    fn daily_with_an_interval_and_a_count() {
        let dates = expand("FREQ=DAILY;INTERVAL=2;COUNT=3", "2026-12-30T09:00").unwrap_or_default();
        assert_eq!(dates, ["2026-12-30 Wed 09:00", "2027-01-01 Fri 09:00", "2027-01-03 Sun 09:00"]);
    }

    #[test]
    fn weekly_on_several_days_until_a_date() {
        let dates = expand("RRULE:FREQ=WEEKLY;BYDAY=WE,MO;UNTIL=20261216", "2026-12-02T14:00").unwrap_or_default();
        assert_eq!(
            dates,
            [
                "2026-12-02 Wed 14:00",
                "2026-12-07 Mon 14:00",
                "2026-12-09 Wed 14:00",
                "2026-12-14 Mon 14:00",
                "2026-12-16 Wed 14:00"
            ]
        );
    }

    #[test]
    fn every_other_week_skips_weeks() {
        let dates = expand("FREQ=WEEKLY;INTERVAL=2;COUNT=3", "2026-12-03T10:00").unwrap_or_default();
        assert_eq!(dates, ["2026-12-03 Thu 10:00", "2026-12-17 Thu 10:00", "2026-12-31 Thu 10:00"]);
    }

    #[test]
    fn monthly_by_position_and_last_weekday() {
        let second_tuesday = expand("FREQ=MONTHLY;BYDAY=2TU;COUNT=3", "2026-12-08T15:00").unwrap_or_default();
        assert_eq!(second_tuesday, ["2026-12-08 Tue 15:00", "2027-01-12 Tue 15:00", "2027-02-09 Tue 15:00"]);
        let last_friday = expand("FREQ=MONTHLY;BYDAY=-1FR;COUNT=2", "2026-12-25T15:00").unwrap_or_default();
        assert_eq!(last_friday, ["2026-12-25 Fri 15:00", "2027-01-29 Fri 15:00"]);
    }

    #[test]
    fn monthly_on_the_31st_skips_short_months() {
        let dates = expand("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3", "2027-01-31T08:00").unwrap_or_default();
        assert_eq!(dates, ["2027-01-31 Sun 08:00", "2027-03-31 Wed 08:00", "2027-05-31 Mon 08:00"]);
    }

    #[test]
    fn impossible_and_unsupported_rules_are_refused_with_codes() {
        let code = |rule: &str, start: &str| expand(rule, start).err().map(|e| e.code);
        assert_eq!(code("FREQ=WEEKLY", "2026-12-02T14:00"), Some("no_end"));
        assert_eq!(code("FREQ=YEARLY;COUNT=2", "2026-12-02T14:00"), Some("unsupported_rrule"));
        assert_eq!(code("FREQ=WEEKLY;BYSETPOS=1;COUNT=2", "2026-12-02T14:00"), Some("unsupported_rrule"));
        assert_eq!(code("FREQ=FORTNIGHTLY;COUNT=2", "2026-12-02T14:00"), Some("invalid_rrule"));
        assert_eq!(code("FREQ=WEEKLY;COUNT=2;BYDAY=€", "2026-12-02T14:00"), Some("invalid_rrule"));
        assert_eq!(code("FREQ=DAILY;COUNT=2;UNTIL=20270101", "2026-12-02T14:00"), Some("invalid_rrule"));
        assert_eq!(code("FREQ=DAILY;COUNT=0", "2026-12-02T14:00"), Some("invalid_rrule"));
        assert_eq!(code("FREQ=MONTHLY;BYDAY=6MO;COUNT=2", "2026-12-02T14:00"), Some("invalid_rrule"));
        assert_eq!(code("FREQ=MONTHLY;BYMONTHDAY=30;BYDAY=1MO;COUNT=2", "2026-12-02T14:00"), Some("unsupported_rrule"));
        assert_eq!(code("FREQ=DAILY;COUNT=400", "2026-12-02T14:00"), Some("too_many_occurrences"));
        assert_eq!(code("FREQ=DAILY;UNTIL=20261101", "2026-12-02T14:00"), Some("until_before_start"));
        // The 2nd of December 2026 is a Wednesday.
        assert_eq!(code("FREQ=WEEKLY;BYDAY=MO;COUNT=2", "2026-12-02T14:00"), Some("start_not_in_rule"));
        assert_eq!(code("FREQ=MONTHLY;BYDAY=1MO;COUNT=2", "2026-12-02T14:00"), Some("start_not_in_rule"));
        // February never has a 30th: the rule can never match, and the bound stops the search.
        assert_eq!(
            code("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30;COUNT=2", "2027-02-01T14:00"),
            Some("start_not_in_rule")
        );
    }

    #[test]
    fn a_utc_until_is_read_as_the_local_date_it_falls_on() {
        // 23:30 UTC on 15 December is already the 16th in Nairobi (UTC+3).
        let nairobi = |t: NaiveDateTime| (t + chrono::Duration::hours(3)).date();
        let rule = Rule::parse("FREQ=DAILY;UNTIL=20261215T233000Z", &nairobi).ok();
        assert_eq!(rule.map(|r| r.end), Some(End::Until(NaiveDate::from_ymd_opt(2026, 12, 16).unwrap_or_default())));
    }
}
