//! Saying values with recorded fragments: a number, a digit string, an
//! amount of money or a date becomes a list of prompt names
//! (`zh/3`, `zh/wan`, `en/20`, `en/hundred`, ...) that the media layer plays
//! in order. Chinese follows the usual reading: 10 is 十, 15 is 十五 at the
//! start, 一百一十五 inside; zeros inside a number are read once (一千零五);
//! 2 before a unit above ten is 两 in amounts and counts (两百, 两万).

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Zh,
    En,
}

/// What to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SayAs {
    /// A whole number (up to 9,999,999,999,999,999).
    Number,
    /// Each digit on its own (order numbers, phone numbers).
    Digits,
    /// Yuan with two decimals: `1234.5` → 一千二百三十四元五角.
    Amount,
    /// A date `YYYY-MM-DD`.
    Date,
}

/// Prompt names for `value` said `as_` in `lang`, or `None` when the value
/// does not fit the kind (the flow then plays nothing for it).
pub fn say(value: &str, as_: SayAs, lang: Lang) -> Option<Vec<String>> {
    let p = |s: &str| format!("{}/{s}", match lang { Lang::Zh => "zh", Lang::En => "en" });
    match as_ {
        SayAs::Digits => {
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(value.chars().map(|c| p(&c.to_string())).collect())
        }
        SayAs::Number => {
            let n: u64 = value.parse().ok()?;
            (n < 10_000_000_000_000_000).then(|| number(n, lang).iter().map(|s| p(s)).collect())
        }
        SayAs::Amount => {
            let (yuan, fen) = parse_amount(value)?;
            let mut v: Vec<String> = number(yuan, lang).iter().map(|s| p(s)).collect();
            match lang {
                Lang::Zh => {
                    v.push(p("yuan"));
                    let (jiao, f) = (fen / 10, fen % 10);
                    if jiao > 0 {
                        v.push(p(&jiao.to_string()));
                        v.push(p("jiao"));
                    }
                    if f > 0 {
                        if jiao == 0 && yuan > 0 {
                            v.push(p("0"));
                        }
                        v.push(p(&f.to_string()));
                        v.push(p("fen"));
                    }
                }
                Lang::En => {
                    v.push(p("yuan"));
                    if fen > 0 {
                        v.push(p("and"));
                        v.extend(number(fen, lang).iter().map(|s| p(s)));
                        v.push(p("fen"));
                    }
                }
            }
            Some(v)
        }
        SayAs::Date => {
            let mut it = value.split('-');
            let y: u64 = it.next()?.parse().ok()?;
            let m: u64 = it.next()?.parse().ok()?;
            let d: u64 = it.next()?.parse().ok()?;
            if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                return None;
            }
            Some(match lang {
                Lang::Zh => {
                    // 二〇二六年十一月二十三日: the year digit by digit.
                    let mut v: Vec<String> = y.to_string().chars().map(|c| p(&c.to_string())).collect();
                    v.push(p("nian"));
                    v.extend(number(m, lang).iter().map(|s| p(s)));
                    v.push(p("yue"));
                    v.extend(number(d, lang).iter().map(|s| p(s)));
                    v.push(p("ri"));
                    v
                }
                Lang::En => {
                    let months = [
                        "january", "february", "march", "april", "may", "june", "july", "august", "september",
                        "october", "november", "december",
                    ];
                    let mut v = vec![p(months[(m - 1) as usize]), p(&format!("ord{d}"))];
                    v.extend(number(y, lang).iter().map(|s| p(s)));
                    v
                }
            })
        }
    }
}

/// `123`, `123.4`, `123.45` → (yuan, fen).
fn parse_amount(s: &str) -> Option<(u64, u64)> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yuan: u64 = whole.parse().ok()?;
    let fen = match frac.len() {
        0 => 0,
        1 => frac.parse::<u64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    (yuan < 10_000_000_000_000_000).then_some((yuan, fen))
}

/// Fragment names (without language folder) for a whole number.
fn number(n: u64, lang: Lang) -> Vec<String> {
    match lang {
        Lang::Zh => zh_number(n),
        Lang::En => en_number(n),
    }
}

fn zh_number(n: u64) -> Vec<String> {
    if n == 0 {
        return vec!["0".into()];
    }
    // Groups of four digits: 个, 万, 亿, 万亿.
    let units = ["", "wan", "yi", "wanyi"];
    let mut groups = Vec::new();
    let mut m = n;
    while m > 0 {
        groups.push(m % 10_000);
        m /= 10_000;
    }
    let mut out: Vec<String> = Vec::new();
    let mut zero_pending = false;
    for (i, &g) in groups.iter().enumerate().rev() {
        if g == 0 {
            zero_pending = !out.is_empty();
            continue;
        }
        if zero_pending || (!out.is_empty() && g < 1000) {
            out.push("0".into());
        }
        zero_pending = false;
        if g == 2 && !units[i].is_empty() {
            // 两万, 两亿.
            out.push("liang".into());
        } else {
            out.extend(zh_group(g, out.is_empty()));
        }
        if !units[i].is_empty() {
            out.push(units[i].into());
        }
    }
    out
}

