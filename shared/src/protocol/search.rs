//! Search: the messages of the rooms and conversations a person belongs to (and the
//! public rooms, if they ask) that hold every term of a query, newest first, a page
//! at a time, each with where its terms are. The one matching rule, which every
//! store keeps: a term is found where the text holds it, without case (Unicode case
//! folding by lower case), anywhere (no stemming, no word boundaries), so `plan`
//! finds "planning" and `会议` is found inside "明天的会议"; all terms must be found.

use serde::{Deserialize, Serialize};

use super::ChatMessage;

/// The most results one `search` answers with.
pub const SEARCH_LIMIT: u32 = 50;

/// The most terms a query may have.
pub const SEARCH_TERMS: usize = 8;

/// One message found, with where each term is in its text: `[start, end)` in
/// characters (Unicode scalar values) of `body`, in order, not overlapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub message: ChatMessage,
    pub matches: Vec<[u32; 2]>,
}

/// The terms of a query: its words (split at white space), without case, each once.
pub fn search_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in query.split_whitespace() {
        let term = word.to_lowercase();
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms
}

/// `text` without case, as [`find_terms`] looks in it (each character lowered on
/// its own): what a store that keeps a lowered copy to look in keeps.
pub fn folded(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// Where `terms` are in `text` (see [`SearchHit::matches`]), or None if one of them is
/// not there.
pub fn find_terms(text: &str, terms: &[String]) -> Option<Vec<[u32; 2]>> {
    // Lower case, keeping each lowered character's place in the text (lowering may
    // turn one character into several).
    let mut lowered = String::with_capacity(text.len());
    let mut place: Vec<u32> = Vec::with_capacity(text.len());
    for (at, c) in text.chars().enumerate() {
        for l in c.to_lowercase() {
            lowered.push(l);
            place.extend(std::iter::repeat_n(at as u32, l.len_utf8()));
        }
    }
    place.push(text.chars().count() as u32);
    let mut spans: Vec<[u32; 2]> = Vec::new();
    for term in terms {
        if term.is_empty() {
            continue;
        }
        let found: Vec<[u32; 2]> = lowered
            .match_indices(term.as_str())
            .map(|(at, hit)| [place[at], place[at + hit.len() - 1] + 1])
            .collect();
        if found.is_empty() {
            return None;
        }
        spans.extend(found);
    }
    spans.sort_unstable();
    let mut merged: Vec<[u32; 2]> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span[0] <= last[1] => last[1] = last[1].max(span[1]),
            _ => merged.push(span),
        }
    }
    Some(merged)
}

/// Whether a term can be looked up by an index of character triples (three
/// characters or more), or of pairs (two characters of a script written without
/// spaces: Chinese, Japanese, Korean).
pub fn term_kind(term: &str) -> TermKind {
    let chars = term.chars().count();
    if chars >= 3 {
        TermKind::Triples
    } else if chars == 2 && term.chars().all(is_cjk) {
        TermKind::Pairs
    } else {
        TermKind::Short
    }
}

/// How a term is looked up ([`term_kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    Triples,
    Pairs,
    /// One character, or two of a script with spaces: too short to look up alone.
    Short,
}

/// Han, kana, Hangul and their punctuation-free neighbours: scripts written without
/// spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'      // hiragana, katakana
        | '\u{3400}'..='\u{4DBF}'    // Han extension A
        | '\u{4E00}'..='\u{9FFF}'    // Han
        | '\u{AC00}'..='\u{D7AF}'    // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'    // Han compatibility
        | '\u{20000}'..='\u{2FA1F}') // Han extensions B-F
}

/// Whether `query` can be searched for: at most 200 characters and
/// [`SEARCH_TERMS`] terms, at least one of which an index can look up. The reason
/// if not, for people.
pub(super) fn check_query(query: &str) -> Result<(), String> {
    if query.chars().count() > 200 {
        return Err("a search is at most 200 characters".to_owned());
    }
    let terms = search_terms(query);
    if terms.len() > SEARCH_TERMS {
        return Err(format!("a search has at most {SEARCH_TERMS} words"));
    }
    if terms.iter().all(|t| term_kind(t) == TermKind::Short) {
        return Err(
            "search for a word of three letters or more (two in Chinese, Japanese or Korean)"
                .to_owned(),
        );
    }
    Ok(())
}

/// A date (`2026-12-03`) or an RFC 3339 time in UTC (`2026-12-03T14:00:00Z`): what
/// compares with a message's `ts` as text.
pub(super) fn is_time(value: &str) -> bool {
    let bytes = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    let date = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10);
    date && (value.len() == 10
        || (value.len() <= 30
            && bytes.get(10) == Some(&b'T')
            && value.ends_with('Z')
            && value[11..value.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<String> {
        search_terms(q)
    }

    #[test]
    fn every_term_without_case_anywhere() {
        assert_eq!(
            find_terms("The Plan for planning", &terms("plan")),
            Some(vec![[4, 8], [13, 17]])
        );
        assert_eq!(find_terms("the plan", &terms("plan budget")), None);
        assert_eq!(
            find_terms("明天的会议在三楼", &terms("会议")),
            Some(vec![[3, 5]])
        );
        // Overlapping terms make one span; characters, not bytes.
        assert_eq!(
            find_terms("café crème", &terms("CAFÉ fé")),
            Some(vec![[0, 4]])
        );
        assert_eq!(terms("Plan  plan PLAN x"), ["plan", "x"]);
    }

    #[test]
    fn which_terms_an_index_finds() {
        assert_eq!(term_kind("plan"), TermKind::Triples);
        assert_eq!(term_kind("会议"), TermKind::Pairs);
        assert_eq!(term_kind("ok"), TermKind::Short);
        assert_eq!(term_kind("会"), TermKind::Short);
        assert_eq!(term_kind("ไทย"), TermKind::Triples);
    }
}
