//! Seeding the demo center. Idempotent: a row that exists (same id, user
//! name, extension or phone) is left as it is, so running the seed again
//! creates nothing and keeps any changes made since.

use crate::demo_data::{self as d, AGENTS, REASON_CODES, SKILLS, USERS, WRAP_UP_CODES};
use crate::error::{Result, StoreError};
use crate::{
    now_ms, Agent, AgentSkill, Customer, NewUser, ReasonCode, SeedReport, Skill, Store, WrapUpCode,
};

/// The demo center's IVR flow: opening hours, a customer lookup by caller
/// number, language choice, 1 售前, 2 售后 (1 order status looked up in the
/// demo shop, 2 address change to an agent), 3 VIP (VIP customers only),
/// 0 an agent, and voicemail after hours. Prompts are `tts:<voice>:<text>`.
pub const DEMO_FLOW: &str = include_str!("demo_ivr.json");
pub const DEMO_FLOW_ID: &str = "demo";
pub const DEMO_IVR_NUMBER: &str = "1000";
/// The post-call survey of the `support` queue ("press 1 to 5").
pub const DEMO_SURVEY: &str = include_str!("demo_survey.json");
pub use crate::demo_data::DEMO_SURVEY_ID;

impl SeedReport {
    /// Counts the outcome of one insert: done, or already there.
    fn record(&mut self, outcome: Result<()>) -> Result<()> {
        match outcome {
            Ok(()) => self.created += 1,
            Err(StoreError::Conflict { .. }) => self.skipped += 1,
            Err(e) => return Err(e),
        }
        Ok(())
    }

    fn found(&mut self, exists: bool) -> bool {
        if exists {
            self.skipped += 1;
        }
        !exists
    }
}

impl Store {
    /// Creates the demo center in tenant `default` ("Hotline 演示中心"):
    /// skills and languages, the queues 售前咨询 `sales`, 售后服务 `support`
    /// and VIP专线 `vip`, agents 8001–8006, users `agent1`…`agent6`,
    /// `supervisor`, `admin`, `qa` and `auditor` (all with
    /// `demo_password_hash`), reason and wrap-up codes and 50 customers.
    /// Safe to repeat: the report of a second run has `created == 0`.
    pub async fn seed_demo(&self, demo_password_hash: &str) -> Result<SeedReport> {
        let mut report = SeedReport::default();
        let now = now_ms();
        if self
            .ensure_tenant_created(d::TENANT, d::TENANT_NAME)
            .await?
        {
            report.created += 1;
        } else {
            report.skipped += 1;
        }
        let t = self.tenant(d::TENANT);

        for (id, name, kind) in SKILLS {
            let skill = Skill {
                id: (*id).into(),
                name: (*name).into(),
                kind: (*kind).into(),
                created_at: now,
            };
            report.record(t.insert_skill(&skill).await)?;
        }
        for q in d::queues(now) {
            report.record(t.insert_queue(&q).await)?;
        }
        for a in AGENTS {
            let agent = Agent {
                id: uuid::Uuid::now_v7().to_string(),
                extension: a.extension.into(),
                name: a.name.into(),
                skills: a
                    .skills
                    .iter()
                    .map(|(s, l)| AgentSkill {
                        skill: (*s).into(),
                        level: *l,
                    })
                    .collect(),
                languages: a.languages.iter().map(|l| (*l).to_owned()).collect(),
                queues: a.queues.iter().map(|q| (*q).to_owned()).collect(),
                capacity: d::CAPACITY,
                enabled: true,
                created_at: now,
                updated_at: now,
            };
            report.record(t.insert_agent(&agent).await)?;
        }
        for (username, display_name, role, extension) in USERS {
            let agent_id = match extension {
                Some(ext) => t.agent_by_extension(ext).await?.map(|a| a.id),
                None => None,
            };
            let user = NewUser {
                username: (*username).into(),
                display_name: (*display_name).into(),
                password_hash: demo_password_hash.into(),
                roles: vec![(*role).into()],
                agent_id,
            };
            report.record(t.create_user(user).await.map(|_| ()))?;
        }

        let reasons = t.list_reason_codes().await?;
        for (id, label, paid) in REASON_CODES {
            if report.found(reasons.iter().any(|r| r.id == *id)) {
                let code = ReasonCode {
                    id: (*id).into(),
                    label: (*label).into(),
                    paid: *paid,
                };
                report.record(t.upsert_reason_code(&code).await)?;
            }
        }
        let wrap_ups = t.list_wrap_up_codes().await?;
        for (id, label, category) in WRAP_UP_CODES {
            if report.found(wrap_ups.iter().any(|w| w.id == *id)) {
                let code = WrapUpCode {
                    id: (*id).into(),
                    label: (*label).into(),
                    category: (*category).into(),
                };
                report.record(t.upsert_wrap_up_code(&code).await)?;
            }
        }

        let (id, name, schedule) = d::CALENDAR;
        if report.found(t.calendar(id).await?.is_some()) {
            let c = crate::Calendar { id: id.into(), name: name.into(), schedule: schedule.into(), updated_at: now, updated_by: Some("demo".into()) };
            report.record(t.put_calendar(&c).await)?;
        }
        let teams = t.list_teams().await?;
        for (id, name, extensions) in d::TEAMS {
            if report.found(teams.iter().any(|x| x.id == *id)) {
                report.record(t.put_team(&crate::Team { id: (*id).into(), name: (*name).into() }).await)?;
                for ext in *extensions {
                    if let Some(a) = t.agent_by_extension(ext).await? {
                        t.set_agent_team(&a.id, Some(id)).await?;
                    }
                }
            }
        }
        let labels = t.list_labels().await?;
        for (kind, id, label) in d::ENGLISH_LABELS {
            if report.found(labels.iter().any(|l| l.kind == *kind && l.id == *id && l.lang == "en")) {
                report.record(t.set_label(kind, id, "en", label).await)?;
            }
        }

        for i in 0..d::CUSTOMER_COUNT {
            let c = d::customer(i);
            if !report.found(t.customer_by_phone(&c.phones[0]).await?.is_some()) {
                continue;
            }
            // Creation times one millisecond apart keep the demo list in order.
            let created_at = now + i as i64;
            let customer = Customer {
                id: uuid::Uuid::now_v7().to_string(),
                name: c.name,
                phones: c.phones,
                email: c.email,
                tier: c.tier,
                tags: c.tags,
                created_at,
                updated_at: created_at,
            };
            report.record(t.insert_customer(&customer).await)?;
        }

        // The demo IVR: published once, reached by dialling 1000.
        if report.found(!t.flow_versions(DEMO_FLOW_ID).await?.is_empty()) {
            let v = t.save_flow_draft(DEMO_FLOW_ID, DEMO_FLOW, Some("demo"), now).await?;
            t.publish_flow(DEMO_FLOW_ID, v.version, now).await?;
            t.set_ivr_number(DEMO_IVR_NUMBER, DEMO_FLOW_ID).await?;
            report.created += 1;
        }
        if report.found(!t.flow_versions(DEMO_SURVEY_ID).await?.is_empty()) {
            let v = t.save_flow_draft(DEMO_SURVEY_ID, DEMO_SURVEY, Some("demo"), now).await?;
            t.publish_flow(DEMO_SURVEY_ID, v.version, now).await?;
            report.created += 1;
        }
        Ok(report)
    }
}
