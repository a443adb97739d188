//! A small YAML document tree that remembers where every node came from.
//!
//! `serde_yaml::Value` forgets positions, so errors found after parsing could not say
//! which line they are about. This module drives `yaml-rust2`'s event parser and builds
//! a tree of [`Node`]s, each with its 1-based line and column. Anchors, aliases and
//! merge keys (`<<`) are resolved here; duplicate mapping keys are reported as errors
//! (as Go's `yaml.v3`, the reference implementation, does).

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A position in the SDL text (both 1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Line, starting at 1.
    pub line: usize,
    /// Column, starting at 1.
    pub column: usize,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// One YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) kind: NodeKind,
    pub(crate) pos: Pos,
}

/// The shape of a node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeKind {
    /// A scalar: its text, and whether it was written plain (unquoted, untagged).
    Scalar { text: String, plain: bool },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Node, Node)>),
}

/// A YAML syntax problem.
#[derive(Debug, Clone)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    pub(crate) pos: Pos,
}

impl Node {
    /// Whether the node is YAML null (`~`, `null`, or an empty plain scalar).
    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The text of a scalar (any scalar: numbers and booleans give their text, as Go
    /// does when it decodes them into a string); `None` for null and collections.
    pub(crate) fn scalar(&self) -> Option<&str> {
        if self.is_null() {
            return None;
        }
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether this is a plain (unquoted) scalar.
    pub(crate) fn is_plain(&self) -> bool {
        matches!(self.kind, NodeKind::Scalar { plain: true, .. })
    }

    /// A short description of what the node is, for error messages.
    pub(crate) fn describe(&self) -> String {
        if self.is_null() {
            return "nothing (null)".to_string();
        }
        match &self.kind {
            NodeKind::Scalar { text, .. } => format!("{text:?}"),
            NodeKind::Seq(_) => "a list".to_string(),
            NodeKind::Map(_) => "a mapping".to_string(),
        }
    }
}

/// Upper bound on nodes created by alias expansion.
const MAX_ALIAS_NODES: usize = 100_000;

fn count_nodes(n: &Node) -> usize {
    match &n.kind {
        NodeKind::Scalar { .. } => 1,
        NodeKind::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        NodeKind::Map(es) => {
            1 + es.iter().map(|(k, v)| count_nodes(k) + count_nodes(v)).sum::<usize>()
        }
    }
}

fn pos_of(m: &Marker) -> Pos {
    // yaml-rust2 lines are 1-based and columns 0-based.
    Pos { line: m.line(), column: m.col() + 1 }
}

enum Frame {
    Seq { items: Vec<Node>, pos: Pos, anchor: usize },
    Map { entries: Vec<(Node, Node)>, key: Option<Node>, pos: Pos, anchor: usize },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes added by alias expansion so far (guards against "billion laughs").
    expanded: usize,
    root: Option<Node>,
    errors: Vec<SyntaxError>,
}

impl Builder {
    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    fn finish_map(&mut self, entries: Vec<(Node, Node)>, pos: Pos) -> Node {
        let mut out: Vec<(Node, Node)> = Vec::with_capacity(entries.len());
        let mut merged: Vec<(Node, Node)> = Vec::new();
        for (k, v) in entries {
            if !matches!(k.kind, NodeKind::Scalar { .. }) {
                self.errors.push(SyntaxError {
                    message: "mapping keys must be plain values, not lists or mappings".into(),
                    pos: k.pos,
                });
                continue;
            }
            if k.is_plain() && k.scalar() == Some("<<") {
                let sources: Vec<Node> = match v.kind {
                    NodeKind::Map(_) => vec![v],
                    NodeKind::Seq(items) => items,
                    _ => {
                        self.errors.push(SyntaxError {
                            message: "merge key `<<` needs a mapping or a list of mappings".into(),
                            pos: v.pos,
                        });
                        continue;
                    }
                };
                for src in sources {
                    if let NodeKind::Map(es) = src.kind {
                        for (mk, mv) in es {
                            if !merged.iter().any(|(k2, _)| k2.scalar() == mk.scalar()) {
                                merged.push((mk, mv));
                            }
                        }
                    }
                }
                continue;
            }
            if let Some((prev, _)) = out.iter().find(|(k2, _)| k2.scalar() == k.scalar()) {
                self.errors.push(SyntaxError {
                    message: format!(
                        "mapping key {:?} already defined at line {}",
                        k.scalar().unwrap_or(""),
                        prev.pos.line
                    ),
                    pos: k.pos,
                });
                continue;
            }
            out.push((k, v));
        }
        for (mk, mv) in merged {
            if !out.iter().any(|(k2, _)| k2.scalar() == mk.scalar()) {
                out.push((mk, mv));
            }
        }
        Node { kind: NodeKind::Map(out), pos }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = pos_of(&mark);
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == TScalarStyle::Plain && tag.is_none();
                let node = Node { kind: NodeKind::Scalar { text, plain }, pos };
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                self.push_value(node);
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq { items: Vec::new(), pos, anchor });
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map { entries: Vec::new(), key: None, pos, anchor });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { items, pos, anchor }) = self.stack.pop() {
                    let node = Node { kind: NodeKind::Seq(items), pos };
                    if anchor > 0 {
                        self.anchors.insert(anchor, (node.clone(), count_nodes(&node)));
                    }
                    self.push_value(node);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map { entries, pos, anchor, .. }) = self.stack.pop() {
                    let node = self.finish_map(entries, pos);
                    if anchor > 0 {
                        self.anchors.insert(anchor, (node.clone(), count_nodes(&node)));
                    }
                    self.push_value(node);
                }
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some((node, size)) => {
                    self.expanded = self.expanded.saturating_add(size);
                    if self.expanded > MAX_ALIAS_NODES {
                        if self.errors.is_empty() {
                            self.errors.push(SyntaxError {
                                message: "aliases expand to too many nodes".into(),
                                pos,
                            });
                        }
                        return;
                    }
                    self.push_value(node);
                }
                None => {
                    self.errors.push(SyntaxError { message: "unknown alias".into(), pos });
                    self.push_value(Node {
                        kind: NodeKind::Scalar { text: String::new(), plain: true },
                        pos,
                    });
                }
            },
            _ => {}
        }
    }
}

