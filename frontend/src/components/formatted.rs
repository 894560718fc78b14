//! A message's formatted text as DOM nodes, built from the parsed tree
//! (`markdown.rs`): every piece of what someone wrote becomes a text node, never
//! markup; `@name`s are picked out in plain text, the reader's own the strongest;
//! links open in a new tab without handing this page to the one opened.

use confab_shared::UserName;
use leptos::prelude::*;

use crate::markdown::Node;
use crate::model::{Piece, pieces};

/// `nodes` as views.
pub fn formatted(nodes: &[Node], me: &UserName) -> AnyView {
    nodes
        .iter()
        .map(|node| one(node, me))
        .collect_view()
        .into_any()
}

fn one(node: &Node, me: &UserName) -> AnyView {
    match node {
        Node::Text(text) => pieces(text, me)
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.clone().into_any(),
                Piece::Mention(name, mine) => {
                    view! { <span class="at-name" class:at-me=*mine>{name.clone()}</span> }
                        .into_any()
                }
            })
            .collect_view()
            .into_any(),
        Node::Code(code) => view! { <code>{code.clone()}</code> }.into_any(),
        Node::CodeBlock(code) => view! { <pre><code>{code.clone()}</code></pre> }.into_any(),
        Node::Paragraph(children) => view! { <p>{formatted(children, me)}</p> }.into_any(),
        Node::Quote(children) => {
            view! { <blockquote>{formatted(children, me)}</blockquote> }.into_any()
        }
        Node::List { start: None, items } => view! { <ul>{formatted(items, me)}</ul> }.into_any(),
        Node::List {
            start: Some(start),
            items,
        } => view! { <ol start=*start>{formatted(items, me)}</ol> }.into_any(),
        Node::Item(children) => view! { <li>{formatted(children, me)}</li> }.into_any(),
        Node::Strong(children) => view! { <strong>{formatted(children, me)}</strong> }.into_any(),
        Node::Emphasis(children) => view! { <em>{formatted(children, me)}</em> }.into_any(),
        Node::Strike(children) => view! { <del>{formatted(children, me)}</del> }.into_any(),
        Node::Link { href, children } => view! {
            <a href=href.clone() target="_blank" rel="noopener noreferrer">
                {formatted(children, me)}
            </a>
        }
        .into_any(),
        // The body keeps white space (`pre-wrap`): a line break is one, in the text
        // too (copied, read aloud).
        Node::Break => "\n".into_any(),
        Node::Rule => view! { <hr /> }.into_any(),
    }
}
