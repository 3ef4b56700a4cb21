//! The demo organisation the quick start runs: people, links and a fresh enrolment code.

use std::path::Path;

use chrono::{Datelike, Duration};
use shared_model::{secret_hash, Personnummer, Role};
use uuid::Uuid;

use crate::api::enrolment::new_code;
use crate::config::Settings;
use crate::crypto;
use crate::state::AppState;
use crate::store::timesheet::{self, AssignmentRow, WorkModelRow};
use crate::store::{enrolment, links as store_links, organisations, people, ChangedBy, NewEnrolmentCode, NewLink, NewPerson, StoreError};
use crate::StartError;

/// Name of the project-based demo organisation (a consultancy: staff stamp on project ·
/// account links).
pub const DEMO_ORG: &str = "Demo AB";
/// Name of the restaurant demo (links not required: staff just stamp in and out).
pub const DEMO_RESTAURANT: &str = "Restaurang Smaka";
/// Password of the demo's web users.
pub const DEMO_PASSWORD: &str = "stampclock-demo";
/// Where the restaurant's fresh enrolment code is written (the project demo's goes to
/// `demo-enrolment-code.txt`).
pub const RESTAURANT_CODE_FILE: &str = "demo-restaurant-enrolment-code.txt";

/// What the demo made, to print.
pub struct Demo {
    /// A fresh code of the project-based organisation.
    pub enrolment_code: String,
    /// A fresh code of the restaurant.
    pub restaurant_code: String,
    pub created: bool,
}

struct DemoPerson {
    number: &'static str,
    name: &'static str,
    role: Role,
    username: Option<&'static str>,
    pin: &'static str,
    personnummer: Option<&'static str>,
}

/// One demo organisation.
struct DemoOrg {
    name: &'static str,
    links_required: bool,
    people: &'static [DemoPerson],
    links: &'static [(&'static str, &'static str)],
    /// The links the `i`-th person may stamp on, out of the organisation's.
    links_of: fn(usize, &[Uuid]) -> Vec<Uuid>,
    code_file: &'static str,
    /// What the tablet enrolled with the demo code is called; `None`: unnamed until an admin
    /// names it (the project demo, whose code the browser tests enrol with).
    tablet_name: Option<&'static str>,
}

const PROJECTS: DemoOrg = DemoOrg {
    name: DEMO_ORG,
    links_required: true,
    people: &[
        DemoPerson { number: "1", name: "Astrid Admin", role: Role::Admin, username: Some("admin"), pin: "1000", personnummer: Some("19811218-9876") },
        DemoPerson { number: "2", name: "Magnus Manager", role: Role::Manager, username: Some("manager"), pin: "2000", personnummer: Some("19640823-3234") },
        DemoPerson { number: "101", name: "Anna Andersson", role: Role::Employee, username: Some("anna"), pin: "1111", personnummer: None },
        DemoPerson { number: "102", name: "Björn Berg", role: Role::Employee, username: None, pin: "2222", personnummer: None },
        DemoPerson { number: "103", name: "Clara Dahl", role: Role::TeamLead, username: None, pin: "3333", personnummer: None },
        DemoPerson { number: "104", name: "David Ek", role: Role::Employee, username: None, pin: "4444", personnummer: None },
    ],
    links: &[
        ("Kundprojekt Alfa", "Montage"),
        ("Kundprojekt Alfa", "Resa"),
        ("Service", "Jour"),
        ("Intern", "Administration"),
        ("Intern", "Utbildning"),
    ],
    // Everyone may stamp on the projects; the first two also on the internal accounts.
    links_of: |i, links| if i < 2 { links.to_vec() } else { links[..3].to_vec() },
    code_file: "demo-enrolment-code.txt",
    tablet_name: None,
};