/// Parses the first YAML document of `text` into a [`Node`] tree.
///
/// An empty document gives a null node at line 1.
pub(crate) fn parse(text: &str) -> Result<Node, Vec<SyntaxError>> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, false) {
        let pos = pos_of(e.marker());
        return Err(vec![SyntaxError { message: format!("invalid YAML: {}", e.info()), pos }]);
    }
    if !builder.errors.is_empty() {
        return Err(builder.errors);
    }
    Ok(builder.root.unwrap_or(Node {
        kind: NodeKind::Scalar { text: String::new(), plain: true },
        pos: Pos { line: 1, column: 1 },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let n = parse("a:\n  b: 1\n").expect("parses");
        let NodeKind::Map(es) = &n.kind else { panic!("map") };
        let NodeKind::Map(inner) = &es[0].1.kind else { panic!("inner map") };
        assert_eq!(inner[0].0.pos, Pos { line: 2, column: 3 });
        assert_eq!(inner[0].1.pos, Pos { line: 2, column: 6 });
    }

    #[test]
    fn aliases_and_merge_keys_resolve() {
        let n = parse("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n").expect("parses");
        let NodeKind::Map(es) = &n.kind else { panic!("map") };
        let NodeKind::Map(other) = &es[1].1.kind else { panic!("map") };
        let get = |k: &str| other.iter().find(|(kk, _)| kk.scalar() == Some(k)).map(|e| &e.1);
        assert_eq!(get("x").and_then(Node::scalar), Some("1"));
        assert_eq!(get("y").and_then(Node::scalar), Some("3"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            doc.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        let errs = parse(&doc).expect_err("too big");
        assert!(errs[0].message.contains("too many nodes"));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let errs = parse("a: 1\nb: 2\na: 3\n").expect_err("duplicate");
        assert!(errs[0].message.contains("already defined at line 1"), "{}", errs[0].message);
        assert_eq!(errs[0].pos.line, 3);
    }

    #[test]
    fn syntax_error_has_position() {
        let errs = parse("a: [1, 2\nb: 3\n").expect_err("bad yaml");
        assert!(errs[0].pos.line >= 1);
    }
}
