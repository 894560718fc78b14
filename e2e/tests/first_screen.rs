//! The first screen: joining as a guest is offered only where the server lets
//! guests in; Enter after a new username and password means "Sign in", which says
//! the username or password is wrong, and beside that how a new person signs up.

use confab_e2e::Scene;
use confab_e2e::accounts_only::AccountsOnly;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn enter_with_a_new_name_points_to_sign_up() {
    let scene = Scene::with(&[]).await;
    let url = scene.server.url();
    let zoe = scene.driver.person().await;
    zoe.client.goto(&url).await.expect("open the page");
    // This server lets guests in, and says so: the guest form is offered.
    zoe.find(Locator::Css("form#guest")).await;

    let field = zoe.find(Locator::Css("input#username")).await;
    field.send_keys("zoe").await.expect("type the username");
    let field = zoe.find(Locator::Css("input#password")).await;
    field
        .send_keys("correct horse\u{E007}")
        .await
        .expect("type the password and press Enter");
    let hint = zoe.account_refusal().await;
    assert!(
        hint.to_lowercase().contains("wrong username or password"),
        "{hint}"
    );
    assert!(hint.contains("Sign up"), "says how to sign up: {hint}");

    // And the button does what it says.
    zoe.click(Locator::XPath(
        "//form[@id='account']//button[normalize-space()='Sign up']",
    ))
    .await;
    zoe.wait_connected().await;

    zoe.close().await;
    scene.end().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_guest_form_where_guests_are_not_let_in() {
    // A usual scene first: it checks the built page is current.
    let scene = Scene::with(&[]).await;
    let accounts_only = AccountsOnly::start().await;
    let zoe = scene.driver.person().await;
    zoe.client
        .goto(&accounts_only.url())
        .await
        .expect("open the page");
    zoe.find(Locator::Css("form#account")).await;
    // Once the page has the server's answer, it says so on the screen's element.
    zoe.find(Locator::Css("main.login[data-guests=false]"))
        .await;
    let guest_forms = zoe
        .client
        .find_all(Locator::Css("form#guest"))
        .await
        .expect("look for the guest form");
    assert!(guest_forms.is_empty(), "no guest form without guests");
    let text = zoe
        .find(Locator::Css("main.login"))
        .await
        .text()
        .await
        .expect("the screen's text");
    assert!(!text.contains("guest"), "{text}");
    // Signing up works all the same.
    zoe.fill_account("zoe", "correct horse", "Sign up").await;
    zoe.wait_connected().await;

    zoe.close().await;
    accounts_only.stop().await;
    scene.end().await;
}
