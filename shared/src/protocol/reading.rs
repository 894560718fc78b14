//! Read state: a marker per person per room (the seq up to which they have read),
//! kept by the server, and what is unread after it: messages by others, not deleted,
//! counted up to [`UNREAD_CAP`], and those among them that mention the reader.

use crate::names::UserName;

/// Unread and mention counts stop at this many: a count of 100 means "100 or more"
/// (a client shows "99+"). Counting stops there so that the counts of hundreds of
/// rooms cost little however far behind a reader is.
pub const UNREAD_CAP: u32 = 100;

/// Whether `body` mentions `name`: `@` and the name (letters compared without case),
/// not followed by another character a name may hold, and not preceded by one (so
/// `mail@ann.example` is no mention of `ann`... unless followed by a space).
pub fn mentions(body: &str, name: &UserName) -> bool {
    let name = name.as_str().to_lowercase();
    let lower = body.to_lowercase();
    let name_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    let mut from = 0;
    while let Some(at) = lower[from..].find('@') {
        let start = from + at;
        let before = lower[..start].chars().next_back();
        let rest = &lower[start + 1..];
        if before.is_none_or(|c| !name_char(c)) && rest.starts_with(&name) {
            let after = rest[name.len()..].chars().next();
            // A name may end a sentence: "thanks @ann." is a mention.
            let ends = match after {
                None => true,
                Some('.') => rest[name.len() + 1..]
                    .chars()
                    .next()
                    .is_none_or(|c| !name_char(c)),
                Some(c) => !name_char(c),
            };
            if ends {
                return true;
            }
        }
        from = start + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mention_is_the_whole_name_after_an_at_sign() {
        let ann = UserName::new("ann").unwrap();
        for yes in [
            "@ann",
            "hi @ann!",
            "@Ann, look",
            "thanks @ann.",
            "(@ann)",
            "@bob @ann",
        ] {
            assert!(mentions(yes, &ann), "{yes:?}");
        }
        for no in [
            "ann", "@anna", "@ann_b", "mail@ann", "@ann.b", "@an", "", "@",
        ] {
            assert!(!mentions(no, &ann), "{no:?}");
        }
        let dotted = UserName::new("j.doe").unwrap();
        assert!(mentions("cc @j.doe", &dotted));
    }
}
