//! When two names are the same name: as people see them, not as bytes. A name's key
//! is what uniqueness is checked on (accounts among themselves, and a guest's name
//! against the accounts'), stored beside the name (`users.name_key`) so that the
//! database enforces it.
//!
//! The key is the name after Unicode compatibility normalisation (NFKC: fullwidth
//! "ｚｏｅ" is "zoe"), lower case in every script ("ÉMILE" is "émile"), and the
//! confusable skeleton of Unicode Technical Standard #39 (a Cyrillic "о" in a Latin
//! name is the Latin "o"; "0" is "o"), lower-cased again because skeletons keep the
//! case of their prototypes. So a name that looks like a taken one is taken.

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// The key of `name`: equal for names people cannot tell apart.
pub fn name_key(name: &str) -> String {
    let folded: String = name.nfkc().collect::<String>().to_lowercase();
    let shape: String = skeleton(&folded).collect();
    shape.to_lowercase().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn names_people_cannot_tell_apart_have_one_key() {
        let same = [
            ("émile", "ÉMILE"),
            ("émile", "e\u{301}mile"),
            ("zoe", "ｚｏｅ"),
            ("zoe", "ZOE"),
            // Cyrillic о and е in a Latin name.
            ("zoe", "z\u{43e}\u{435}"),
            ("bob", "b0b"),
            ("Ωmega", "ωMEGA"),
            ("straße", "STRAẞE"),
            ("東京", "東京"),
        ];
        for (a, b) in same {
            assert_eq!(name_key(a), name_key(b), "{a} and {b}");
        }
    }

    #[test]
    fn different_names_have_different_keys() {
        let different = [
            ("ann", "anna"),
            ("émile", "emilie"),
            ("東京", "京都"),
            ("zoe", "zoé"),
        ];
        for (a, b) in different {
            assert_ne!(name_key(a), name_key(b), "{a} and {b}");
        }
    }
}
