//! axe-core on the first screen and on the chat screen, in the light and the dark
//! colour scheme: no serious or critical violation (contrast among them), with
//! authors of every name colour on the screen, a private room in the sidebar, the
//! invite box in the header and membership lines between the messages.

use confab_e2e::axe::{self, DARK, LIGHT};
use confab_e2e::bot::Bot;
use confab_e2e::rooms::create_room;
use confab_e2e::{Driver, Server};
use fantoccini::Locator;

/// The page's name colours: one of twelve by a hash of the name (components/mod.rs).
fn tone(name: &str) -> u32 {
    name.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    }) % 12
}

/// Names that between them take every one of the page's name colours.
fn one_name_per_colour() -> Vec<String> {
    let mut names: Vec<Option<String>> = vec![None; 12];
    for n in 0..1000 {
        let name = format!("pal{n}");
        let slot = &mut names[tone(&name) as usize];
        if slot.is_none() {
            *slot = Some(name);
        }
    }
    names.into_iter().flatten().collect()
}

async fn no_grave_violations_in(scheme: &str, dark: bool, label: &str) {
    let server = Server::start().await;
    let url = server.url();
    let driver = Driver::start().await;
    let ann = driver.person_with(&[scheme]).await;

    ann.client.goto(&url).await.expect("open the page");
    ann.find(Locator::Css("form#guest")).await;
    let seen_dark: bool = ann
        .eval(
            "the colour scheme",
            "return matchMedia('(prefers-color-scheme: dark)').matches",
        )
        .await;
    assert_eq!(seen_dark, dark, "the page sees the {label}");
    axe::assert_no_grave_violations(&ann, &format!("the first screen, {label}")).await;

    ann.fill_account("ann", "correct horse", "Sign up").await;
    ann.wait_connected().await;
    create_room(&ann, "plans", true).await;
    ann.click(Locator::XPath(
        "//button[@class='room-link'][contains(., 'general')]",
    ))
    .await;
    let names = one_name_per_colour();
    assert_eq!(names.len(), 12, "every colour has a name");
    let mut bots = Vec::new();
    for name in &names {
        let mut bot = Bot::join(server.addr, name, "general").await;
        bot.say(&format!("hello from {name}")).await;
        bots.push(bot);
    }
    // An account joining makes a membership line ("bob joined", with its time).
    let bob = driver.person().await;
    bob.try_account(&url, "bob", "correct horse", "Sign up")
        .await;
    bob.wait_connected().await;
    bob.close().await;
    ann.say("and from ann").await;
    ann.wait_bodies("every author's line", |b| b.len() == names.len() + 1)
        .await;
    ann.find(Locator::Css("form.invite")).await;
    ann.find(Locator::Css(".room-note time")).await;
    let headings: usize = ann
        .eval(
            "level-one headings",
            "return document.querySelectorAll('h1').length",
        )
        .await;
    assert_eq!(headings, 1, "the chat screen has one level-one heading");
    axe::assert_no_grave_violations(&ann, &format!("the chat screen, {label}")).await;
    ann.screenshot(if dark { "chat-dark" } else { "chat-light" })
        .await;

    for bot in bots {
        bot.leave().await;
    }
    ann.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_serious_violations_in_the_light_scheme() {
    no_grave_violations_in(LIGHT, false, "light scheme").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_serious_violations_in_the_dark_scheme() {
    no_grave_violations_in(DARK, true, "dark scheme").await;
}