/// The customer seed 000 is written for: a restaurant whose staff stamp in and out at the
/// entrance without choosing anything.
const RESTAURANT: DemoOrg = DemoOrg {
    name: DEMO_RESTAURANT,
    links_required: false,
    people: &[
        DemoPerson { number: "1", name: "Karin Krögare", role: Role::Admin, username: Some("smaka"), pin: "1000", personnummer: Some("19870412-1287") },
        DemoPerson { number: "2", name: "Sami Köksmästare", role: Role::Manager, username: Some("smaka-kok"), pin: "2000", personnummer: Some("19910704-3243") },
        DemoPerson { number: "11", name: "Sara Lind", role: Role::Employee, username: Some("sara"), pin: "1111", personnummer: None },
        DemoPerson { number: "12", name: "Omar Haddad", role: Role::Employee, username: None, pin: "1212", personnummer: None },
        DemoPerson { number: "13", name: "Lina Nyström", role: Role::Employee, username: None, pin: "1313", personnummer: None },
        DemoPerson { number: "14", name: "Jonas Åberg", role: Role::TeamLead, username: None, pin: "1414", personnummer: None },
    ],
    links: &[],
    links_of: |_, _| Vec::new(),
    code_file: RESTAURANT_CODE_FILE,
    tablet_name: Some("Entré"),
};

/// Creates the demo organisations once (a project-based one and a restaurant); on every call
/// issues a new enrolment code of each, valid a week, and writes them to
/// `<data_dir>/demo-enrolment-code.txt` and `<data_dir>/demo-restaurant-enrolment-code.txt` for
/// the run script.
pub async fn fill(state: &AppState, data_dir: &Path) -> Result<Demo, StartError> {
    crate::files::private_dir(data_dir)?;
    let (enrolment_code, created) = fill_org(state, data_dir, &PROJECTS).await?;
    let (restaurant_code, restaurant_created) = fill_org(state, data_dir, &RESTAURANT).await?;
    Ok(Demo { enrolment_code, restaurant_code, created: created || restaurant_created })
}

