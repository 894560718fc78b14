//! Validated strings: a value of one of these types is known to be acceptable, so the
//! server and the page check input once, at the edge, and pass the type along.
//!
//! Each type deserializes through its validation, so a `ServerMsg` read by the page
//! cannot carry a name the server would refuse.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a string was refused. The `Display` text is meant for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("room names are 1-32 characters of a-z, 0-9, '_' and '-'")]
    RoomName,
    #[error("names are 1-32 letters, digits, '_', '-' or '.'")]
    UserName,
    #[error(
        "a message must not be blank, has no control characters but line breaks and tabs, \
         and is at most {max} characters",
        max = MessageBody::MAX_CHARS
    )]
    MessageBody,
    #[error("client ids are 1-64 characters of A-Z, a-z, 0-9, '_' and '-'")]
    ClientId,
    #[error("user ids are 1-64 characters, without spaces or control characters")]
    UserId,
    #[error("a topic is at most 200 characters, on one line")]
    Topic,
    #[error("request ids are 1-64 characters of A-Z, a-z, 0-9, '_' and '-'")]
    RequestId,
    #[error("a reaction is one emoji (one character as shown, at most 32 bytes)")]
    Emoji,
}

/// Declares a string newtype whose constructor runs `$check`.
macro_rules! validated_string {
    ($(#[$doc:meta])* $name:ident, $check:path, $err:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks `value` and wraps it.
            pub fn new(value: impl Into<String>) -> Result<Self, InvalidValue> {
                let value = value.into();
                if $check(&value) { Ok(Self(value)) } else { Err($err) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

validated_string!(
    /// A room: 1-32 characters of `a-z`, `0-9`, `_` and `-` (so it is safe in a URL).
    RoomName,
    is_room_name,
    InvalidValue::RoomName
);

validated_string!(
    /// A person's display name: 1-32 letters (any script), digits, `_`, `-` or `.`.
    UserName,
    is_user_name,
    InvalidValue::UserName
);

validated_string!(
    /// The text of a message: 1-4000 characters, not only white space, no control
    /// characters but line breaks and tabs (so any body fits in one 16 KiB frame).
    /// Always shown as text, never interpreted as HTML.
    MessageBody,
    is_message_body,
    InvalidValue::MessageBody
);

validated_string!(
    /// Chosen by the sender for each message it sends; unique per author. A resend with
    /// the same id is recognised as the same message.
    ClientId,
    is_client_id,
    InvalidValue::ClientId
);

validated_string!(
    /// Who a person is, for good: what messages, presence and "mine" are keyed on.
    /// Opaque to clients (compare, never parse): 1-64 characters, no white space or
    /// control characters. A guest's is `guest:` and the name it picked.
    UserId,
    is_user_id,
    InvalidValue::UserId
);

validated_string!(
    /// What a room is about: at most 200 characters on one line (may be empty).
    Topic,
    is_topic,
    InvalidValue::Topic
);

validated_string!(
    /// Chosen by a client for a request that gets a reply (`search`, `history`):
    /// the reply (or the refusal) carries it back.
    RequestId,
    is_client_id,
    InvalidValue::RequestId
);

validated_string!(
    /// A reaction: one emoji (one grapheme, at most 32 bytes; `emoji.rs`).
    Emoji,
    crate::emoji::is_emoji,
    InvalidValue::Emoji
);

impl Default for Topic {
    /// No topic.
    fn default() -> Self {
        Self(String::new())
    }
}

impl UserId {
    /// The id of the guest who picked `name`: the same name is the same guest.
    pub fn guest(name: &UserName) -> Self {
        Self(format!("guest:{name}"))
    }

    /// Whether this is a guest's id (made by [`UserId::guest`]), not an account's.
    pub fn is_guest(&self) -> bool {
        self.0.starts_with("guest:")
    }
}

impl MessageBody {
    /// The most characters (Unicode scalar values) a body may have.
    pub const MAX_CHARS: usize = 4000;
}

fn length_within(value: &str, max: usize) -> bool {
    // Byte length bounds the character count from above, so most values skip the count.
    !value.is_empty() && (value.len() <= max || value.chars().count() <= max)
}

fn is_room_name(value: &str) -> bool {
    value.len() <= 32
        && !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn is_user_name(value: &str) -> bool {
    length_within(value, 32)
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn is_message_body(value: &str) -> bool {
    length_within(value, MessageBody::MAX_CHARS)
        && !value.trim().is_empty()
        && !value
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
}

fn is_client_id(value: &str) -> bool {
    value.len() <= 64
        && !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn is_topic(value: &str) -> bool {
    (value.is_empty() || length_within(value, 200)) && !value.chars().any(char::is_control)
}

fn is_user_id(value: &str) -> bool {
    length_within(value, 64) && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_names() {
        for ok in ["general", "a", "dev-ops_2", &"x".repeat(32)] {
            assert!(RoomName::new(ok).is_ok(), "{ok:?} should be accepted");
        }
        for bad in ["", "General", "has space", "ünï", &"x".repeat(33), "a/b"] {
            assert_eq!(RoomName::new(bad), Err(InvalidValue::RoomName), "{bad:?}");
        }
    }

    #[test]
    fn user_names() {
        for ok in [
            "alice",
            "Bob.Smith",
            "zoë",
            "李小龙",
            "x_-.9",
            &"é".repeat(32),
        ] {
            assert!(UserName::new(ok).is_ok(), "{ok:?} should be accepted");
        }
        for bad in ["", "a b", "<script>", "semi;colon", &"é".repeat(33)] {
            assert_eq!(UserName::new(bad), Err(InvalidValue::UserName), "{bad:?}");
        }
    }

    #[test]
    fn message_bodies() {
        for ok in ["hi", " padded ", "line\nbreak", &"é".repeat(4000)] {
            assert!(MessageBody::new(ok).is_ok(), "{ok:?} should be accepted");
        }
        for bad in [
            "",
            "   ",
            "\n\t",
            "nul\0",
            "bell\u{7}",
            &"é".repeat(4001),
            &"a".repeat(4001),
        ] {
            assert_eq!(MessageBody::new(bad), Err(InvalidValue::MessageBody));
        }
    }

    #[test]
    fn client_ids() {
        assert!(ClientId::new("3f2a-9c_01").is_ok());
        assert!(ClientId::new("a".repeat(64)).is_ok());
        for bad in ["", "with space", "é", &"a".repeat(65)] {
            assert_eq!(ClientId::new(bad), Err(InvalidValue::ClientId), "{bad:?}");
        }
    }

    #[test]
    fn user_ids() {
        let guest = UserId::guest(&UserName::new("é".repeat(32)).unwrap());
        assert_eq!(UserId::new(guest.as_str()), Ok(guest.clone()));
        assert_eq!(
            UserId::guest(&UserName::new("ann").unwrap()).as_str(),
            "guest:ann"
        );
        for bad in ["", "a b", "tab\t", &"a".repeat(65)] {
            assert_eq!(UserId::new(bad), Err(InvalidValue::UserId), "{bad:?}");
        }
    }

    #[test]
    fn deserializing_validates() {
        let ok: RoomName = serde_json::from_str("\"general\"").unwrap();
        assert_eq!(ok.as_str(), "general");
        assert!(serde_json::from_str::<RoomName>("\"Bad Room\"").is_err());
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"general\"");
    }
}
