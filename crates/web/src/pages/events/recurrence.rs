//! The "Repeats" part of the event form: how often, every how many, which days, and
//! when the series ends, made into a rule (see `rule`) when the form is sent.

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;

use super::rule::{DAY_CODES, Frequency, MonthlyBy, Rule, position_of, position_text, weekday_name};
use crate::components::field::CheckboxField;
use crate::i18n::{self, Msg, t};

/// How a series ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ending {
    #[default]
    Count,
    Until,
}

/// The "Repeats" part of the event form.
#[derive(Clone, Copy)]
pub struct Repeat {
    frequency: RwSignal<Frequency>,
    interval: RwSignal<String>,
    days: RwSignal<[bool; 7]>,
    monthly_by: RwSignal<MonthlyBy>,
    ending: RwSignal<Ending>,
    count: RwSignal<String>,
    until: RwSignal<String>,
}

impl Repeat {
    /// The form's state for an event's rule (or a one-off event).
    pub fn new(rule: Option<&str>, zone: &str) -> Self {
        let rule = rule.map(|text| Rule::parse(text, zone)).unwrap_or(Rule { interval: 1, ..Rule::default() });
        Repeat {
            frequency: RwSignal::new(rule.frequency),
            interval: RwSignal::new(rule.interval.to_string()),
            days: RwSignal::new(rule.days),
            monthly_by: RwSignal::new(rule.monthly_by),
            ending: RwSignal::new(if rule.until.is_some() { Ending::Until } else { Ending::Count }),
            count: RwSignal::new(rule.count.unwrap_or(10).to_string()),
            until: RwSignal::new(rule.until.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()),
        }
    }

    /// Whether the event repeats (tracked).
    pub fn repeats(self) -> bool {
        self.frequency.get() != Frequency::Never
    }

    /// The RRULE for a series starting on `start` in `zone` (`None` for a one-off
    /// event), or what is wrong with the choices.
    pub fn rrule(self, start: NaiveDate, zone: &str) -> Result<Option<String>, Msg> {
        let frequency = self.frequency.get_untracked();
        if frequency == Frequency::Never {
            return Ok(None);
        }
        let interval = self.interval.get_untracked().trim().parse::<u32>().ok().filter(|n| (1..=99).contains(n));
        let interval = interval.ok_or(Msg::IntervalInvalid)?;
        let (count, until) = match self.ending.get_untracked() {
            Ending::Count => {
                let count = self.count.get_untracked().trim().parse::<u32>().ok().filter(|n| (1..=366).contains(n));
                (Some(count.ok_or(Msg::CountInvalid)?), None)
            }
            Ending::Until => {
                let until = NaiveDate::parse_from_str(self.until.get_untracked().trim(), "%Y-%m-%d").ok();
                (None, Some(until.filter(|d| *d >= start).ok_or(Msg::UntilInvalid)?))
            }
        };
        let rule = Rule {
            frequency,
            interval,
            days: self.days.get_untracked(),
            monthly_by: self.monthly_by.get_untracked(),
            count,
            until,
            ..Rule::default()
        };
        Ok(rule.to_rrule(start, zone))
    }
}

/// A radio button with its label.
fn radio(name: &'static str, id: String, label: String, checked: Signal<bool>, on: Callback<()>) -> impl IntoView {
    view! {
        <label class="radio">
            <input type="radio" name=name id=id prop:checked=checked on:change=move |_| on.run(())/>
            " " {label}
        </label>
    }
}

