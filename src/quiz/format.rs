//! Step 1 and 2 of loading: the TOML text becomes a tree of values that all
//! know their position (toml_edit's document API keeps every key's and
//! value's byte range), then a typed mirror of the file format, in which
//! every field is optional and keeps its position.
//!
//! Why not `#[derive(Deserialize)]` with `deny_unknown_fields` directly on the
//! mirror: serde stops at the first unknown field, missing field or wrong
//! type, and an author who fixes one typo per run gives up. Reading from the
//! positioned tree instead reports every unknown field, every wrong type, and
//! leaves missing fields to `validate`, which reports them all too.

use std::collections::BTreeMap;
use std::ops::Range;

use toml_edit::{ImDocument, Item, TableLike, Value};

use super::error::Diagnostics;

/// A value of the document with its byte range in the text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub span: Range<usize>,
    pub value: NodeValue,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeValue {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    /// Dates are valid TOML but never valid in a quiz; kept only to say so.
    Datetime,
    Array(Vec<Node>),
    Table(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key {
    pub name: String,
    pub span: Range<usize>,
}

impl NodeValue {
    /// The French name of the value's type, for error messages.
    fn type_name(&self) -> &'static str {
        match self {
            NodeValue::String(_) => "un texte",
            NodeValue::Integer(_) => "un entier",
            NodeValue::Float(_) => "un nombre décimal",
            NodeValue::Boolean(_) => "un booléen",
            NodeValue::Datetime => "une date",
            NodeValue::Array(_) => "une liste",
            NodeValue::Table(_) => "une table",
        }
    }
}

/// Parses the TOML text into a tree of positioned values. A syntax error is
/// recorded with its position and yields `None`.
pub(crate) fn parse_tree(text: &str, diagnostics: &mut Diagnostics<'_>) -> Option<Node> {
    match ImDocument::parse(text) {
        Ok(document) => Some(Node {
            span: 0..0,
            value: NodeValue::Table(table_entries(document.as_table(), &(0..0))),
        }),
        Err(error) => {
            let span = error.span().unwrap_or(0..0);
            let message = error.message().trim().to_owned();
            diagnostics.error(&span, "", format!("TOML invalide\u{a0}: {message}"));
            None
        }
    }
}

/// The entries of a table (`[x]`, `[[x]]` or `{ … }`) in file order. A
/// table without a position of its own (an implicit parent such as `[a]`
/// in `[a.b]`) is located at `fallback`, the position of its key.
fn table_entries(table: &dyn TableLike, fallback: &Range<usize>) -> Vec<(Key, Node)> {
    table
        .iter()
        .map(|(name, item)| {
            let span = table
                .get_key_value(name)
                .and_then(|(key, _)| key.span())
                .unwrap_or_else(|| fallback.clone());
            let node = item_node(item, &span);
            (
                Key {
                    name: name.to_owned(),
                    span,
                },
                node,
            )
        })
        .collect()
}

fn item_node(item: &Item, fallback: &Range<usize>) -> Node {
    match item {
        Item::Value(value) => value_node(value, fallback),
        Item::Table(table) => {
            let span = table.span().unwrap_or_else(|| fallback.clone());
            let value = NodeValue::Table(table_entries(table, &span));
            Node { span, value }
        }
        Item::ArrayOfTables(tables) => {
            let span = tables.span().unwrap_or_else(|| fallback.clone());
            let items = tables
                .iter()
                .map(|table| {
                    let table_span = table.span().unwrap_or_else(|| span.clone());
                    let value = NodeValue::Table(table_entries(table, &table_span));
                    Node {
                        span: table_span,
                        value,
                    }
                })
                .collect();
            Node {
                span,
                value: NodeValue::Array(items),
            }
        }
        // Never handed out by a parsed document's iterators.
        Item::None => Node {
            span: fallback.clone(),
            value: NodeValue::Table(Vec::new()),
        },
    }
}

fn value_node(value: &Value, fallback: &Range<usize>) -> Node {
    let span = value.span().unwrap_or_else(|| fallback.clone());
    let value = match value {
        Value::String(text) => NodeValue::String(text.value().clone()),
        Value::Integer(number) => NodeValue::Integer(*number.value()),
        Value::Float(number) => NodeValue::Float(*number.value()),
        Value::Boolean(flag) => NodeValue::Boolean(*flag.value()),
        Value::Datetime(_) => NodeValue::Datetime,
        Value::Array(items) => {
            NodeValue::Array(items.iter().map(|item| value_node(item, &span)).collect())
        }
        Value::InlineTable(table) => NodeValue::Table(table_entries(table, &span)),
    };
    Node { span, value }
}

/// A value read from the file with the byte range it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// `name = integer` pairs, as in `points = { propriete = 2 }`, in file order.
pub(crate) type PointsTable = Vec<(Located<String>, Located<i64>)>;

/// The mirror of a quiz file. Every field is optional here: whether it is
/// required depends on the mode and is decided, for all fields at once, by
/// `validate`.
#[derive(Debug, Default)]
pub(crate) struct RawQuiz {
    pub mode: Option<Located<String>>,
    pub title: Option<Located<String>>,
    pub intro: Option<Located<String>>,
    pub chapter: Option<Located<String>>,
    pub questions: Option<Located<Vec<RawQuestion>>>,
    pub dimensions: Option<Located<Vec<RawDimension>>>,
    pub profiles: Option<Located<Vec<RawProfile>>>,
    pub recommendations: Option<Located<Vec<RawRecommendation>>>,
}

#[derive(Debug, Default)]
pub(crate) struct RawQuestion {
    /// The item's path in the document, e.g. `questions[2]`.
    pub path: String,
    /// Where the question's table starts (its `[[questions]]` header).
    pub span: Range<usize>,
    pub id: Option<Located<String>>,
    pub kind: Option<Located<String>>,
    pub text: Option<Located<String>>,
    pub help: Option<Located<String>>,
    pub topic: Option<Located<String>>,
    pub optional: Option<Located<bool>>,
    pub min: Option<Located<i64>>,
    pub max: Option<Located<i64>>,
    pub min_label: Option<Located<String>>,
    pub max_label: Option<Located<String>>,
    pub points_per_step: Option<Located<PointsTable>>,
    pub choices: Option<Located<Vec<RawChoice>>>,
}

#[derive(Debug, Default)]
pub(crate) struct RawChoice {
    /// The item's path in the document, e.g. `questions[2]`.
    pub path: String,
    pub span: Range<usize>,
    pub id: Option<Located<String>>,
    pub label: Option<Located<String>>,
    pub points: Option<Located<PointsTable>>,
    pub correct: Option<Located<bool>>,
    pub explanation: Option<Located<String>>,
    pub fact: Option<Located<String>>,
    pub exclusive: Option<Located<bool>>,
}

#[derive(Debug, Default)]
pub(crate) struct RawDimension {
    /// The item's path in the document, e.g. `questions[2]`.
    pub path: String,
    pub span: Range<usize>,
    pub id: Option<Located<String>>,
    pub label: Option<Located<String>>,
    pub description: Option<Located<String>>,
    pub chapter: Option<Located<String>>,
}

#[derive(Debug, Default)]
pub(crate) struct RawProfile {
    /// The item's path in the document, e.g. `questions[2]`.
    pub path: String,
    pub span: Range<usize>,
    pub id: Option<Located<String>>,
    pub label: Option<Located<String>>,
    pub description: Option<Located<String>>,
    pub when: Option<Located<Vec<Located<String>>>>,
}

#[derive(Debug, Default)]
pub(crate) struct RawRecommendation {
    /// The item's path in the document, e.g. `questions[2]`.
    pub path: String,
    pub span: Range<usize>,
    pub id: Option<Located<String>>,
    pub title: Option<Located<String>>,
    pub why: Option<Located<String>>,
    pub how: Option<Located<String>>,
    pub chapter: Option<Located<String>>,
    pub priority: Option<Located<i64>>,
    pub horizon: Option<Located<String>>,
    pub when: Option<Located<Vec<Located<String>>>>,
    pub after: Option<Located<Vec<Located<String>>>>,
    pub variants: Option<Located<Vec<RawVariant>>>,
}

/// `[[recommendations.variants]]`: every field but `id` may be left to the
/// recommendation.
#[derive(Debug, Default)]
pub(crate) struct RawVariant {
    /// The item's path in the document, e.g. `recommendations[2].variants[0]`.
    pub path: String,
    pub span: Range<usize>,
    pub id: Option<Located<String>>,
    pub title: Option<Located<String>>,
    pub why: Option<Located<String>>,
    pub how: Option<Located<String>>,
    pub chapter: Option<Located<String>>,
    pub priority: Option<Located<i64>>,
    pub horizon: Option<Located<String>>,
    pub when: Option<Located<Vec<Located<String>>>>,
}

/// Joins a parent field path and a key: `questions[2]` + `text`.
pub(crate) fn field_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// The known keys of one table, after unknown keys have been reported.
struct Fields<'n> {
    /// The table's own path, e.g. `questions[2]`.
    path: String,
    entries: BTreeMap<&'n str, &'n Node>,
}

