//! The demo contact center's data: a small Chinese-speaking center with
//! three voice queues, six agents and fifty customers. Everything here is
//! deterministic, so seeding twice finds the same rows.

use crate::{Capacity, CallerExperience, Queue, Step, StepSkill};

/// The id of the demo's post-call survey flow (`demo_survey.json`).
pub const DEMO_SURVEY_ID: &str = "survey";

pub(crate) const TENANT: &str = "default";
pub(crate) const TENANT_NAME: &str = "Hotline 演示中心";

/// (id, name, kind)
pub(crate) const SKILLS: &[(&str, &str, &str)] = &[
    ("sales", "售前", "skill"),
    ("support", "售后", "skill"),
    ("vip", "VIP服务", "skill"),
    ("billing", "账务", "skill"),
    ("tech", "技术支持", "skill"),
    ("zh", "普通话", "language"),
    ("yue", "粤语", "language"),
    ("en", "English", "language"),
];

/// An agent of the demo center.
pub(crate) struct DemoAgent {
    pub extension: &'static str,
    pub name: &'static str,
    pub skills: &'static [(&'static str, u8)],
    pub languages: &'static [&'static str],
    pub queues: &'static [&'static str],
}

pub(crate) const CAPACITY: Capacity = Capacity {
    voice: 1,
    chat: 3,
    email: 5,
};

/// Every queue has at least two agents, and at least two who pass its first
/// (strictest) routing step.
pub(crate) const AGENTS: &[DemoAgent] = &[
    DemoAgent {
        extension: "8001",
        name: "张伟",
        skills: &[("sales", 8), ("support", 4)],
        languages: &["zh", "en"],
        queues: &["sales", "support"],
    },
    DemoAgent {
        extension: "8002",
        name: "王芳",
        skills: &[("sales", 6), ("vip", 8), ("billing", 5)],
        languages: &["zh"],
        queues: &["sales", "vip"],
    },
    DemoAgent {
        extension: "8003",
        name: "李娜",
        skills: &[("support", 9), ("tech", 8)],
        languages: &["zh", "en"],
        queues: &["support"],
    },
    DemoAgent {
        extension: "8004",
        name: "刘洋",
        skills: &[("support", 6), ("billing", 7), ("sales", 3)],
        languages: &["zh"],
        queues: &["support", "sales"],
    },
    DemoAgent {
        extension: "8005",
        name: "陈静",
        skills: &[("vip", 9), ("sales", 7), ("support", 5)],
        languages: &["zh", "en"],
        queues: &["vip", "sales", "support"],
    },
    DemoAgent {
        extension: "8006",
        name: "黄磊",
        skills: &[("support", 7), ("tech", 6), ("vip", 5)],
        languages: &["yue", "zh"],
        queues: &["support", "vip"],
    },
];

/// (username, display name, role, extension of the agent the user works as)
pub(crate) const USERS: &[(&str, &str, &str, Option<&str>)] = &[
    ("agent1", "张伟", "agent", Some("8001")),
    ("agent2", "王芳", "agent", Some("8002")),
    ("agent3", "李娜", "agent", Some("8003")),
    ("agent4", "刘洋", "agent", Some("8004")),
    ("agent5", "陈静", "agent", Some("8005")),
    ("agent6", "黄磊", "agent", Some("8006")),
    ("supervisor", "赵敏（值班主管）", "supervisor", None),
    ("admin", "系统管理员", "admin", None),
    ("qa", "孙丽（质检）", "qa", None),
    ("auditor", "周强（审计）", "auditor", None),
];

/// The demo center's business hours (the demo flow's, as a calendar flows
/// can name): (id, name, schedule JSON).
pub(crate) const CALENDAR: (&str, &str, &str) = (
    "main",
    "客服中心营业时间",
    r#"{"utc_offset_minutes":480,"open":[{"days":[1,2,3,4,5,6,7],"from":"08:00","to":"22:00"}],"holidays":[],"extra_workdays":[],"workday_hours_from":1}"#,
);

/// The demo's teams: (id, name, agents' extensions).
pub(crate) const TEAMS: &[(&str, &str, &[&str])] = &[("team_a", "一组（售前）", &["8001", "8002", "8004"]), ("team_b", "二组（售后）", &["8003", "8005", "8006"])];

