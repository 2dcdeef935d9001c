//! The spoken words behind prompt names that have no recording: the number,
//! amount and date fragments of `hotline_ivr::say` (`zh/3`, `zh/wan`,
//! `en/hundred`, `en/ord21`, ...) and the queue announcement fragments
//! (`position_is`, `en/wait_is`, ...). A business that records its own
//! uploads files with these names; until then the speech engine says them.

/// Speech engine voice for a language folder.
fn voice(lang: &str) -> &'static str {
    if lang == "en" {
        "en"
    } else {
        "cmn"
    }
}

/// `(voice, text)` for a prompt name, or `None` for names without words.
pub fn spoken(name: &str) -> Option<(&'static str, String)> {
    let (lang, word) = match name.split_once('/') {
        Some((l @ ("zh" | "en"), w)) => (l, w),
        Some(_) => return None,
        None => ("zh", name),
    };
    let text = if lang == "en" { english(word)? } else { chinese(word)? };
    Some((voice(lang), text))
}

fn announcement(word: &str, en: bool) -> Option<&'static str> {
    Some(match (word, en) {
        ("position_is", false) => "您现在排在第",
        ("position_is", true) => "You are number",
        ("in_queue", false) => "位。",
        ("in_queue", true) => "in the queue.",
        ("wait_is", false) => "预计等待时间约",
        ("wait_is", true) => "Your expected wait is about",
        ("minutes", false) => "分钟。",
        ("minutes", true) => "minutes.",
        ("press", false) => "如需回电，请按",
        ("press", true) => "Press",
        ("for_callback", false) => "键，我们会给您回电，并为您保留排队位置。",
        ("for_callback", true) => "to be called back. You keep your place in the queue.",
        ("callback_confirmed", false) => "好的，我们会尽快给您回电，您的排队位置已为您保留。再见。",
        ("callback_confirmed", true) => "Thank you. We will call you back and keep your place in the queue. Goodbye.",
        _ => return None,
    })
}

fn chinese(word: &str) -> Option<String> {
    if let Some(a) = announcement(word, false) {
        return Some(a.into());
    }
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if let Ok(d) = word.parse::<usize>() {
        return DIGITS.get(d).map(|s| (*s).into());
    }
    let w = match word {
        "liang" => "两",
        "shi" => "十",
        "bai" => "百",
        "qian" => "千",
        "wan" => "万",
        "yi" => "亿",
        "wanyi" => "万亿",
        "yuan" => "元",
        "jiao" => "角",
        "fen" => "分",
        "nian" => "年",
        "yue" => "月",
        "ri" => "日",
        _ => return None,
    };
    Some(w.into())
}

const ONES: [&str; 20] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
];
const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/// 0–99 in words.
fn below_hundred(n: usize) -> String {
    match n {
        0..=19 => ONES[n].into(),
        _ if n.is_multiple_of(10) => TENS[n / 10].into(),
        _ => format!("{}-{}", TENS[n / 10], ONES[n % 10]),
    }
}

/// 1–31 as an ordinal ("first", "twenty-second").
fn ordinal(n: usize) -> Option<String> {
    const SMALL: [&str; 20] = [
        "", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
        "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
    ];
    Some(match n {
        1..=19 => SMALL[n].into(),
        20 => "twentieth".into(),
        30 => "thirtieth".into(),
        21..=29 | 31 => format!("{}-{}", TENS[n / 10], SMALL[n % 10]),
        _ => return None,
    })
}

fn english(word: &str) -> Option<String> {
    if let Some(a) = announcement(word, true) {
        return Some(a.into());
    }
    if let Ok(n) = word.parse::<usize>() {
        return (n < 100).then(|| below_hundred(n));
    }
    if let Some(d) = word.strip_prefix("ord") {
        return ordinal(d.parse().ok()?);
    }
    const WORDS: &[&str] = &[
        "hundred", "thousand", "million", "billion", "trillion", "quadrillion", "yuan", "and", "fen", "january", "february",
        "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    ];
    WORDS.contains(&word).then(|| word.into())
}

#[cfg(test)]
mod tests {
    use super::spoken;

    #[test]
    fn every_fragment_say_makes_has_words() {
        use hotline_ivr::{say, Lang, SayAs};
        let cases = [("1234567890123", SayAs::Number), ("2026-11-30", SayAs::Date), ("10208.05", SayAs::Amount), ("13800138000", SayAs::Digits)];
        for lang in [Lang::Zh, Lang::En] {
            for (value, as_) in cases {
                for name in say(value, as_, lang).unwrap() {
                    assert!(spoken(&name).is_some(), "no words for `{name}`");
                }
            }
            for d in 1..=31 {
                for name in say(&format!("2026-01-{d:02}"), SayAs::Date, lang).unwrap() {
                    assert!(spoken(&name).is_some(), "no words for `{name}`");
                }
            }
        }
    }

    #[test]
    fn words_and_voices() {
        assert_eq!(spoken("zh/liang"), Some(("cmn", "两".into())));
        assert_eq!(spoken("position_is"), Some(("cmn", "您现在排在第".into())));
        assert_eq!(spoken("en/position_is"), Some(("en", "You are number".into())));
        assert_eq!(spoken("en/42"), Some(("en", "forty-two".into())));
        assert_eq!(spoken("en/ord22"), Some(("en", "twenty-second".into())));
        assert_eq!(spoken("en/ord32"), None);
        assert_eq!(spoken("fr/1"), None);
        assert_eq!(spoken("greeting"), None, "recorded prompts are not spoken");
    }
}
