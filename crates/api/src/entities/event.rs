//! An event series (a one-off event is a series of one): details, the organiser's local
//! times and time zone, the recurrence rule, and the first start and last end in UTC.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub group_id: Option<String>,
    pub creator_id: Option<String>,
    pub title: String,
    pub description: String,
    pub description_html: String,
    pub format: String,
    pub time_zone: String,
    pub all_day: bool,
    pub local_start: String,
    pub local_end: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub recurrence: Option<String>,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    pub link_for_going_only: bool,
    pub capacity: Option<i32>,
    pub rsvp_deadline: Option<DateTimeUtc>,
    pub attendees_public: bool,
    pub reminders: String,
    pub series_end: DateTimeUtc,
    pub sequence: i32,
    pub cancelled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
