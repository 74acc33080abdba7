//! Reading `application/x-www-form-urlencoded` bodies and query strings strictly: a body
//! that is too large, not UTF-8 (raw or once percent-decoded), or malformed is refused
//! rather than repaired, and field values are checked here before any flow sees them.

use http::HeaderMap;
use http::header::CONTENT_TYPE;
use percent_encoding::percent_decode;

/// Why a form could not be read. Each maps to a status and a message a person can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormError {
    TooLarge,
    NotUtf8,
    Malformed,
    DuplicateField,
    TooManyFields,
    UnsupportedType,
}

impl FormError {
    pub fn message(self) -> &'static str {
        match self {
            Self::TooLarge => "The form was too large to accept.",
            Self::NotUtf8 => "The form was not valid UTF-8 text.",
            Self::Malformed => "The form data was malformed.",
            Self::DuplicateField => "The form sent the same field twice.",
            Self::TooManyFields => "The form had too many fields.",
            Self::UnsupportedType => "The form must be sent as application/x-www-form-urlencoded.",
        }
    }
}

const MAX_FIELDS: usize = 32;

/// Parsed fields, in order. Names are unique.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Only the fields named in `names` (a route's [`crate::routes::RouteSpec::fields`])
    /// and [`crate::routes::RETURN_TO`]: a flow never sees a field its route does not
    /// declare.
    pub fn keep(mut self, names: &[&str]) -> Self {
        self.fields
            .retain(|(name, _)| names.contains(&name.as_str()) || name == crate::routes::RETURN_TO);
        self
    }

    /// The value, or `""` when absent: a missing field and an empty one are the same mistake
    /// for a person.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }
}

/// Refuses bodies of any type but urlencoded forms, and bodies of no declared type: a
/// browser's form always declares its type, and an untyped body is not known to be a form.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), FormError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Err(FormError::UnsupportedType);
    };
    let value = value.to_str().map_err(|_| FormError::UnsupportedType)?;
    let essence = value.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Ok(())
    } else {
        Err(FormError::UnsupportedType)
    }
}

/// Parses a body or query string.
pub fn parse_urlencoded(input: &[u8], max_bytes: usize) -> Result<Form, FormError> {
    if input.len() > max_bytes {
        return Err(FormError::TooLarge);
    }
    std::str::from_utf8(input).map_err(|_| FormError::NotUtf8)?;
    let mut fields: Vec<(String, String)> = Vec::new();
    for pair in input.split(|&b| b == b'&') {
        if pair.is_empty() {
            continue;
        }
        if fields.len() == MAX_FIELDS {
            return Err(FormError::TooManyFields);
        }
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let name = decode(name)?;
        let value = decode(value)?;
        if name.is_empty() {
            return Err(FormError::Malformed);
        }
        if fields.iter().any(|(n, _)| *n == name) {
            return Err(FormError::DuplicateField);
        }
        fields.push((name, value));
    }
    Ok(Form { fields })
}

fn decode(raw: &[u8]) -> Result<String, FormError> {
    // A `%` must start a two-digit escape; lenient decoders pass stray ones through, which
    // would make one body mean different things to different parsers.
    let mut i = 0;
    while let Some(offset) = raw[i..].iter().position(|&b| b == b'%') {
        let at = i + offset;
        let ok = raw
            .get(at + 1..at + 3)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
        if !ok {
            return Err(FormError::Malformed);
        }
        i = at + 3;
    }
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    let bytes: Vec<u8> = percent_decode(&plus_as_space).collect();
    String::from_utf8(bytes).map_err(|_| FormError::NotUtf8)
}

/// The form of an address used in keys: NFC, then lower case (NFC again, as lower-casing
/// can undo it). `josé@` typed precomposed or with a combining accent is one account.
pub fn email_key(address: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let lower = address.nfc().collect::<String>().to_lowercase();
    lower.nfc().collect()
}

/// An email address as typed (trimmed, NFC), and the form used in keys ([`email_key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub display: String,
    pub key: String,
}

impl Email {
    pub fn local_part(&self) -> &str {
        self.key.split('@').next().unwrap_or("")
    }
}

pub const EMAIL_MAX: usize = 254;

/// Checks the shape of an address (not deliverability: the verification mail does that).
pub fn parse_email(raw: &str) -> Result<Email, &'static str> {
    let display = raw.trim();
    if display.is_empty() {
        return Err("Enter your email address.");
    }
    if display.len() > EMAIL_MAX {
        return Err("That email address is too long.");
    }
    let mut parts = display.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err("Enter an email address like name@example.com.");
    };
    let bad_char = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>');
    if local.is_empty() || domain.is_empty() || display.chars().any(bad_char) {
        return Err("Enter an email address like name@example.com.");
    }
    let display: String = {
        use unicode_normalization::UnicodeNormalization;
        display.nfc().collect()
    };
    let key = email_key(&display);
    Ok(Email { display, key })
}