/// English names of the demo's queues, skills and codes: (kind, id, label).
pub(crate) const ENGLISH_LABELS: &[(&str, &str, &str)] = &[
    ("queue", "sales", "Sales"),
    ("queue", "support", "After-sales"),
    ("queue", "vip", "VIP line"),
    ("skill", "sales", "Sales"),
    ("skill", "support", "After-sales"),
    ("skill", "vip", "VIP service"),
    ("skill", "billing", "Billing"),
    ("skill", "tech", "Tech support"),
    ("skill", "zh", "Mandarin"),
    ("skill", "yue", "Cantonese"),
    ("reason", "break", "Break"),
    ("reason", "lunch", "Lunch"),
    ("reason", "training", "Training"),
    ("reason", "meeting", "Meeting"),
    ("reason", "missed", "Missed"),
    ("wrap_up", "resolved", "Resolved"),
    ("wrap_up", "follow_up", "Follow-up needed"),
    ("wrap_up", "complaint", "Complaint"),
    ("wrap_up", "order", "Order placed"),
    ("wrap_up", "info", "Information"),
    ("wrap_up", "transfer", "Transferred"),
    ("team", "team_a", "Team A (sales)"),
    ("team", "team_b", "Team B (after-sales)"),
];

/// (id, label, paid). `missed` is set by the system when an agent lets offers time out.
pub(crate) const REASON_CODES: &[(&str, &str, bool)] = &[
    ("break", "休息", true),
    ("lunch", "午餐", false),
    ("training", "培训", true),
    ("meeting", "会议", true),
    ("missed", "未接", false),
];

/// (id, label, category)
pub(crate) const WRAP_UP_CODES: &[(&str, &str, &str)] = &[
    ("resolved", "已解决", "resolution"),
    ("follow_up", "需跟进", "resolution"),
    ("complaint", "投诉", "complaint"),
    ("order", "下单", "sales"),
    ("info", "咨询", "inquiry"),
    ("transfer", "已转接", "routing"),
];

fn step(skill: &str, min_level: u8, timeout_secs: Option<u32>) -> Step {
    Step {
        skills: vec![StepSkill {
            skill: skill.into(),
            min_level,
        }],
        relax_contact_levels: 0,
        drop_contact_skills: false,
        timeout_secs,
    }
}

/// A voice queue with the demo's common settings.
fn voice_queue(id: &str, name: &str, strategy: &str, now: i64) -> Queue {
    Queue {
        id: id.into(),
        name: name.into(),
        channel: "voice".into(),
        strategy: strategy.into(),
        steps: Vec::new(),
        service_level_secs: 20,
        service_level_target_pct: 80,
        sl_window_secs: 1800,
        offer_timeout_secs: 15,
        wrap_up_secs: 10,
        max_missed_offers: 2,
        aging_per_sec: 1,
        vip_boost: 50,
        sticky_secs: 0,
        max_wait_secs: None,
        give_up_action: "voicemail".into(),
        overflow_queue: None,
        overflow_after_secs: None,
        overflow_when_no_agents: false,
        enabled: true,
        caller: CallerExperience::default(),
        created_at: now,
        updated_at: now,
    }
}

