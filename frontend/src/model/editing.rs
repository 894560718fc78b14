//! Editing one's own message in place: which message of the open room is being
//! edited (one at a time), the newest of one's own that Up arrow in an empty message
//! box opens, and the `edit_message` frame a save sends. The server's
//! `message_edited` event is what changes the text (`Chat::apply`), here as in every
//! other tab. A saved edit is kept until that event (or a refusal) comes back, and
//! sent again after a reconnect with its client id, so an edit made as the
//! connection dropped is not lost (the server applies it once).

use confab_shared::{ClientId, ClientMsg, MessageBody, MessageId, RoomName};

use super::Chat;

impl Chat {
    /// The message being edited, if one is (the page reads it off the rows).
    #[cfg(test)]
    pub(super) fn editing(&self) -> Option<MessageId> {
        self.editing
    }

    /// Opens message `id` of the open room for editing, if it is this person's and
    /// stored; gives whether it did.
    pub fn start_editing(&mut self, id: MessageId) -> bool {
        let mine = self.current_room().is_some_and(|room| {
            room.messages
                .values()
                .any(|m| m.id == id && m.author_id == self.me_id)
        });
        if !mine {
            return false;
        }
        self.set_editing(Some(id));
        true
    }

    /// Opens the newest of this person's stored messages in the open room (Up arrow
    /// in an empty message box); gives whether there was one.
    pub fn edit_last(&mut self) -> bool {
        let last = self.current_room().and_then(|room| {
            room.messages
                .values()
                .rev()
                .find(|m| m.author_id == self.me_id)
                .map(|m| m.id)
        });
        last.is_some_and(|id| self.start_editing(id))
    }

    /// Closes the editor without saving (Escape, Cancel, or after a save).
    pub fn stop_editing(&mut self) {
        self.set_editing(None);
    }

    /// Saves the message being edited as `body`: the frame to send, or None when
    /// the text did not change (the editor closes either way).
    pub fn save_edit(&mut self, client_id: ClientId, body: MessageBody) -> Option<ClientMsg> {
        let id = self.editing?;
        let same = self
            .current_room()
            .and_then(|room| room.messages.values().find(|m| m.id == id))
            .is_none_or(|m| m.body == body);
        self.stop_editing();
        if same {
            return None;
        }
        let edit = PendingEdit {
            room: self.current.clone(),
            id,
            client_id,
            body,
        };
        let frame = edit.frame();
        self.pending_edits.push(edit);
        Some(frame)
    }

    /// An edit came back from the server (`message_edited` with its client id).
    pub(super) fn edit_landed(&mut self, client_id: &ClientId) {
        self.pending_edits.retain(|e| e.client_id != *client_id);
    }

    /// The server refused an edit (the message is gone, the person muted): it is not
    /// sent again. Gives whether it was one.
    pub(super) fn edit_refused(&mut self, client_id: &ClientId) -> bool {
        let before = self.pending_edits.len();
        self.edit_landed(client_id);
        self.pending_edits.len() != before
    }

    /// The edits not yet confirmed, to send again after a reconnect (after the joins).
    pub(super) fn edit_resends(&self) -> impl Iterator<Item = ClientMsg> + '_ {
        self.pending_edits.iter().map(PendingEdit::frame)
    }

    fn set_editing(&mut self, editing: Option<MessageId>) {
        if self.editing == editing {
            return;
        }
        for id in [self.editing, editing].into_iter().flatten() {
            self.changed.messages.insert(id);
        }
        self.changed.lines.insert(self.current.clone());
        self.editing = editing;
    }
}

/// An edit sent and not yet confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PendingEdit {
    room: RoomName,
    id: MessageId,
    client_id: ClientId,
    body: MessageBody,
}

impl PendingEdit {
    fn frame(&self) -> ClientMsg {
        ClientMsg::EditMessage {
            room: self.room.clone(),
            id: self.id,
            client_id: self.client_id.clone(),
            body: self.body.clone(),
        }
    }
}
