//! `copse seed-demo`: a believable demo community. Each feature adds its content here;
//! for now, the community's settings and its members. Running it twice changes nothing.

use chrono::{Duration, Utc};
use copse_shared::auth::{AccountStatus, Role};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use uuid::Uuid;

use crate::auth::password;
use crate::entities::{community_settings, user};
use crate::error::ApiError;
use crate::services::{accounts, community};

/// The password every demo account shares (printed by the command; demo only).
pub const DEMO_PASSWORD: &str = "copse-demo-2026";

const MEMBERS: &[(&str, &str, Role)] = &[
    ("Demo Admin", "admin@demo.copse.community", Role::Admin),
    ("Amina Diallo", "amina.diallo@demo.copse.community", Role::Facilitator),
    ("Carlos Mendoza", "carlos.mendoza@demo.copse.community", Role::Facilitator),
    ("Priya Raman", "priya.raman@demo.copse.community", Role::Member),
    ("Johannes Berg", "johannes.berg@demo.copse.community", Role::Member),
    ("Wanjiru Kamau", "wanjiru.kamau@demo.copse.community", Role::Member),
    ("Nguyen Thi Lan", "nguyen.lan@demo.copse.community", Role::Member),
    ("Fatima El Amrani", "fatima.elamrani@demo.copse.community", Role::Member),
    ("Lucía Fernández", "lucia.fernandez@demo.copse.community", Role::Member),
    ("Oluwaseun Adeyemi", "seun.adeyemi@demo.copse.community", Role::Member),
    ("Marie Dubois", "marie.dubois@demo.copse.community", Role::Member),
    ("Rahul Verma", "rahul.verma@demo.copse.community", Role::Member),
    ("Sofia Rossi", "sofia.rossi@demo.copse.community", Role::Member),
    ("Tomás Quispe", "tomas.quispe@demo.copse.community", Role::Member),
];

/// Seeds the demo community and returns a short report.
pub async fn demo(db: &DatabaseConnection) -> Result<String, ApiError> {
    let settings = community::load(db).await?;
    if settings.name == "Copse" {
        let mut active: community_settings::ActiveModel = settings.into();
        active.name = Set("Rural Advisory Practitioners".to_owned());
        active.tagline = Set("Extension agents, researchers and facilitators learning from each other".to_owned());
        active.updated_at = Set(Utc::now());
        active.update(db).await?;
    }
    // One hash for all demo accounts: seeding stays fast, and they share a password anyway.
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut created = 0;
    let now = Utc::now();
    for (index, (name, email, role)) in MEMBERS.iter().enumerate() {
        if accounts::find_by_email(db, email).await?.is_some() {
            continue;
        }
        // Spread sign-up dates over the past year so lists look lived-in.
        let joined = now - Duration::days(365 - (index as i64) * 25);
        user::ActiveModel {
            id: Set(Uuid::new_v4().to_string()),
            email: Set((*email).to_owned()),
            display_name: Set((*name).to_owned()),
            password_hash: Set(hash.clone()),
            role: Set(role.as_str().to_owned()),
            status: Set(AccountStatus::Active.as_str().to_owned()),
            created_at: Set(joined),
            updated_at: Set(joined),
        }
        .insert(db)
        .await?;
        created += 1;
    }
    Ok(format!(
        "copse: demo community ready ({created} new members of {}); sign in as {} with the password {DEMO_PASSWORD}",
        MEMBERS.len(),
        MEMBERS[0].1
    ))
}