impl<'n> Fields<'n> {
    /// Reads a table, reporting each key not in `allowed` at its position.
    /// Returns `None` (after reporting it) when the node is not a table.
    fn of(
        node: &'n Node,
        path: &str,
        allowed: &[&str],
        diagnostics: &mut Diagnostics<'_>,
    ) -> Option<Self> {
        let NodeValue::Table(entries) = &node.value else {
            diagnostics.error(
                &node.span,
                path,
                format!("une table est attendue, pas {}", node.value.type_name()),
            );
            return None;
        };
        let mut known = BTreeMap::new();
        for (key, value) in entries {
            if allowed.contains(&key.name.as_str()) {
                known.insert(key.name.as_str(), value);
            } else {
                diagnostics.error(
                    &key.span,
                    field_path(path, &key.name),
                    format!(
                        "champ inconnu «\u{a0}{}\u{a0}» (champs possibles\u{a0}: {})",
                        key.name,
                        allowed.join(", ")
                    ),
                );
            }
        }
        Some(Self {
            path: path.to_owned(),
            entries: known,
        })
    }

    fn field(&self, key: &str) -> String {
        field_path(&self.path, key)
    }

    fn string(&self, key: &str, diagnostics: &mut Diagnostics<'_>) -> Option<Located<String>> {
        let node = self.entries.get(key)?;
        read_string(node, &self.field(key), diagnostics)
    }

