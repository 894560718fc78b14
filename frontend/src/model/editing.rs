//! Editing one's own message in place: which message of the open room is being
//! edited (one at a time), the newest of one's own that Up arrow in an empty message
//! box opens, and the `edit_message` frame a save sends. The server's
//! `message_edited` event is what changes the text (`Chat::apply`), here as in every
//! other tab.

use confab_shared::{ClientId, ClientMsg, MessageBody, MessageId};

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
        (!same).then(|| ClientMsg::EditMessage {
            room: self.current.clone(),
            id,
            client_id,
            body,
        })
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
