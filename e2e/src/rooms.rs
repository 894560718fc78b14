//! Making and joining rooms from the sidebar, as a person does.

use fantoccini::Locator;

use crate::Person;

/// Makes `name` with the sidebar's "New room" form (`private` or public) and waits
/// until it is the room shown.
pub async fn create_room(person: &Person, name: &str, private: bool) {
    person.click(Locator::Css("button.new-room-toggle")).await;
    let field = person.find(Locator::Css("input#new-room-name")).await;
    field.send_keys(name).await.expect("type the room's name");
    if private {
        person.click(Locator::Css("input#new-room-private")).await;
    }
    person
        .click(Locator::Css("form#new-room button[type=submit]"))
        .await;
    wait_in_room(person, name).await;
}

/// Types `name` into the box that joins a room, and presses Enter; does not wait.
pub async fn type_room_name(person: &Person, name: &str) {
    let field = person.find(Locator::Css("input#room-name")).await;
    field
        .send_keys(&format!("{name}\u{E007}"))
        .await
        .expect("type a room name");
}

/// Joins the existing room `name` by its name and waits until it is shown.
pub async fn join_room(person: &Person, name: &str) {
    type_room_name(person, name).await;
    wait_in_room(person, name).await;
}

/// Waits until the room shown (the page's heading) is `name`.
pub async fn wait_in_room(person: &Person, name: &str) {
    let heading = format!("//main//h1[contains(., '{name}')]");
    person.find(Locator::XPath(&heading)).await;
}