/// The three queues, in an order where every overflow target comes first.
pub(crate) fn queues(now: i64) -> Vec<Queue> {
    let sales = Queue {
        steps: vec![step("sales", 5, Some(30)), step("sales", 1, None)],
        max_wait_secs: Some(600),
        give_up_action: "voicemail".into(),
        // Callers hear their place every 30 s and may ask for a callback after 45 s.
        caller: CallerExperience {
            announce_every_secs: Some(30),
            callback_after_secs: Some(45),
            comfort_prompt: Some("tts:cmn:您的来电对我们非常重要，请耐心等候，我们将尽快为您服务。".into()),
            ..CallerExperience::default()
        },
        ..voice_queue("sales", "售前咨询", "longest_idle", now)
    };
    let support = Queue {
        steps: vec![
            step("support", 6, Some(60)),
            Step {
                relax_contact_levels: 2,
                ..step("support", 1, None)
            },
        ],
        service_level_secs: 30,
        wrap_up_secs: 30,
        sticky_secs: 120,
        max_wait_secs: Some(900),
        give_up_action: "callback".into(),
        overflow_queue: Some("sales".into()),
        overflow_after_secs: Some(300),
        // After-sales callers rate the call when the agent hangs up.
        caller: CallerExperience { announce_every_secs: Some(45), survey_flow: Some(DEMO_SURVEY_ID.into()), ..CallerExperience::default() },
        ..voice_queue("support", "售后服务", "least_occupied", now)
    };
    let vip = Queue {
        steps: vec![
            step("vip", 7, Some(20)),
            step("vip", 1, Some(40)),
            // Anyone in the queue, whatever the caller asked for.
            Step {
                skills: Vec::new(),
                relax_contact_levels: 0,
                drop_contact_skills: true,
                timeout_secs: None,
            },
        ],
        service_level_secs: 10,
        service_level_target_pct: 90,
        offer_timeout_secs: 20,
        vip_boost: 100,
        sticky_secs: 30,
        max_wait_secs: Some(300),
        give_up_action: "callback".into(),
        overflow_queue: Some("support".into()),
        overflow_when_no_agents: true,
        caller: CallerExperience { announce_every_secs: Some(20), ..CallerExperience::default() },
        ..voice_queue("vip", "VIP专线", "best_skill", now)
    };
    vec![sales, support, vip]
}

/// Surnames with pinyin.
const SURNAMES: &[(&str, &str)] = &[
    ("张", "zhang"),
    ("王", "wang"),
    ("李", "li"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("高", "gao"),
    ("罗", "luo"),
];

/// Given names with pinyin.
const GIVEN_NAMES: &[(&str, &str)] = &[
    ("建国", "jianguo"),
    ("秀英", "xiuying"),
    ("志强", "zhiqiang"),
    ("丽华", "lihua"),
    ("海燕", "haiyan"),
    ("俊杰", "junjie"),
    ("晓明", "xiaoming"),
    ("婷婷", "tingting"),
    ("文博", "wenbo"),
    ("雪梅", "xuemei"),
    ("子涵", "zihan"),
    ("浩然", "haoran"),
    ("欣怡", "xinyi"),
    ("宇轩", "yuxuan"),
    ("佳怡", "jiayi"),
    ("明辉", "minghui"),
    ("春燕", "chunyan"),
    ("国强", "guoqiang"),
    ("静怡", "jingyi"),
    ("天宇", "tianyu"),
    ("美玲", "meiling"),
    ("志伟", "zhiwei"),
    ("淑珍", "shuzhen"),
];

pub(crate) const CUSTOMER_COUNT: usize = 50;

/// Customers that are VIPs (tier 3).
const VIPS: &[usize] = &[0, 7, 19, 28, 41];

/// A demo customer, without id and times.
pub(crate) struct DemoCustomer {
    pub name: String,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub tier: u8,
    pub tags: Vec<String>,
}

/// The `i`-th demo customer (0-based). Names are unique: surname and given
/// name cycle with co-prime periods.
pub(crate) fn customer(i: usize) -> DemoCustomer {
    let (surname, surname_py) = SURNAMES[i % SURNAMES.len()];
    let (given, given_py) = GIVEN_NAMES[(i * 7 + 3) % GIVEN_NAMES.len()];
    let mut phones = vec![(13_800_138_000 + i as u64).to_string()];
    if i % 5 == 2 {
        phones.push(format!("1591234{i:04}"));
    }
    let tier = if VIPS.contains(&i) {
        3
    } else if i % 6 == 1 {
        2
    } else if i % 4 == 2 {
        1
    } else {
        0
    };
    let mut tags = Vec::new();
    if tier == 3 {
        tags.push("vip".to_owned());
    }
    if i >= 44 {
        tags.push("new".to_owned());
    }
    if i % 11 == 5 || i == 23 {
        tags.push("complaint-history".to_owned());
    }
    if i == 23 {
        tags.push("blacklist".to_owned());
    }
    DemoCustomer {
        name: format!("{surname}{given}"),
        phones,
        email: matches!(i % 3, 0).then(|| format!("{given_py}.{surname_py}@example.com")),
        tier,
        tags,
    }
}
