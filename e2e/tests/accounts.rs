//! Signing up, in and out on the page, and chatting as an account beside a guest.

use confab_e2e::{Scene, eventually};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_chat_sign_out_and_sign_in_again() {
    // A guest already in the chat, and a second window for the account.
    let scene = Scene::with(&["guest-gil"]).await;
    let gil = &scene.people[0];
    let ann = scene.driver.person().await;
    let url = scene.server.url();

    ann.try_account(&url, "ann", "correct horse", "Sign up")
        .await;
    ann.wait_connected().await;
    let signed = ann.find(Locator::Css("footer.me")).await;
    let text = signed.text().await.expect("the footer's text");
    assert!(
        text.contains("Signed in as ann") && text.contains("Sign out"),
        "{text}"
    );

    ann.say("hello from an account").await;
    gil.wait_bodies("the guest sees the account's message", |b| {
        b == ["hello from an account"]
    })
    .await;

    // Signing out goes back to the first screen; a reload stays signed out.
    ann.click(Locator::XPath(
        "//footer[@class='me']//button[normalize-space()='Sign out']",
    ))
    .await;
    ann.find(Locator::Css("form#account")).await;
    ann.client.refresh().await.expect("reload");
    ann.find(Locator::Css("form#account")).await;

    // A wrong password is refused with a sentence; the right one signs in, and the
    // history is there.
    ann.fill_account("ann", "wrong horse", "Sign in").await;
    let hint = ann.account_refusal().await;
    assert!(
        hint.to_lowercase().contains("wrong username or password"),
        "{hint}"
    );
    ann.fill_account("ann", "correct horse", "Sign in").await;
    ann.wait_connected().await;
    ann.wait_bodies("history after signing in again", |b| {
        b == ["hello from an account"]
    })
    .await;
    // And a reload keeps the session: no first screen.
    ann.client.refresh().await.expect("reload");
    ann.wait_connected().await;

    // Nobody can join as a guest under the account's name, in any case; the page
    // says why before connecting.
    let eve = scene.driver.person().await;
    eve.client.goto(&url).await.expect("open the page");
    let field = eve.find(Locator::Css("input#name")).await;
    field.send_keys("ANN").await.expect("type the name");
    eve.click(Locator::Css("form#guest button[type=submit]"))
        .await;
    let why = eventually("the guest name is refused", || async {
        let hint = eve
            .client
            .find(Locator::Css("#name-hint.problem"))
            .await
            .ok()?;
        hint.text().await.ok().filter(|t| t.contains("account"))
    })
    .await;
    assert!(why.contains("sign in"), "{why}");

    eve.close().await;
    ann.close().await;
    scene.end().await;
}
