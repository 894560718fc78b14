//! A message's text as formatted (a safe subset of Markdown): bold, italic, strike,
//! inline code, code blocks, quotes, lists, links, and bare URLs made links. Parsed
//! with pulldown-cmark into a small tree of our own ([`Node`]), which the page turns
//! into DOM nodes (`components/formatted.rs`): user text only ever becomes text
//! nodes. Raw HTML is shown as typed; a link goes only to `http`, `https` or
//! `mailto` (any other, `javascript:` included, stays text); images are links, never
//! loaded; a heading is a bold line; a single line break is kept, as people type them.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// One piece of formatted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Text(String),
    /// Inline code, kept as typed.
    Code(String),
    /// A code block, kept as typed (no trailing line break).
    CodeBlock(String),
    Paragraph(Vec<Node>),
    Quote(Vec<Node>),
    /// A list, numbered from `start` if it is numbered; its children are `Item`s.
    List {
        start: Option<u64>,
        items: Vec<Node>,
    },
    Item(Vec<Node>),
    Strong(Vec<Node>),
    Emphasis(Vec<Node>),
    Strike(Vec<Node>),
    /// A link whose address is `http`, `https` or `mailto`.
    Link {
        href: String,
        children: Vec<Node>,
    },
    Break,
    Rule,
}

/// What an open element becomes when it closes.
enum Open {
    Paragraph,
    Heading,
    Quote,
    CodeBlock,
    List(Option<u64>),
    Item,
    Strong,
    Emphasis,
    Strike,
    /// A link (an image too), with its address if it is a safe one.
    Link(Option<String>),
    /// Anything else: its children go to its parent.
    Other,
}

/// `text` as formatted.
pub fn parse(text: &str) -> Vec<Node> {
    let mut stack: Vec<(Open, Vec<Node>)> = vec![(Open::Other, Vec::new())];
    // Plain text not yet looked at for URLs: the parser hands a run of text over in
    // pieces (split at `_`, `(`...), and a URL may span them.
    let mut plain = String::new();
    for event in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH) {
        let is_plain = matches!(
            event,
            Event::Text(_) | Event::Html(_) | Event::InlineHtml(_)
        ) && !stack
            .iter()
            .any(|(kind, _)| matches!(kind, Open::Link(_) | Open::CodeBlock));
        if !is_plain && !plain.is_empty() {
            linkify(top(&mut stack), &std::mem::take(&mut plain));
        }
        match event {
            Event::Start(tag) => stack.push((open(tag), Vec::new())),
            Event::End(TagEnd::CodeBlock) | Event::End(_) if stack.len() > 1 => {
                let Some((kind, children)) = stack.pop() else {
                    break;
                };
                let parent = top(&mut stack);
                close(kind, children, parent);
            }
            Event::End(_) => {}
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                if is_plain {
                    plain.push_str(&text);
                } else {
                    push_text(top(&mut stack), text);
                }
            }
            Event::Code(code) => top(&mut stack).push(Node::Code(code.into_string())),
            Event::SoftBreak | Event::HardBreak => top(&mut stack).push(Node::Break),
            Event::Rule => top(&mut stack).push(Node::Rule),
            // Not enabled: math, footnotes, task lists. Shown as nothing more than
            // their text would be, if any.
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                push_text(top(&mut stack), text);
            }
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
        }
    }
    if !plain.is_empty() {
        linkify(top(&mut stack), &plain);
    }
    // Whatever was left open (pulldown-cmark closes all it opens) closes now.
    while stack.len() > 1 {
        if let Some((kind, children)) = stack.pop() {
            close(kind, children, top(&mut stack));
        }
    }
    stack.pop().map(|(_, nodes)| nodes).unwrap_or_default()
}

fn top(stack: &mut [(Open, Vec<Node>)]) -> &mut Vec<Node> {
    // The root is never popped: there is always a top.
    match stack.last_mut() {
        Some((_, children)) => children,
        None => unreachable!("the root frame stays"),
    }
}