/// A required one-line text field: trimmed, 1..=`max` characters, no control characters.
pub fn parse_text(raw: &str, max: usize, what: &str) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(format!("Enter your {what}."));
    }
    if value.chars().count() > max {
        return Err(format!("Use at most {max} characters for your {what}."));
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "Your {what} contains characters that are not allowed."
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_leaves_a_flow_only_its_route_s_fields_and_return_to() -> Result<(), FormError> {
        let form = parse_urlencoded(
            b"email=a%40b.c&admin=1&return_to=%2Fdocs%2F&password=x",
            1024,
        )?
        .keep(&["email", "password"]);
        assert_eq!(form.get("email"), Some("a@b.c"));
        assert_eq!(form.get("password"), Some("x"));
        assert_eq!(form.get("return_to"), Some("/docs/"));
        assert_eq!(
            form.get("admin"),
            None,
            "undeclared fields never reach a flow"
        );
        Ok(())
    }

    #[test]
    fn parses_fields() -> Result<(), FormError> {
        let form = parse_urlencoded(b"email=a%40b.test&first_name=J+K&empty=&flag", 100)?;
        assert_eq!(form.get("email"), Some("a@b.test"));
        assert_eq!(form.get("first_name"), Some("J K"));
        assert_eq!(form.get("empty"), Some(""));
        assert_eq!(form.get("flag"), Some(""));
        assert_eq!(form.text("missing"), "");
        assert_eq!(
            parse_urlencoded("name=J%C3%BCrgen".as_bytes(), 100)?.get("name"),
            Some("Jürgen")
        );
        Ok(())
    }

    #[test]
    fn refuses_bad_input() {
        assert_eq!(parse_urlencoded(b"a=1", 2), Err(FormError::TooLarge));
        assert_eq!(parse_urlencoded(b"a=\xff", 100), Err(FormError::NotUtf8));
        assert_eq!(parse_urlencoded(b"a=%ff", 100), Err(FormError::NotUtf8));
        assert_eq!(parse_urlencoded(b"a=%zz", 100), Err(FormError::Malformed));
        assert_eq!(parse_urlencoded(b"a=%4", 100), Err(FormError::Malformed));
        assert_eq!(parse_urlencoded(b"=x", 100), Err(FormError::Malformed));
        assert_eq!(
            parse_urlencoded(b"a=1&a=2", 100),
            Err(FormError::DuplicateField)
        );
        let many = (0..40)
            .map(|i| format!("f{i}=1"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(
            parse_urlencoded(many.as_bytes(), 10_000),
            Err(FormError::TooManyFields)
        );
    }

    #[test]
    fn only_urlencoded_forms_are_accepted() {
        let typed = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, http::HeaderValue::from_static(value));
            check_content_type(&headers)
        };
        assert_eq!(typed("application/x-www-form-urlencoded"), Ok(()));
        assert_eq!(
            typed("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
            Ok(())
        );
        assert_eq!(typed("application/json"), Err(FormError::UnsupportedType));
        assert_eq!(
            typed("multipart/form-data"),
            Err(FormError::UnsupportedType)
        );
        assert_eq!(typed(""), Err(FormError::UnsupportedType));
        assert_eq!(
            check_content_type(&HeaderMap::new()),
            Err(FormError::UnsupportedType)
        );
    }

    #[test]
    fn emails() {
        let email = parse_email("  Ada.Lovelace@Example.COM ").ok();
        assert_eq!(
            email,
            Some(Email {
                display: "Ada.Lovelace@Example.COM".to_owned(),
                key: "ada.lovelace@example.com".to_owned()
            })
        );
        assert_eq!(
            email.map(|e| e.local_part().to_owned()).as_deref(),
            Some("ada.lovelace")
        );
        assert_eq!(
            parse_email("").map(|_| ()),
            Err("Enter your email address.")
        );
        for bad in [
            "plain",
            "a@b@c",
            "@b",
            "a@",
            "a b@c",
            "a@b\nc.test",
            "<a@b>",
        ] {
            assert_eq!(
                parse_email(bad).map(|_| ()),
                Err("Enter an email address like name@example.com."),
                "{bad:?}"
            );
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            parse_email(&long).map(|_| ()),
            Err("That email address is too long.")
        );
    }

    #[test]
    fn text_fields() {
        assert_eq!(parse_text("  Ada ", 10, "name"), Ok("Ada".to_owned()));
        assert_eq!(
            parse_text("   ", 10, "name"),
            Err("Enter your name.".to_owned())
        );
        assert_eq!(
            parse_text("a\u{0}b", 10, "name"),
            Err("Your name contains characters that are not allowed.".to_owned())
        );
        assert_eq!(
            parse_text(&"x".repeat(11), 10, "name"),
            Err("Use at most 10 characters for your name.".to_owned())
        );
    }
}
