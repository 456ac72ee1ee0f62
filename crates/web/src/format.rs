//! Dates and times in the viewer's own locale and time zone, using the browser's Intl.
//! The browser already carries the time-zone database, so converting between an
//! organiser's zone, the viewer's zone and UTC costs the wasm nothing (chrono-tz would
//! add its whole database to the download).

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn locale() -> String {
    web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_else(|| "en".to_owned())
}

fn js_date(at: DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64))
}

/// An `Intl.DateTimeFormat` for `locale` with `options`, in `zone` (the viewer's when
/// absent). Built through `Reflect` so that a zone this browser does not know gives
/// `None` instead of an exception that would stop the app.
fn formatter(locale: &str, options: &[(&str, &str)], zone: Option<&str>) -> Option<js_sys::Intl::DateTimeFormat> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: js_sys::Function = Reflect::get(&intl, &"DateTimeFormat".into()).ok()?.dyn_into().ok()?;
    let settings = Object::new();
    for (key, value) in options {
        let _ = Reflect::set(&settings, &(*key).into(), &(*value).into());
    }
    if let Some(zone) = zone {
        let _ = Reflect::set(&settings, &"timeZone".into(), &zone.into());
    }
    let locales = Array::of1(&locale.into());
    Reflect::construct(&constructor, &Array::of2(&locales, &settings)).ok().map(JsCast::unchecked_into)
}

/// `at` written with Intl `options` in `zone` (the viewer's when absent).
fn written(at: DateTime<Utc>, options: &[(&str, &str)], zone: Option<&str>) -> String {
    formatter(&locale(), options, zone)
        .and_then(|f| f.format().apply(&JsValue::UNDEFINED, &Array::of1(&js_date(at))).ok())
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| iso(at))
}

/// A calendar date such as "22 November 2026" or "11/22/2026", as the viewer expects.
pub fn date(at: DateTime<Utc>) -> String {
    written(at, &[("dateStyle", "long")], None)
}

/// A date and time such as "22 Nov 2026, 10:00", as the viewer expects.
pub fn date_time(at: DateTime<Utc>) -> String {
    written(at, &[("dateStyle", "medium"), ("timeStyle", "short")], None)
}

/// A time of day such as "14:00" or "2:00 PM", in the viewer's zone.
pub fn time(at: DateTime<Utc>) -> String {
    written(at, &[("timeStyle", "short")], None)
}

/// The machine-readable form for a `<time datetime=...>` attribute.
pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// From `start` to `end` written with Intl `options` in `zone` (the viewer's when
/// absent), as briefly as the viewer's locale allows: Intl leaves out what both share.
fn written_range(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    options: &[(&str, &str)],
    zone: Option<&str>,
) -> Option<String> {
    formatter(&locale(), options, zone)
        .and_then(|f| f.format_range(&js_date(start), &js_date(end)).ok())
        .and_then(|text| text.as_string())
}

/// From `start` to `end` as briefly as the viewer's locale allows ("Thu 3 Dec 2026,
/// 14:00–15:30"), in `zone` (the viewer's when absent).
pub fn range(start: DateTime<Utc>, end: DateTime<Utc>, zone: Option<&str>) -> String {
    written_range(start, end, &[("dateStyle", "full"), ("timeStyle", "short")], zone)
        .unwrap_or_else(|| format!("{} – {}", date_time(start), date_time(end)))
}

/// From `start` to `end` as times of day in the viewer's zone ("14:00–15:30"); Intl
/// adds the dates when the two fall on different days.
pub fn time_range(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    written_range(start, end, &[("timeStyle", "short")], None)
        .unwrap_or_else(|| format!("{}–{}", time(start), time(end)))
}

/// Noon UTC of `day`: written in UTC, it names the same day wherever the viewer is.
fn noon(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}

/// From `first` to `last` (whole days) as briefly as the viewer's locale allows.
pub fn day_range(first: NaiveDate, last: NaiveDate) -> String {
    written_range(noon(first), noon(last), &[("dateStyle", "full")], Some("UTC"))
        .unwrap_or_else(|| format!("{first} – {last}"))
}

/// A week's days without their weekdays ("18–24 January 2027").
pub fn week_title(first: NaiveDate, last: NaiveDate) -> String {
    written_range(noon(first), noon(last), &[("day", "numeric"), ("month", "long"), ("year", "numeric")], Some("UTC"))
        .unwrap_or_else(|| format!("{first} – {last}"))
}

