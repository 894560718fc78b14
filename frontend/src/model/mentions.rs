//! Mentions on the page: `@name` picked out of a message's text (this person's own
//! name apart, by the shared rule `confab_shared::protocol::mentions`), and
//! completing `@name` in the message box from the people of the current room.

use std::collections::BTreeSet;

use confab_shared::protocol::mentions;
use confab_shared::{UserId, UserName};

use super::Chat;

/// A piece of a message's text: plain, or an `@name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// `@name` (the `@` included); `true` when it names this person.
    Mention(String, bool),
}

/// A character a username may hold.
fn name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// `body` cut into plain text and `@name`s: an `@` not after a name's character,
/// then a name's characters (a final `.` ends the sentence, not the name).
pub fn pieces(body: &str, me: &UserName) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = body;
    let mut before: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        if c == '@' && before.is_none_or(|b| !name_char(b)) {
            let len = rest[1..]
                .char_indices()
                .find(|(_, c)| !name_char(*c))
                .map_or(rest.len() - 1, |(at, _)| at);
            let name = rest[1..1 + len].trim_end_matches('.');
            if !name.is_empty() {
                let token = &rest[..1 + name.len()];
                if !plain.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut plain)));
                }
                out.push(Piece::Mention(token.to_owned(), mentions(token, me)));
                before = name.chars().next_back();
                rest = &rest[token.len()..];
                continue;
            }
        }
        plain.push(c);
        before = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    if !plain.is_empty() {
        out.push(Piece::Text(plain));
    }
    out
}

/// The `@name` being typed at `caret` (a byte offset into `text`): where its `@`
/// is, and what follows it so far.
pub fn typing_mention(text: &str, caret: usize) -> Option<(usize, &str)> {
    let head = text.get(..caret)?;
    let at = head.rfind('@')?;
    let typed = &head[at + 1..];
    let before = head[..at].chars().next_back();
    (typed.chars().all(name_char) && before.is_none_or(|b| !name_char(b))).then_some((at, typed))
}

/// `text` with the `@name` being typed at `caret` completed to `name` and a space;
/// and where the caret goes.
pub fn complete(text: &str, caret: usize, name: &UserName) -> Option<(String, usize)> {
    let (at, typed) = typing_mention(text, caret)?;
    let inserted = format!("@{name} ");
    let end = at + 1 + typed.len();
    let done = format!("{}{inserted}{}", &text[..at], &text[end..]);
    Some((done, at + inserted.len()))
}

/// How many names the box offers at most.
const OFFERED: usize = 8;

impl Chat {
    /// Whether a message by `author` saying `body` mentions this person (one's own
    /// messages never do).
    pub fn mentions_me(&self, author: &UserId, body: &str) -> bool {
        *author != self.me_id && mentions(body, &self.me)
    }

    /// The names to complete `@typed` with in the current room: its members (as
    /// far as the page knows them), the authors of its messages and who is online,
    /// beginning with `typed` (without case), this person left out, by name; none
    /// when the one name is typed whole already.
    pub fn mention_names(&self, typed: &str) -> Vec<UserName> {
        let Some(room) = self.current_room() else {
            return Vec::new();
        };
        let typed = typed.to_lowercase();
        let members = room.members.iter().flatten().map(|m| &m.user);
        let authors = room.messages.values().map(|m| &m.author);
        let people = self
            .conversation(&self.current)
            .into_iter()
            .flat_map(|c| c.members.iter().map(|p| &p.user));
        let names: BTreeSet<&UserName> = members
            .chain(authors)
            .chain(room.online.iter())
            .chain(people)
            .filter(|n| **n != self.me && n.as_str().to_lowercase().starts_with(&typed))
            .collect();
        // A name typed whole, and no other to choose: nothing to complete (so Enter
        // sends).
        if let [only] = names.iter().collect::<Vec<_>>()[..]
            && only.as_str().to_lowercase() == typed
        {
            return Vec::new();
        }
        names.into_iter().take(OFFERED).cloned().collect()
    }
}