    fn integer(&self, key: &str, diagnostics: &mut Diagnostics<'_>) -> Option<Located<i64>> {
        let node = self.entries.get(key)?;
        match &node.value {
            NodeValue::Integer(value) => Some(Located {
                value: *value,
                span: node.span.clone(),
            }),
            other => {
                wrong_type(node, &self.field(key), "un entier", other, diagnostics);
                None
            }
        }
    }

    fn boolean(&self, key: &str, diagnostics: &mut Diagnostics<'_>) -> Option<Located<bool>> {
        let node = self.entries.get(key)?;
        match &node.value {
            NodeValue::Boolean(value) => Some(Located {
                value: *value,
                span: node.span.clone(),
            }),
            other => {
                wrong_type(
                    node,
                    &self.field(key),
                    "un booléen (true ou false)",
                    other,
                    diagnostics,
                );
                None
            }
        }
    }

    fn strings(
        &self,
        key: &str,
        diagnostics: &mut Diagnostics<'_>,
    ) -> Option<Located<Vec<Located<String>>>> {
        let node = self.entries.get(key)?;
        let field = self.field(key);
        let NodeValue::Array(items) = &node.value else {
            wrong_type(
                node,
                &field,
                "une liste de textes",
                &node.value,
                diagnostics,
            );
            return None;
        };
        let values = items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                read_string(item, &format!("{field}[{index}]"), diagnostics)
            })
            .collect();
        Some(Located {
            value: values,
            span: node.span.clone(),
        })
    }

    fn points(&self, key: &str, diagnostics: &mut Diagnostics<'_>) -> Option<Located<PointsTable>> {
        let node = self.entries.get(key)?;
        let field = self.field(key);
        let NodeValue::Table(entries) = &node.value else {
            wrong_type(
                node,
                &field,
                "une table de points, par exemple { propriete = 2 }",
                &node.value,
                diagnostics,
            );
            return None;
        };
        let mut points = Vec::new();
        for (name, value) in entries {
            let value_field = field_path(&field, &name.name);
            match &value.value {
                NodeValue::Integer(number) => points.push((
                    Located {
                        value: name.name.clone(),
                        span: name.span.clone(),
                    },
                    Located {
                        value: *number,
                        span: value.span.clone(),
                    },
                )),
                other => wrong_type(value, &value_field, "un entier", other, diagnostics),
            }
        }
        Some(Located {
            value: points,
            span: node.span.clone(),
        })
    }

    /// An array of tables (`[[questions]]` or `questions = [{ … }]`), each
    /// read by `read_item` with its path `key[index]`.
    fn tables<T>(
        &self,
        key: &str,
        diagnostics: &mut Diagnostics<'_>,
        read_item: impl Fn(&Node, &str, &mut Diagnostics<'_>) -> Option<T>,
    ) -> Option<Located<Vec<T>>> {
        let node = self.entries.get(key)?;
        let field = self.field(key);
        let NodeValue::Array(items) = &node.value else {
            wrong_type(
                node,
                &field,
                &format!("une liste de tables ([[{field}]])"),
                &node.value,
                diagnostics,
            );
            return None;
        };
        let values = items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| read_item(item, &format!("{field}[{index}]"), diagnostics))
            .collect();
        Some(Located {
            value: values,
            span: node.span.clone(),
        })
    }
}

