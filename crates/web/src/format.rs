//! Dates and times in the viewer's own locale and time zone, using the browser's Intl.

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;

fn locale() -> String {
    web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_else(|| "en".to_owned())
}

/// A calendar date such as "22 November 2026" or "11/22/2026", as the viewer expects.
pub fn date(at: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    date.to_locale_date_string(&locale(), &options).into()
}

/// A date and time such as "22 Nov 2026, 10:00", as the viewer expects.
pub fn date_time(at: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(&locale(), &options).into()
}

/// The machine-readable form for a `<time datetime=...>` attribute.
pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
