//! The first screen: Enter after a new username and password means "Sign in", which
//! says the username or password is wrong; beside that it says how a new person
//! signs up.

use confab_e2e::{Scene, eventually};
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
    let hint = eventually("the refusal is shown", || async {
        let hint = zoe
            .client
            .find(Locator::Css("#account-hint.problem"))
            .await
            .ok()?;
        hint.text().await.ok().filter(|t| !t.is_empty())
    })
    .await;
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