fn read_string(
    node: &Node,
    field: &str,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<Located<String>> {
    match &node.value {
        NodeValue::String(value) => Some(Located {
            value: value.clone(),
            span: node.span.clone(),
        }),
        other => {
            wrong_type(node, field, "un texte entre guillemets", other, diagnostics);
            None
        }
    }
}

fn wrong_type(
    node: &Node,
    field: &str,
    expected: &str,
    found: &NodeValue,
    diagnostics: &mut Diagnostics<'_>,
) {
    diagnostics.error(
        &node.span,
        field,
        format!("{expected} est attendu, pas {}", found.type_name()),
    );
}

const QUIZ_FIELDS: &[&str] = &[
    "mode",
    "title",
    "intro",
    "chapter",
    "questions",
    "dimensions",
    "profiles",
    "recommendations",
];
const QUESTION_FIELDS: &[&str] = &[
    "id",
    "kind",
    "text",
    "help",
    "topic",
    "optional",
    "min",
    "max",
    "min_label",
    "max_label",
    "points_per_step",
    "choices",
];
const CHOICE_FIELDS: &[&str] = &[
    "id",
    "label",
    "points",
    "correct",
    "explanation",
    "fact",
    "exclusive",
];
const DIMENSION_FIELDS: &[&str] = &["id", "label", "description", "chapter"];
const PROFILE_FIELDS: &[&str] = &["id", "label", "description", "when"];
const RECOMMENDATION_FIELDS: &[&str] = &[
    "id", "title", "why", "how", "chapter", "priority", "horizon", "when", "after", "variants",
];
const VARIANT_FIELDS: &[&str] = &[
    "id", "title", "why", "how", "chapter", "priority", "horizon", "when",
];

/// Reads the typed mirror from the tree, reporting unknown fields and wrong
/// types. What could not be read is left as `None`.
pub(crate) fn read_quiz(root: &Node, diagnostics: &mut Diagnostics<'_>) -> RawQuiz {
    let Some(fields) = Fields::of(root, "", QUIZ_FIELDS, diagnostics) else {
        return RawQuiz::default();
    };
    RawQuiz {
        mode: fields.string("mode", diagnostics),
        title: fields.string("title", diagnostics),
        intro: fields.string("intro", diagnostics),
        chapter: fields.string("chapter", diagnostics),
        questions: fields.tables("questions", diagnostics, read_question),
        dimensions: fields.tables("dimensions", diagnostics, read_dimension),
        profiles: fields.tables("profiles", diagnostics, read_profile),
        recommendations: fields.tables("recommendations", diagnostics, read_recommendation),
    }
}

fn read_question(
    node: &Node,
    path: &str,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<RawQuestion> {
    let fields = Fields::of(node, path, QUESTION_FIELDS, diagnostics)?;
    Some(RawQuestion {
        path: path.to_owned(),
        span: node.span.clone(),
        id: fields.string("id", diagnostics),
        kind: fields.string("kind", diagnostics),
        text: fields.string("text", diagnostics),
        help: fields.string("help", diagnostics),
        topic: fields.string("topic", diagnostics),
        optional: fields.boolean("optional", diagnostics),
        min: fields.integer("min", diagnostics),
        max: fields.integer("max", diagnostics),
        min_label: fields.string("min_label", diagnostics),
        max_label: fields.string("max_label", diagnostics),
        points_per_step: fields.points("points_per_step", diagnostics),
        choices: fields.tables("choices", diagnostics, read_choice),
    })
}

fn read_choice(node: &Node, path: &str, diagnostics: &mut Diagnostics<'_>) -> Option<RawChoice> {
    let fields = Fields::of(node, path, CHOICE_FIELDS, diagnostics)?;
    Some(RawChoice {
        path: path.to_owned(),
        span: node.span.clone(),
        id: fields.string("id", diagnostics),
        label: fields.string("label", diagnostics),
        points: fields.points("points", diagnostics),
        correct: fields.boolean("correct", diagnostics),
        explanation: fields.string("explanation", diagnostics),
        fact: fields.string("fact", diagnostics),
        exclusive: fields.boolean("exclusive", diagnostics),
    })
}

fn read_dimension(
    node: &Node,
    path: &str,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<RawDimension> {
    let fields = Fields::of(node, path, DIMENSION_FIELDS, diagnostics)?;
    Some(RawDimension {
        path: path.to_owned(),
        span: node.span.clone(),
        id: fields.string("id", diagnostics),
        label: fields.string("label", diagnostics),
        description: fields.string("description", diagnostics),
        chapter: fields.string("chapter", diagnostics),
    })
}

fn read_profile(node: &Node, path: &str, diagnostics: &mut Diagnostics<'_>) -> Option<RawProfile> {
    let fields = Fields::of(node, path, PROFILE_FIELDS, diagnostics)?;
    Some(RawProfile {
        path: path.to_owned(),
        span: node.span.clone(),
        id: fields.string("id", diagnostics),
        label: fields.string("label", diagnostics),
        description: fields.string("description", diagnostics),
        when: fields.strings("when", diagnostics),
    })
}

fn read_recommendation(
    node: &Node,
    path: &str,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<RawRecommendation> {
    let fields = Fields::of(node, path, RECOMMENDATION_FIELDS, diagnostics)?;
    Some(RawRecommendation {
        path: path.to_owned(),
        span: node.span.clone(),
        id: fields.string("id", diagnostics),
        title: fields.string("title", diagnostics),
        why: fields.string("why", diagnostics),
        how: fields.string("how", diagnostics),
        chapter: fields.string("chapter", diagnostics),
        priority: fields.integer("priority", diagnostics),
        horizon: fields.string("horizon", diagnostics),
        when: fields.strings("when", diagnostics),
        after: fields.strings("after", diagnostics),
        variants: fields.tables("variants", diagnostics, read_variant),
    })
}

fn read_variant(node: &Node, path: &str, diagnostics: &mut Diagnostics<'_>) -> Option<RawVariant> {
    let fields = Fields::of(node, path, VARIANT_FIELDS, diagnostics)?;
    Some(RawVariant {
        path: path.to_owned(),
        span: node.span.clone(),
        id: fields.string("id", diagnostics),
        title: fields.string("title", diagnostics),
        why: fields.string("why", diagnostics),
        how: fields.string("how", diagnostics),
        chapter: fields.string("chapter", diagnostics),
        priority: fields.integer("priority", diagnostics),
        horizon: fields.string("horizon", diagnostics),
        when: fields.strings("when", diagnostics),
    })
}