/// The fields: how often, every how many, which days, and when the series ends.
/// `start` is the chosen start date (monthly choices are worded from it).
pub fn repeat_fields(r: Repeat, start: Signal<Option<NaiveDate>>, error: Signal<Option<String>>) -> impl IntoView {
    let frequency = r.frequency;
    let unit = move || {
        t(match frequency.get() {
            Frequency::Daily => Msg::IntervalDays,
            Frequency::Weekly => Msg::IntervalWeeks,
            _ => Msg::IntervalMonths,
        })
    };
    let weekly = move || {
        (frequency.get() == Frequency::Weekly).then(|| {
            let boxes = (0..7)
                .map(|i| {
                    let id = format!("event-day-{}", DAY_CODES[i].to_ascii_lowercase());
                    let checked = Signal::derive(move || r.days.with(|d| d[i]));
                    let on_change = Callback::new(move |on| r.days.update(|d| d[i] = on));
                    view! { <CheckboxField id=id label=weekday_name(i, "long") checked=checked on_change=on_change/> }
                })
                .collect_view();
            view! {
                <fieldset class="plain weekdays">
                    <legend>{t(Msg::RepeatOnDays)}</legend>
                    {boxes}
                </fieldset>
            }
        })
    };
    let monthly = move || {
        (frequency.get() == Frequency::Monthly).then(|| {
            let Some(day) = start.get() else {
                return view! { <p class="hint">{t(Msg::ChooseStartFirst)}</p> }.into_any();
            };
            let weekday = day.weekday().num_days_from_monday() as usize;
            let (nth, is_last) = position_of(day);
            let mut choices = vec![(MonthlyBy::Date, i18n::fill(Msg::OnMonthDay, &[("n", &day.day().to_string())]))];
            if nth <= 4 {
                choices.push((MonthlyBy::Weekday, position_text(nth, weekday)));
            }
            if is_last {
                choices.push((MonthlyBy::LastWeekday, position_text(-1, weekday)));
            }
            let radios = choices
                .into_iter()
                .map(|(by, label)| {
                    let id = format!("event-monthly-{by:?}").to_ascii_lowercase();
                    let checked = Signal::derive(move || r.monthly_by.get() == by);
                    radio("event-monthly", id, label, checked, Callback::new(move |_| r.monthly_by.set(by)))
                })
                .collect_view();
            view! {
                <fieldset class="plain">
                    <legend>{t(Msg::RepeatMonthlyOn)}</legend>
                    {radios}
                </fieldset>
            }
            .into_any()
        })
    };
    let ending = move || {
        (frequency.get() != Frequency::Never).then(|| {
            let is = move |e: Ending| Signal::derive(move || r.ending.get() == e);
            view! {
                <fieldset class="plain ending">
                    <legend>{t(Msg::RepeatEnds)}</legend>
                    <div class="row-inline">
                        {radio("event-ending", "event-ends-count".into(), t(Msg::EndsAfter).into(), is(Ending::Count), Callback::new(move |_| r.ending.set(Ending::Count)))}
                        <input
                            id="event-count"
                            type="number"
                            min="1"
                            max="366"
                            aria-label=t(Msg::OccurrencesCount)
                            prop:value=move || r.count.get()
                            on:input=move |ev| {
                                r.count.set(event_target_value(&ev));
                                r.ending.set(Ending::Count);
                            }
                        />
                        <span>{t(Msg::Occurrences)}</span>
                    </div>
                    <div class="row-inline">
                        {radio("event-ending", "event-ends-until".into(), t(Msg::EndsOn).into(), is(Ending::Until), Callback::new(move |_| r.ending.set(Ending::Until)))}
                        <input
                            id="event-until"
                            type="date"
                            aria-label=t(Msg::LastDate)
                            prop:value=move || r.until.get()
                            on:input=move |ev| {
                                r.until.set(event_target_value(&ev));
                                r.ending.set(Ending::Until);
                            }
                        />
                    </div>
                </fieldset>
            }
        })
    };
    view! {
        <fieldset class="rows recurrence">
            <legend>{t(Msg::Repetition)}</legend>
            <div class="field">
                <label for="event-repeat">{t(Msg::Repeats)}</label>
                <select
                    id="event-repeat"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        frequency.set(Frequency::ALL.into_iter().find(|f| f.as_str() == value).unwrap_or_default());
                    }
                >
                    {Frequency::ALL
                        .into_iter()
                        .map(|f| view! { <option value=f.as_str() prop:selected=move || frequency.get() == f>{f.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            {move || (frequency.get() != Frequency::Never).then(|| view! {
                <div class="field row-inline interval">
                    <label for="event-interval">{unit}</label>
                    <input
                        id="event-interval"
                        type="number"
                        min="1"
                        max="99"
                        prop:value=move || r.interval.get()
                        on:input=move |ev| r.interval.set(event_target_value(&ev))
                    />
                </div>
            })}
            {weekly}
            {monthly}
            {ending}
            {move || error.get().map(|m| view! { <p class="field-error" id="event-repeat-error">{m}</p> })}
        </fieldset>
    }
}
