//! Numbers as every page writes them, in French typography: digits (never
//! « six »), groups of three separated by a narrow no-break space
//! (« 12 345 »), a true minus sign U+2212 (« −6 », never a hyphen), and a
//! no-break space between a number and what it counts, so that « 100 % »
//! or « 3 réponses » never break across two lines.
//!
//! Templates use them as Tera filters: `{{ n | nombre }}`,
//! `{{ n | pourcent }}` and `{{ n | compte(un="réponse", plusieurs="réponses") }}`.

use std::collections::HashMap;

use tera::{Tera, Value};

/// The narrow no-break space (U+202F): between groups of digits and before `%`.
pub const NARROW_NBSP: char = '\u{202f}';
/// The no-break space (U+00A0): between a number and the word it counts.
pub const NBSP: char = '\u{a0}';
/// The minus sign (U+2212).
pub const MINUS: char = '\u{2212}';

/// An integer in French: « −1 », « 950 », « 12 345 ».
pub fn integer(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + 4);
    if n < 0 {
        out.push(MINUS);
    }
    // Grouping from the right; four-digit numbers are grouped too, as in
    // the Imprimerie nationale's rules for tables (« 1 500 »).
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(NARROW_NBSP);
        }
        out.push(digit);
    }
    out
}

/// A signed integer: « +2 », « −1 », « 0 » (points of a choice).
pub fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{}", integer(n))
    } else {
        integer(n)
    }
}

/// A percentage: « 60 % ».
pub fn percent(n: i64) -> String {
    format!("{}{NARROW_NBSP}%", integer(n))
}

/// A count with its noun, singular for 0 and 1 as in French: « 1 réponse »,
/// « 0 réponse », « 3 réponses ».
pub fn count(n: i64, one: &str, many: &str) -> String {
    let noun = if n.abs() <= 1 { one } else { many };
    format!("{}{NBSP}{noun}", integer(n))
}

/// Registers the filters `nombre`, `signe`, `pourcent` and `compte`.
pub fn register(tera: &mut Tera) {
    tera.register_filter("nombre", |value: &Value, _: &HashMap<String, Value>| {
        Ok(Value::String(integer(as_integer(value, "nombre")?)))
    });
    tera.register_filter("signe", |value: &Value, _: &HashMap<String, Value>| {
        Ok(Value::String(signed(as_integer(value, "signe")?)))
    });
    tera.register_filter("pourcent", |value: &Value, _: &HashMap<String, Value>| {
        Ok(Value::String(percent(as_integer(value, "pourcent")?)))
    });
    tera.register_filter("compte", |value: &Value, args: &HashMap<String, Value>| {
        let word = |name: &str| {
            args.get(name)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| tera::Error::msg(format!("compte : argument « {name} » manquant")))
        };
        Ok(Value::String(count(
            as_integer(value, "compte")?,
            &word("un")?,
            &word("plusieurs")?,
        )))
    });
}

fn as_integer(value: &Value, filter: &str) -> tera::Result<i64> {
    value
        .as_i64()
        .or_else(|| value.as_u64().and_then(|n| i64::try_from(n).ok()))
        .ok_or_else(|| tera::Error::msg(format!("{filter} : {value} n’est pas un entier")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_digits_groups_and_signs() {
        let integers = [0, 950, 1500, -12_345, 1_000_000].map(integer);
        assert_eq!(
            integers,
            [
                "0",
                "950",
                "1\u{202f}500",
                "\u{2212}12\u{202f}345",
                "1\u{202f}000\u{202f}000"
            ]
        );
        assert_eq!([2, -6, 0].map(signed), ["+2", "\u{2212}6", "0"]);
        assert_eq!(percent(100), "100\u{202f}%");
        let counts = [1, 0, 3].map(|n| count(n, "réponse", "réponses"));
        assert_eq!(
            counts,
            ["1\u{a0}réponse", "0\u{a0}réponse", "3\u{a0}réponses"]
        );
    }

    #[test]
    fn filters_format_template_values() {
        let mut tera = Tera::default();
        register(&mut tera);
        tera.add_raw_template(
            "t",
            "{{ a | nombre }}|{{ b | signe }}|{{ c | pourcent }}|{{ d | compte(un=\"réponse\", plusieurs=\"réponses\") }}",
        )
        .unwrap();
        let mut context = tera::Context::new();
        context.insert("a", &-6);
        context.insert("b", &3);
        context.insert("c", &100u8);
        context.insert("d", &3usize);
        assert_eq!(
            tera.render("t", &context).unwrap(),
            "\u{2212}6|+3|100\u{202f}%|3\u{a0}réponses"
        );
        context.insert("a", &"six");
        assert!(tera.render("t", &context).is_err(), "words are not numbers");
    }
}
