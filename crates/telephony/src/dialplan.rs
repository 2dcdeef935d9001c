//! The dial plan: which number reaches which IVR flow, built for the call
//! orchestrator from the flow store and the configuration.
//!
//! A number mapped to a flow in the store (`/api/v1/ivr/numbers`) runs that
//! flow's published version. A `[[menus]]` entry of the configuration gives
//! its number the 30 s no-input rule and default queue; for a number with no
//! stored flow it also builds the one-key greeting menu. A stored flow that
//! does not parse or validate is left out with an error in the log (callers
//! of that number are refused) — a bad document never takes the server down.

use std::collections::BTreeMap;
use std::sync::Arc;

use hotline_calls::{Broadcast, Config, Entry, Greeting, QueueExperience};
use hotline_config::MenuConfig;
use hotline_store::TenantStore;

/// What was built, and what was left out and why.
#[derive(Debug, Default)]
pub struct DialPlan {
    pub config: Config,
    /// Queue → the prompt looped while its callers wait.
    pub music_on_hold: std::collections::HashMap<String, String>,
    /// Number → its emergency broadcast, for those switched on.
    pub broadcasts: std::collections::HashMap<String, Broadcast>,
    /// (number, why) for numbers left out.
    pub skipped: Vec<(String, String)>,
}

fn greeting(m: &MenuConfig) -> Greeting {
    Greeting {
        number: m.number.clone(),
        choices: m.choices.iter().filter_map(|(k, q)| Some((k.chars().next()?, q.clone()))).collect(),
        default_queue: m.default_queue.clone(),
        replay_after_secs: m.replay_after_secs,
        no_input_to_agent_secs: m.no_input_to_agent_secs,
        max_invalid: m.max_invalid,
    }
}

/// The center's calendars by id (those whose schedule does not read are
/// left out, with an error in the log: flows naming them are left out too).
pub async fn calendars(store: &TenantStore) -> Result<BTreeMap<String, hotline_ivr::Schedule>, hotline_store::StoreError> {
    let mut out = BTreeMap::new();
    for c in store.list_calendars().await? {
        match serde_json::from_str::<hotline_ivr::Schedule>(&c.schedule) {
            Ok(s) => {
                out.insert(c.id, s);
            }
            Err(e) => tracing::error!(calendar = %c.id, error = %e, "calendar left out: its schedule does not read"),
        }
    }
    Ok(out)
}

/// The published version of a flow, parsed, its calendars filled in, and
/// valid; or why not.
async fn published(
    store: &TenantStore,
    flow_id: &str,
    calendars: &BTreeMap<String, hotline_ivr::Schedule>,
) -> Result<Result<hotline_ivr::Flow, String>, hotline_store::StoreError> {
    Ok(match store.published_flow(flow_id).await? {
        None => Err(format!("flow `{flow_id}` has no published version")),
        Some(v) => match serde_json::from_str::<hotline_ivr::Flow>(&v.document) {
            Err(e) => Err(format!("flow `{flow_id}` v{}: {e}", v.version)),
            Ok(mut flow) => match (flow.resolve_calendars(calendars).first(), hotline_ivr::validate(&flow).first()) {
                (Some((node, unknown)), _) => Err(format!("flow `{flow_id}` v{}: node `{node}`: no calendar `{unknown}`", v.version)),
                (None, Some(problem)) => Err(format!("flow `{flow_id}` v{}: {problem}", v.version)),
                (None, None) => Ok(flow),
            },
        },
    })
}

/// Builds the dial plan from `store` and the configured `menus`.
pub async fn load(store: &TenantStore, menus: &[MenuConfig]) -> Result<DialPlan, hotline_store::StoreError> {
    let mut plan = DialPlan::default();
    let mut numbers = std::collections::BTreeSet::new();
    let calendars = calendars(store).await?;
    for (number, flow_id) in store.ivr_numbers().await? {
        let menu = menus.iter().find(|m| m.number == number);
        let why = match published(store, &flow_id, &calendars).await? {
            Err(why) => Some(why),
            Ok(flow) => {
                plan.config.entries.push(Entry {
                    number: number.clone(),
                    flow: Arc::new(flow),
                    no_input_to_agent_ms: menu.map(|m| u64::from(m.no_input_to_agent_secs) * 1000),
                    default_queue: menu.map_or_else(String::new, |m| m.default_queue.clone()),
                });
                numbers.insert(number.clone());
                None
            }
        };
        if let Some(why) = why {
            tracing::error!(%number, %why, "IVR number left out of the dial plan");
            plan.skipped.push((number, why));
        }
    }
    for m in menus.iter().filter(|m| !numbers.contains(&m.number)) {
        plan.config.entries.push(greeting(m).entry());
    }
    for q in store.list_queues().await?.into_iter().filter(|q| q.channel == "voice") {
        let c = &q.caller;
        let survey = match &c.survey_flow {
            None => None,
            Some(id) => match published(store, id, &calendars).await? {
                Ok(flow) => Some(Arc::new(flow)),
                Err(why) => {
                    tracing::error!(queue = %q.id, %why, "survey left out");
                    plan.skipped.push((q.id.clone(), why));
                    None
                }
            },
        };
        plan.music_on_hold.insert(q.id.clone(), c.music_on_hold.clone());
        plan.config.queues.push(QueueExperience {
            queue: q.id.clone(),
            announce_every_ms: c.announce_every_secs.map(|s| u64::from(s) * 1000),
            callback_after_ms: c.callback_after_secs.map(|s| u64::from(s) * 1000),
            callback_key: c.callback_key,
            comfort: c.comfort_prompt.clone(),
            survey,
        });
    }
    for b in store.broadcasts().await? {
        plan.broadcasts.insert(b.number, Broadcast { prompt: b.prompt, instead: b.instead });
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stored_flows_win_menus_fill_in_and_bad_flows_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = hotline_store::Store::connect_sqlite_file(&dir.path().join("hotline.db")).await.unwrap();
        store.migrate().await.unwrap();
        store.seed_demo("not-a-real-hash").await.unwrap();
        let t = store.tenant("default");
        // A number mapped to a flow whose published version is broken.
        let v = t.save_flow_draft("broken", r#"{"id":"broken","start":"nowhere","nodes":{}}"#, None, 0).await.unwrap();
        t.publish_flow("broken", v.version, 0).await.unwrap();
        t.set_ivr_number("2000", "broken").await.unwrap();
        let menus = vec![MenuConfig::demo(), MenuConfig { number: "3000".into(), ..MenuConfig::demo() }];

        let plan = load(&t, &menus).await.unwrap();
        let numbers: Vec<(&str, &str)> = plan.config.entries.iter().map(|e| (e.number.as_str(), e.flow.id.as_str())).collect();
        // 1000: the seeded demo flow, not the menu; 3000: the greeting menu.
        assert_eq!(numbers, vec![("1000", "demo"), ("3000", "greeting-3000")]);
        let demo = &plan.config.entries[0];
        assert_eq!((demo.no_input_to_agent_ms, demo.default_queue.as_str()), (Some(30_000), "sales"), "the menu's rules apply");
        assert_eq!(plan.skipped.len(), 1);
        assert!(plan.skipped[0].1.contains("unknown node `nowhere`"), "{:?}", plan.skipped);
    }
}