/// 1..=9999. `leading`: the first group of the number (十五, not 一十五).
fn zh_group(g: u64, leading: bool) -> Vec<String> {
    let digits = [g / 1000, g / 100 % 10, g / 10 % 10, g % 10];
    let units = ["qian", "bai", "shi", ""];
    let mut out: Vec<String> = Vec::new();
    let mut zero = false;
    let mut started = false;
    for (i, &d) in digits.iter().enumerate() {
        if d == 0 {
            zero = started;
            continue;
        }
        if zero {
            out.push("0".into());
            zero = false;
        }
        let is_tens = i == 2;
        if is_tens && d == 1 && !started && leading {
            // 十五, not 一十五.
        } else if d == 2 && (i == 0 || i == 1) {
            out.push("liang".into());
        } else {
            out.push(d.to_string());
        }
        if !units[i].is_empty() {
            out.push(units[i].into());
        }
        started = true;
    }
    out
}

fn en_number(n: u64) -> Vec<String> {
    if n == 0 {
        return vec!["0".into()];
    }
    let scales = ["", "thousand", "million", "billion", "trillion", "quadrillion"];
    let mut groups = Vec::new();
    let mut m = n;
    while m > 0 {
        groups.push(m % 1000);
        m /= 1000;
    }
    let mut out = Vec::new();
    for (i, &g) in groups.iter().enumerate().rev() {
        if g == 0 {
            continue;
        }
        if g >= 100 {
            out.push((g / 100).to_string());
            out.push("hundred".into());
        }
        let r = g % 100;
        if r > 0 {
            if r < 20 || r % 10 == 0 {
                out.push(r.to_string());
            } else {
                out.push((r / 10 * 10).to_string());
                out.push((r % 10).to_string());
            }
        }
        if !scales[i].is_empty() {
            out.push(scales[i].into());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zh(v: &str, a: SayAs) -> String {
        say(v, a, Lang::Zh).map(|v| v.iter().map(|s| s.trim_start_matches("zh/")).collect::<Vec<_>>().join(" ")).unwrap_or_default()
    }

    fn en(v: &str, a: SayAs) -> String {
        say(v, a, Lang::En).map(|v| v.iter().map(|s| s.trim_start_matches("en/")).collect::<Vec<_>>().join(" ")).unwrap_or_default()
    }

    #[test]
    fn chinese_numbers() {
        assert_eq!(zh("0", SayAs::Number), "0");
        assert_eq!(zh("10", SayAs::Number), "shi");
        assert_eq!(zh("15", SayAs::Number), "shi 5");
        assert_eq!(zh("115", SayAs::Number), "1 bai 1 shi 5");
        assert_eq!(zh("200", SayAs::Number), "liang bai");
        assert_eq!(zh("1005", SayAs::Number), "1 qian 0 5");
        assert_eq!(zh("20000", SayAs::Number), "liang wan");
        assert_eq!(zh("1020000", SayAs::Number), "1 bai 0 2 wan");
        assert_eq!(zh("100010", SayAs::Number), "shi wan 0 1 shi");
        assert_eq!(zh("123456789", SayAs::Number), "1 yi liang qian 3 bai 4 shi 5 wan 6 qian 7 bai 8 shi 9");
        assert_eq!(zh("100000001", SayAs::Number), "1 yi 0 1");
        assert_eq!(zh("-1", SayAs::Number), "");
    }

    #[test]
    fn english_numbers() {
        assert_eq!(en("0", SayAs::Number), "0");
        assert_eq!(en("15", SayAs::Number), "15");
        assert_eq!(en("42", SayAs::Number), "40 2");
        assert_eq!(en("1005", SayAs::Number), "1 thousand 5");
        assert_eq!(en("123456", SayAs::Number), "1 hundred 20 3 thousand 4 hundred 50 6");
    }

    #[test]
    fn digits_amounts_and_dates() {
        assert_eq!(zh("1380", SayAs::Digits), "1 3 8 0");
        assert_eq!(zh("12a", SayAs::Digits), "");
        assert_eq!(zh("1234.5", SayAs::Amount), "1 qian liang bai 3 shi 4 yuan 5 jiao");
        assert_eq!(zh("3.05", SayAs::Amount), "3 yuan 0 5 fen");
        assert_eq!(zh("0.5", SayAs::Amount), "0 yuan 5 jiao");
        assert_eq!(zh("1.234", SayAs::Amount), "");
        assert_eq!(en("12.50", SayAs::Amount), "12 yuan and 50 fen");
        assert_eq!(zh("2026-11-23", SayAs::Date), "2 0 2 6 nian shi 1 yue 2 shi 3 ri");
        assert_eq!(en("2026-11-23", SayAs::Date), "november ord23 2 thousand 20 6");
        assert_eq!(zh("2026-13-01", SayAs::Date), "");
    }
}