async fn fill_org(state: &AppState, data_dir: &Path, spec: &DemoOrg) -> Result<(String, bool), StartError> {
    let now = state.clock.now();
    // The organisation, its links and its work model in one transaction: a demo is created
    // completely or not at all (the people follow one transaction each).
    let mut tx = state.store.begin().await?;
    let (org, created) = match organisations::find(&mut tx, spec.name).await? {
        Some(org) => (org, false),
        None => (organisations::create(&mut tx, spec.name, "Europe/Stockholm", now).await?, true),
    };
    let mut admin_id = None;
    if created {
        if !spec.links_required {
            organisations::set_links_required(&mut tx, org.id, false).await?;
        }
        let mut links = Vec::new();
        for (project, account) in spec.links {
            let link = NewLink { id: Uuid::now_v7(), project: (*project).into(), account: (*account).into(), active: true };
            links.push(store_links::create(&mut tx, org.id, &link, now).await?.id);
        }
        let today = now.with_timezone(&org.tz()?).date_naive();
        // A full-time model (B1) for everyone from the first of this month, so the timesheets
        // and the tablet's week show Soll and flex from the start.
        let model = WorkModelRow {
            id: Uuid::now_v7(),
            name: "Heltid 40 h".into(),
            mon_min: 480,
            tue_min: 480,
            wed_min: 480,
            thu_min: 480,
            fri_min: 480,
            sat_min: 0,
            sun_min: 0,
        };
        timesheet::save_work_model(&mut tx, org.id, &model, true, now).await?;
        tx.commit().await?;
        let month_start = today.with_day(1).unwrap_or(today);
        for (i, p) in spec.people.iter().enumerate() {
            let pnr = p
                .personnummer
                .map(|s| Personnummer::parse(s, today))
                .transpose()
                .map_err(|e| StartError::Config(e.to_string()))?;
            let person = NewPerson {
                id: Uuid::now_v7(),
                organisation_id: org.id,
                number: Some(p.number.into()),
                name: p.name.into(),
                role: p.role,
                username: p.username.map(str::to_owned),
                password_hash: p
                    .username
                    .map(|_| secret_hash::hash(DEMO_PASSWORD, &crypto::random_bytes(16), secret_hash::PASSWORD_ITERATIONS)),
                pin_hash: Some(secret_hash::hash(p.pin, &crypto::random_bytes(16), secret_hash::PIN_ITERATIONS)),
                personnummer_hmac: pnr.as_ref().map(|x| state.personnummer_key.hash(x)),
                personnummer_last4: pnr.as_ref().map(|x| x.last4().to_owned()),
                active: true,
            };
            let mut tx = state.store.begin().await?;
            let stored = people::create(&mut tx, &person, &ChangedBy::default(), now).await?;
            let assignment = AssignmentRow {
                valid_from: month_start,
                work_model_id: model.id,
                flex_model: "accumulating".into(),
                flex_opening_min: 0,
                vacation_centidays: Some(2500),
            };
            timesheet::put_assignment(&mut tx, org.id, stored.id, &assignment, stored.id, now).await?;
            if p.role == Role::Admin {
                admin_id = Some(stored.id);
            }
            let mine = (spec.links_of)(i, &links);
            if !mine.is_empty() {
                people::set_links(&mut tx, org.id, stored.id, &mine).await?;
            }
            tx.commit().await?;
        }
        tx = state.store.begin().await?;
    } else if let Some(admin) = spec.people.iter().find(|p| p.role == Role::Admin).and_then(|p| p.username) {
        if let Some((p, _)) = people::login_candidate(&mut tx, admin).await? {
            admin_id = Some(p.id);
        }
    }
    let code = new_code();
    let new_code = NewEnrolmentCode {
        code_hash: crypto::sha256_hex(&crate::api::device::normalise_code(&code)),
        organisation_id: org.id,
        created_by: admin_id,
        created_at: now,
        expires_at: now + Duration::days(7),
        device_name: spec.tablet_name.map(str::to_owned),
    };
    enrolment::create_code(&mut tx, &new_code).await.map_err(|e: StoreError| StartError::Store(e))?;
    tx.commit().await?;
    crate::files::write_private(&data_dir.join(spec.code_file), code.as_bytes())?;
    Ok((code, created))
}

impl Demo {
    /// How to log in and enrol, for the terminal.
    pub fn instructions(&self, settings: &Settings) -> String {
        let mut s = String::new();
        s.push_str(if self.created {
            "Demo organisations \"Restaurang Smaka\" and \"Demo AB\" created.\n"
        } else {
            "Demo organisations \"Restaurang Smaka\" and \"Demo AB\" already present.\n"
        });
        s.push_str(&format!("  Admin UI: http://{}/\n", settings.listen));
        s.push_str(&format!("  {DEMO_RESTAURANT} (a restaurant: staff stamp in and out, no projects)\n"));
        s.push_str(&format!("    web:            smaka / {DEMO_PASSWORD} (admin), smaka-kok (manager), sara (employee)\n"));
        s.push_str(&format!("    enrolment code: {} (valid 7 days)\n", self.restaurant_code));
        s.push_str("    kiosk staff:    11/1111 Sara, 12/1212 Omar, 13/1313 Lina, 14/1414 Jonas\n");
        s.push_str("    uninstall a tablet with the admin's personnummer 19870412-1287 (test number)\n");
        s.push_str(&format!("  {DEMO_ORG} (project-based: staff stamp on project · account)\n"));
        s.push_str(&format!("    web:            admin / {DEMO_PASSWORD}, manager, anna (employee)\n"));
        s.push_str(&format!("    enrolment code: {} (valid 7 days)\n", self.enrolment_code));
        s.push_str("    kiosk staff:    101/1111 Anna, 102/2222 Björn, 103/3333 Clara, 104/4444 David\n");
        s.push_str("    uninstall a tablet with the admin's personnummer 19811218-9876 (test number)\n");
        s
    }
}