/// A day named in full without its year ("Monday 18 January").
pub fn day_title(day: NaiveDate) -> String {
    written(noon(day), &[("weekday", "long"), ("day", "numeric"), ("month", "long")], Some("UTC"))
}

/// A month's name and year, such as "December 2026".
pub fn month_title(first: NaiveDate) -> String {
    written(noon(first), &[("month", "long"), ("year", "numeric")], Some("UTC"))
}

/// The weekday of `day` in `width` ("short": "Mon", "long": "Monday").
pub fn weekday(day: NaiveDate, width: &str) -> String {
    written(noon(day), &[("weekday", width)], Some("UTC"))
}

/// The wall-clock time at `at` in `zone` (the viewer's when absent).
pub fn wall_clock(at: DateTime<Utc>, zone: Option<&str>) -> Option<NaiveDateTime> {
    let Some(zone) = zone else {
        let d = js_date(at);
        return NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())?.and_hms_opt(
            d.get_hours(),
            d.get_minutes(),
            d.get_seconds(),
        );
    };
    let numeric = [
        ("year", "numeric"),
        ("month", "numeric"),
        ("day", "numeric"),
        ("hour", "numeric"),
        ("minute", "numeric"),
        ("second", "numeric"),
        ("hourCycle", "h23"),
    ];
    let parts = formatter("en-US", &numeric, Some(zone))?.format_to_parts(&js_date(at));
    let mut values = [0_u32; 6];
    for part in parts.iter() {
        let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        let slot = ["year", "month", "day", "hour", "minute", "second"].iter().position(|k| *k == kind);
        if let Some(slot) = slot {
            values[slot] = Reflect::get(&part, &"value".into()).ok()?.as_string()?.parse().ok()?;
        }
    }
    let [year, month, day, hour, minute, second] = values;
    // Some engines write midnight as 24 even with h23.
    NaiveDate::from_ymd_opt(year as i32, month, day)?.and_hms_opt(hour % 24, minute, second)
}

/// The instant when clocks in `zone` show `local` (the viewer's zone when absent).
pub fn instant(local: NaiveDateTime, zone: Option<&str>) -> Option<DateTime<Utc>> {
    let Some(zone) = zone else {
        let d = js_sys::Date::new_with_year_month_day_hr_min_sec(
            local.year() as u32,
            local.month0() as i32,
            local.day() as i32,
            local.hour() as i32,
            local.minute() as i32,
            local.second() as i32,
        );
        return DateTime::from_timestamp_millis(d.get_time() as i64);
    };
    // The zone's offset is read twice: at the first guess and again at the corrected
    // instant, which settles on the right side of a daylight-saving change.
    let offset = |at: DateTime<Utc>| wall_clock(at, Some(zone)).map(|seen| seen - at.naive_utc());
    let first = local.and_utc() - offset(local.and_utc())?;
    Some(local.and_utc() - offset(first)?)
}

/// Today's date where the viewer is.
pub fn today() -> NaiveDate {
    wall_clock(Utc::now(), None).map(|t| t.date()).unwrap_or_else(|| Utc::now().date_naive())
}

/// The viewer's IANA time zone, such as `Europe/Paris`.
pub fn browser_zone() -> String {
    formatter(&locale(), &[], None)
        .and_then(|f| Reflect::get(&f.resolved_options(), &"timeZone".into()).ok())
        .and_then(|zone| zone.as_string())
        .unwrap_or_else(|| "UTC".to_owned())
}

/// Every IANA time zone this browser knows (`Intl.supportedValuesOf`), with the
/// viewer's own and UTC always present; older browsers give just those two.
pub fn time_zones() -> Vec<String> {
    let mut zones: Vec<String> = Reflect::get(&js_sys::global(), &"Intl".into())
        .and_then(|intl| Reflect::get(&intl, &"supportedValuesOf".into()))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.apply(&JsValue::UNDEFINED, &Array::of1(&"timeZone".into())).ok())
        .and_then(|list| list.dyn_into::<Array>().ok())
        .map(|list| list.iter().filter_map(|zone| zone.as_string()).collect())
        .unwrap_or_default();
    for zone in [browser_zone(), "UTC".to_owned()] {
        if !zones.contains(&zone) {
            zones.push(zone);
        }
    }
    zones.sort();
    zones
}
