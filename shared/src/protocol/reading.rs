//! Read state: a marker per person per room (the seq up to which they have read),
//! kept by the server, and what is unread after it: messages by others, not deleted,
//! counted up to [`UNREAD_CAP`], and those among them that mention the reader.

use crate::names::UserName;

/// Unread and mention counts stop at this many: a count of 100 means "100 or more"
/// (a client shows "99+"). Counting stops there so that the counts of hundreds of
/// rooms cost little however far behind a reader is.
pub const UNREAD_CAP: u32 = 100;

/// Whether `body` mentions `name`: one of [`mentioned`].
pub fn mentions(body: &str, name: &UserName) -> bool {
    let name = name.as_str().to_lowercase();
    mentioned(body).any(|m| m == name)
}

/// The names `body` mentions, in lower case: each `@` not preceded by a character a
/// name may hold (so `mail@ann.example` mentions nobody), followed by the longest run
/// of such characters, less the dots that end it (so `thanks @ann.` mentions `ann`,
/// and `@ann.b` mentions `ann.b`). A name may come more than once.
pub fn mentioned(body: &str) -> impl Iterator<Item = String> + '_ {
    let name_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    let mut before: Option<char> = None;
    let mut chars = body.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((at, c)) = chars.next() {
            let starts = c == '@' && before.is_none_or(|b| !name_char(b));
            before = Some(c);
            if !starts {
                continue;
            }
            let from = at + 1;
            let mut to = from;
            while let Some(&(i, n)) = chars.peek() {
                if !name_char(n) {
                    break;
                }
                to = i + n.len_utf8();
                before = Some(n);
                chars.next();
            }
            let name = body[from..to].trim_end_matches('.');
            if !name.is_empty() {
                return Some(name.to_lowercase());
            }
        }
        None
    })
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
        assert!(mentions("@ann... well", &ann), "dots end a name");
        let all: Vec<String> = mentioned("@Bob and @ann, mail@cat.example, @ÉVA.").collect();
        assert_eq!(all, ["bob", "ann", "éva"]);
    }
}
