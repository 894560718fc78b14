//! The formatting people type, and what must never become anything but text.

use super::Node::{self, *};
use super::parse;

fn text(t: &str) -> Node {
    Text(t.to_owned())
}

fn link(href: &str, label: &str) -> Node {
    Link {
        href: href.to_owned(),
        children: vec![text(label)],
    }
}

#[test]
fn the_common_formatting() {
    assert_eq!(
        parse("**bold** _it_ ~~gone~~ `x < y`"),
        [Paragraph(vec![
            Strong(vec![text("bold")]),
            text(" "),
            Emphasis(vec![text("it")]),
            text(" "),
            Strike(vec![text("gone")]),
            text(" "),
            Code("x < y".to_owned()),
        ])]
    );
    assert_eq!(
        parse("```\nfn main() {\n    <b>\n}\n```"),
        [CodeBlock("fn main() {\n    <b>\n}".to_owned())]
    );
    assert_eq!(
        parse("> quoted\n\n- one\n- two\n\n3. three"),
        [
            Quote(vec![Paragraph(vec![text("quoted")])]),
            List {
                start: None,
                items: vec![Item(vec![text("one")]), Item(vec![text("two")])]
            },
            List {
                start: Some(3),
                items: vec![Item(vec![text("three")])]
            },
        ]
    );
    // A line break is kept, as typed.
    assert_eq!(
        parse("one\ntwo"),
        [Paragraph(vec![text("one"), Break, text("two")])]
    );
}

#[test]
fn links_go_only_to_the_web_and_to_mail() {
    assert_eq!(
        parse("[docs](https://example.com/a) [mail](mailto:a@example.com)"),
        [Paragraph(vec![
            link("https://example.com/a", "docs"),
            text(" "),
            link("mailto:a@example.com", "mail"),
        ])]
    );
    for bad in [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](data:text/html,hi)",
        "[x](/relative)",
        "![x](javascript:alert(1))",
    ] {
        assert_eq!(parse(bad), [Paragraph(vec![text("x")])], "{bad}");
    }
    // An image is a link to it, never loaded.
    assert_eq!(
        parse("![cat](https://example.com/cat.png)"),
        [Paragraph(vec![link("https://example.com/cat.png", "cat")])]
    );
}

#[test]
fn html_is_shown_as_typed() {
    assert_eq!(
        parse("<script>alert(1)</script>"),
        [text("<script>alert(1)</script>")]
    );
    assert_eq!(
        parse("hi <b onclick=x>there</b>"),
        [Paragraph(vec![text("hi <b onclick=x>there</b>")])]
    );
    assert_eq!(
        parse("<img src=x onerror=alert(1)>"),
        [text("<img src=x onerror=alert(1)>")]
    );
}

#[test]
fn bare_urls_become_links() {
    assert_eq!(
        parse("see https://example.com/a_b?x=1, (or http://x.org/wiki/A_(b))."),
        [Paragraph(vec![
            text("see "),
            link("https://example.com/a_b?x=1", "https://example.com/a_b?x=1"),
            text(", (or "),
            link("http://x.org/wiki/A_(b)", "http://x.org/wiki/A_(b)"),
            text(")."),
        ])]
    );
    // Not in code, not half a word, not a bare scheme.
    assert_eq!(
        parse("`https://example.com` xhttps://a.b http://"),
        [Paragraph(vec![
            Code("https://example.com".to_owned()),
            text(" xhttps://a.b http://"),
        ])]
    );
    // An autolink and a link's own text are links once.
    assert_eq!(
        parse("<https://example.com>"),
        [Paragraph(vec![link(
            "https://example.com",
            "https://example.com"
        )])]
    );
}

#[test]
fn a_heading_is_a_bold_line_and_plain_text_stays_plain() {
    assert_eq!(parse("# Big"), [Paragraph(vec![Strong(vec![text("Big")])])]);
    assert_eq!(
        parse("hello @ann, 2*3=6 & a_b_c"),
        [Paragraph(vec![text("hello @ann, 2*3=6 & a_b_c")])]
    );
}
