//! What a reaction may be: one grapheme (as a person sees one character) of at most
//! 32 bytes, not white space or a control character. Emoji are the point, so the
//! sequences emoji are made of are understood here without a Unicode segmentation
//! table (which would weigh on the page): a base character, then variation
//! selectors, skin tones, a keycap, tag characters, combining marks, characters
//! joined by a zero-width joiner, or a second regional indicator (a flag).

/// The most bytes a reaction may take.
pub const EMOJI_MAX_BYTES: usize = 32;

pub(crate) fn is_emoji(value: &str) -> bool {
    if value.is_empty() || value.len() > EMOJI_MAX_BYTES {
        return false;
    }
    let mut chars = value.chars();
    let Some(base) = chars.next() else {
        return false;
    };
    if base.is_whitespace() || base.is_control() || extends(base) || base == ZWJ {
        return false;
    }
    let mut flag_half = is_regional_indicator(base);
    let mut joined = false;
    for c in chars {
        if joined {
            // After a joiner comes the next character of the sequence.
            if c.is_whitespace() || c.is_control() || extends(c) || c == ZWJ {
                return false;
            }
            joined = false;
            continue;
        }
        if c == ZWJ {
            joined = true;
        } else if flag_half && is_regional_indicator(c) {
            flag_half = false;
        } else if !extends(c) {
            return false;
        }
    }
    !joined
}

const ZWJ: char = '\u{200D}';

/// A character that belongs to the one before it.
fn extends(c: char) -> bool {
    matches!(c,
        '\u{FE00}'..='\u{FE0F}'          // variation selectors
        | '\u{1F3FB}'..='\u{1F3FF}'      // skin tones
        | '\u{20E3}'                     // combining keycap
        | '\u{E0020}'..='\u{E007F}'      // tags (subdivision flags)
        | '\u{0300}'..='\u{036F}'        // combining diacritical marks
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_grapheme_of_emoji_is_one_reaction() {
        for ok in [
            "👍",
            "❤️",
            "👍🏽",
            "1️⃣",
            "🇫🇷",
            "👩‍💻",
            "👨‍👩‍👧‍👦",
            "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
            "+",
            "é",
            "e\u{301}",
            "会",
        ] {
            assert!(is_emoji(ok), "{ok:?} should be accepted");
        }
        for bad in [
            "",
            " ",
            "👍👍",
            "ab",
            "🇫🇷🇩🇪",
            "\u{301}",
            "\u{200D}👍",
            "👩\u{200D}",
            "\n",
            "👍 ",
            // Seven people joined: one grapheme, but 46 bytes.
            "👩‍👩‍👧‍👦‍👩‍👩‍👧",
        ] {
            assert!(!is_emoji(bad), "{bad:?} should be refused");
        }
    }
}