fn open(tag: Tag<'_>) -> Open {
    match tag {
        Tag::Paragraph => Open::Paragraph,
        Tag::Heading { .. } => Open::Heading,
        Tag::BlockQuote(_) => Open::Quote,
        Tag::CodeBlock(_) => Open::CodeBlock,
        Tag::List(start) => Open::List(start),
        Tag::Item => Open::Item,
        Tag::Emphasis => Open::Emphasis,
        Tag::Strong => Open::Strong,
        Tag::Strikethrough => Open::Strike,
        Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => Open::Link(safe(&dest_url)),
        _ => Open::Other,
    }
}

fn close(kind: Open, mut children: Vec<Node>, parent: &mut Vec<Node>) {
    let node = match kind {
        Open::Paragraph => Node::Paragraph(children),
        Open::Heading => Node::Paragraph(vec![Node::Strong(children)]),
        Open::Quote => Node::Quote(children),
        Open::CodeBlock => {
            let mut text: String = children
                .iter()
                .filter_map(|n| match n {
                    Node::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect();
            if text.ends_with('\n') {
                text.pop();
            }
            Node::CodeBlock(text)
        }
        Open::List(start) => Node::List {
            start,
            items: children,
        },
        Open::Item => Node::Item(children),
        Open::Strong => Node::Strong(children),
        Open::Emphasis => Node::Emphasis(children),
        Open::Strike => Node::Strike(children),
        Open::Link(Some(href)) => Node::Link { href, children },
        Open::Link(None) | Open::Other => {
            parent.append(&mut children);
            return;
        }
    };
    parent.push(node);
}

/// Appends `text`, joined to the text before it if there is some.
fn push_text(nodes: &mut Vec<Node>, text: CowStr<'_>) {
    if let Some(Node::Text(before)) = nodes.last_mut() {
        before.push_str(&text);
    } else {
        nodes.push(Node::Text(text.into_string()));
    }
}

/// `href` if it goes to the web or to mail; None for any other scheme (`javascript:`,
/// `data:`) or a relative address.
fn safe(href: &str) -> Option<String> {
    let scheme = href.split_once(':')?.0;
    ["http", "https", "mailto"]
        .iter()
        .any(|ok| scheme.eq_ignore_ascii_case(ok))
        .then(|| href.to_owned())
}

/// Appends `text` with its bare URLs (`http://`, `https://`) as links.
fn linkify(nodes: &mut Vec<Node>, text: &str) {
    let mut rest = text;
    while let Some(at) = find_url(rest) {
        let (before, from) = rest.split_at(at);
        let end = url_end(from);
        if !before.is_empty() {
            push_text(nodes, CowStr::Borrowed(before));
        }
        let url = &from[..end];
        nodes.push(Node::Link {
            href: url.to_owned(),
            children: vec![Node::Text(url.to_owned())],
        });
        rest = &from[end..];
    }
    if !rest.is_empty() {
        push_text(nodes, CowStr::Borrowed(rest));
    }
}

/// Where the first bare URL in `text` starts: `http://` or `https://` (any case)
/// at the start of a word, with something after it.
fn find_url(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("http") {
        let at = from + found;
        let tail = &lower[at..];
        let starts_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let scheme = ["https://", "http://"]
            .iter()
            .find(|s| tail.starts_with(**s))
            .map(|s| s.len());
        if let Some(len) = scheme
            && starts_word
            && url_end(&text[at..]) > len
        {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// How long the URL at the start of `text` is: up to white space, without the
/// punctuation that ends a sentence, and without a closing parenthesis it did not open.
fn url_end(text: &str) -> usize {
    let mut end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
        .unwrap_or(text.len());
    loop {
        let url = &text[..end];
        let Some(last) = url.chars().next_back() else {
            return 0;
        };
        let unbalanced = last == ')' && url.matches('(').count() < url.matches(')').count();
        if matches!(
            last,
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '_' | '~'
        ) || unbalanced
        {
            end -= last.len_utf8();
        } else {
            return end;
        }
    }
}

#[cfg(test)]
mod tests;
