//! Outside-call permissions: numbers classified with known values, and an
//! extension's class, prefixes, concurrent calls and daily minutes.

use hotline_calls::outside::{classify, Denied, NumberClass, OutsideCalls, Policy, Reach, Rule};

fn emergency() -> Vec<String> {
    ["110", "119", "120", "122"].map(String::from).to_vec()
}

#[test]
fn numbers_are_classified_by_the_chinese_dialling_plan() {
    let c = |n: &str| classify(n, "010", &emergency());
    use NumberClass::*;
    use Reach::*;
    assert_eq!(c("110"), Some(Emergency));
    assert_eq!(c("12345"), Some(Outside(Local)), "a service number");
    assert_eq!(c("95588"), Some(Outside(Local)));
    assert_eq!(c("62345678"), Some(Outside(Local)));
    assert_eq!(c("01062345678"), Some(Outside(Local)), "own area code");
    assert_eq!(c("02162345678"), Some(Outside(National)), "Shanghai from Beijing");
    assert_eq!(c("13812345678"), Some(Outside(National)), "a mobile");
    assert_eq!(c("4008123123"), Some(Outside(National)));
    assert_eq!(c("+8613812345678"), Some(Outside(National)));
    assert_eq!(c("008613812345678"), Some(Outside(National)));
    assert_eq!(c("+861062345678"), Some(Outside(Local)));
    assert_eq!(c("00442079460000"), Some(Outside(International)));
    assert_eq!(c("+12025550100"), Some(Outside(International)));
    assert_eq!(c("12"), None);
    assert_eq!(c("1381234567x"), None);
    assert_eq!(c("10812345678"), None, "not a mobile range");
    assert_eq!(c(""), None);
}

fn policy() -> Policy {
    Policy {
        default: Rule { extensions: vec![], reach: Reach::Local, allow_prefixes: vec![], block_prefixes: vec![], max_concurrent: 1, daily_minutes: 10 },
        rules: vec![Rule {
            extensions: vec!["81*".into()],
            reach: Reach::National,
            allow_prefixes: vec!["00852".into()],
            block_prefixes: vec!["0086168".into(), "168".into()],
            max_concurrent: 2,
            daily_minutes: 0,
        }],
        emergency: emergency(),
        area_code: "010".into(),
    }
}

#[test]
fn each_extension_dials_what_its_rule_allows() {
    let o = OutsideCalls::new(policy());
    assert_eq!(o.check("8001", "62345678", 1), Ok(NumberClass::Outside(Reach::Local)));
    assert_eq!(o.check("8001", "13812345678", 1), Err(Denied::NotPermitted(Reach::National)));
    assert_eq!(o.check("8001", "00442079460000", 1), Err(Denied::NotPermitted(Reach::International)));
    assert_eq!(o.check("8001", "120", 1), Ok(NumberClass::Emergency));
    assert_eq!(o.check("8001", "abc", 1), Err(Denied::NotANumber));
    // 81xx: national, Hong Kong allowed by prefix, a premium range blocked.
    assert_eq!(o.check("8101", "13812345678", 1), Ok(NumberClass::Outside(Reach::National)));
    assert_eq!(o.check("8101", "0085221234567", 1), Ok(NumberClass::Outside(Reach::International)));
    assert_eq!(o.check("8101", "00442079460000", 1), Err(Denied::NotPermitted(Reach::International)));
    assert_eq!(o.check("8101", "16812345", 1), Err(Denied::BlockedPrefix));
    assert_eq!(Denied::NotPermitted(Reach::International).response(), (403, "International Calls Not Permitted"));
    // Internal only: nothing outside but emergency numbers.
    let none = OutsideCalls::new(Policy { emergency: emergency(), ..Policy::internal_only() });
    assert_eq!(none.check("8001", "62345678", 1), Err(Denied::NotPermitted(Reach::Local)));
    assert_eq!(none.check("8001", "110", 1), Ok(NumberClass::Emergency));
}

#[test]
fn concurrent_calls_and_daily_minutes_are_capped() {
    let mut o = OutsideCalls::new(policy());
    o.started("8001");
    assert_eq!(o.check("8001", "62345678", 1), Err(Denied::TooManyCalls));
    // Another extension has its own count.
    assert!(o.check("8002", "62345678", 1).is_ok());
    o.ended("8001", 9 * 60_000, 1);
    assert_eq!(o.minutes_left("8001", 1), Some(1));
    assert!(o.check("8001", "62345678", 1).is_ok());
    o.started("8001");
    o.ended("8001", 60_000, 1);
    assert_eq!(o.check("8001", "62345678", 1), Err(Denied::BudgetSpent));
    // Emergency calls are never capped.
    assert!(o.check("8001", "110", 1).is_ok());
    // The next day starts afresh.
    assert!(o.check("8001", "62345678", 2).is_ok());
    assert_eq!(o.minutes_left("8001", 2), Some(10));
    assert_eq!(o.minutes_left("8101", 2), None);
}
