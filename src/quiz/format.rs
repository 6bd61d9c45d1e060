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

impl<T> Located<T> {
    fn at(node: &Node, value: T) -> Self {
        Self {
            value,
            span: node.span.clone(),
        }
    }
}

/// `name = integer` pairs, as in `points = { propriete = 2 }`, in file order.
pub(crate) type PointsTable = Vec<(Located<String>, Located<i64>)>;

/// What validation needs of any table of the file, to locate its errors.
pub(crate) trait RawTable {
    /// The table's path in the document, e.g. `questions[2]` (empty for the
    /// file itself).
    fn path(&self) -> &str;

    /// Where the table starts (its `[[questions]]` header).
    fn span(&self) -> &Range<usize>;

    /// The path of one of the table's fields: `questions[2].text`.
    fn field(&self, key: &str) -> String {
        field_path(self.path(), key)
    }
}

/// A table that is one item of a list (`[[questions]]`, `[[profiles]]`…),
/// named by an `id` that must be unique in the list.
pub(crate) trait RawItem: RawTable {
    fn id(&self) -> Option<&Located<String>>;
}

/// Declares the typed mirror of one table of the file: the struct, the keys
/// it allows and its `read` function, from one list of fields, so that a key
/// cannot be allowed and then never read, or read and never allowed.
///
/// Every field is an `Option<Located<…>>`: whether it is required depends
/// on the mode and is decided, for all fields at once, by `validate`. Each
/// field names how it is read: `string`, `integer`, `boolean`, `strings` (a
/// list of texts), `points` (a [`PointsTable`]) or `tables(Item)` (an array
/// of tables, each read by `Item::read`). A table whose first field is
/// `id: string` is an item of a list: it also implements [`RawItem`].
macro_rules! raw_table {
    ($(#[$meta:meta])* $name:ident { id: string, $($rest:tt)+ }) => {
        raw_table!(@table $(#[$meta])* $name { id: string, $($rest)+ });

        impl RawItem for $name {
            fn id(&self) -> Option<&Located<String>> {
                self.id.as_ref()
            }
        }
    };
    ($(#[$meta:meta])* $name:ident { $($rest:tt)+ }) => {
        raw_table!(@table $(#[$meta])* $name { $($rest)+ });
    };
    (@table $(#[$meta:meta])* $name:ident { $($field:ident: $kind:ident $(($item:ident))?),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Default)]
        pub(crate) struct $name {
            /// See [`RawTable::path`].
            pub path: String,
            /// See [`RawTable::span`].
            pub span: Range<usize>,
            $(pub $field: Option<Located<raw_table!(@type $kind $($item)?)>>,)+
        }

        impl RawTable for $name {
            fn path(&self) -> &str {
                &self.path
            }

            fn span(&self) -> &Range<usize> {
                &self.span
            }
        }

        impl $name {
            /// The keys a table of this kind may have.
            const FIELDS: &[&str] = &[$(stringify!($field)),+];

            /// Reads the table at `node`, reporting unknown keys and wrong
            /// types. `None` (after reporting it) when `node` is no table.
            fn read(node: &Node, path: &str, diagnostics: &mut Diagnostics<'_>) -> Option<Self> {
                let fields = Fields::of(node, path, Self::FIELDS, diagnostics)?;
                Some(Self {
                    path: path.to_owned(),
                    span: node.span.clone(),
                    $($field: raw_table!(@read fields, diagnostics, $field, $kind $($item)?),)+
                })
            }
        }
    };
    (@type string) => { String };
    (@type integer) => { i64 };
    (@type boolean) => { bool };
    (@type strings) => { Vec<Located<String>> };
    (@type points) => { PointsTable };
    (@type tables $item:ident) => { Vec<$item> };
    (@read $fields:ident, $diagnostics:ident, $field:ident, tables $item:ident) => {
        $fields.tables(stringify!($field), $diagnostics, $item::read)
    };
    (@read $fields:ident, $diagnostics:ident, $field:ident, $kind:ident) => {
        $fields.$kind(stringify!($field), $diagnostics)
    };
}

raw_table! {
    /// The mirror of a quiz file.
    RawQuiz {
        mode: string, title: string, intro: string, chapter: string,
        questions: tables(RawQuestion), dimensions: tables(RawDimension),
        profiles: tables(RawProfile), recommendations: tables(RawRecommendation),
    }
}

raw_table! {
    /// `[[questions]]`.
    RawQuestion {
        id: string, kind: string, text: string, help: string, topic: string,
        optional: boolean, min: integer, max: integer, min_label: string, max_label: string,
        points_per_step: points, choices: tables(RawChoice),
    }
}

raw_table! {
    /// `[[questions.choices]]`.
    RawChoice {
        id: string, label: string, points: points, correct: boolean,
        explanation: string, fact: string, exclusive: boolean,
    }
}

raw_table! {
    /// `[[dimensions]]`.
    RawDimension { id: string, label: string, description: string, chapter: string }
}

raw_table! {
    /// `[[profiles]]`.
    RawProfile { id: string, label: string, description: string, when: strings }
}

raw_table! {
    /// `[[recommendations]]`.
    RawRecommendation {
        id: string, title: string, why: string, how: string, chapter: string,
        priority: integer, horizon: string, when: strings, after: strings,
        variants: tables(RawVariant),
    }
}

raw_table! {
    /// `[[recommendations.variants]]`: every field but `id` may be left to the
    /// recommendation.
    RawVariant {
        id: string, title: string, why: string, how: string, chapter: string,
        priority: integer, horizon: string, when: strings,
    }
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
        let (known, unknown): (Vec<_>, Vec<_>) = entries
            .iter()
            .partition(|(key, _)| allowed.contains(&key.name.as_str()));
        for (key, _) in unknown {
            let possible = allowed.join(", ");
            let message = format!(
                "champ inconnu «\u{a0}{}\u{a0}» (champs possibles\u{a0}: {possible})",
                key.name
            );
            diagnostics.error(&key.span, field_path(path, &key.name), message);
        }
        Some(Self {
            path: path.to_owned(),
            entries: known
                .into_iter()
                .map(|(key, value)| (key.name.as_str(), value))
                .collect(),
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
        read_integer(node, &self.field(key), diagnostics)
    }

    fn boolean(&self, key: &str, diagnostics: &mut Diagnostics<'_>) -> Option<Located<bool>> {
        let node = self.entries.get(key)?;
        let NodeValue::Boolean(value) = node.value else {
            let expected = "un booléen (true ou false)";
            return wrong_type(node, &self.field(key), expected, diagnostics);
        };
        Some(Located::at(node, value))
    }

    fn strings(
        &self,
        key: &str,
        diagnostics: &mut Diagnostics<'_>,
    ) -> Option<Located<Vec<Located<String>>>> {
        self.list(key, "une liste de textes", diagnostics, read_string)
    }

    /// An array of tables (`[[questions]]` or `questions = [{ … }]`), each
    /// read by `read_item` with its path `key[index]`.
    fn tables<T>(
        &self,
        key: &str,
        diagnostics: &mut Diagnostics<'_>,
        read_item: impl Fn(&Node, &str, &mut Diagnostics<'_>) -> Option<T>,
    ) -> Option<Located<Vec<T>>> {
        let expected = format!("une liste de tables ([[{}]])", self.field(key));
        self.list(key, &expected, diagnostics, read_item)
    }

    /// An array whose items are each read by `read_item` with their path
    /// `key[index]`; an item that cannot be read is reported and left out.
    fn list<T>(
        &self,
        key: &str,
        expected: &str,
        diagnostics: &mut Diagnostics<'_>,
        read_item: impl Fn(&Node, &str, &mut Diagnostics<'_>) -> Option<T>,
    ) -> Option<Located<Vec<T>>> {
        let node = self.entries.get(key)?;
        let field = self.field(key);
        let NodeValue::Array(items) = &node.value else {
            return wrong_type(node, &field, expected, diagnostics);
        };
        let values = items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| read_item(item, &format!("{field}[{index}]"), diagnostics))
            .collect();
        Some(Located::at(node, values))
    }

    fn points(&self, key: &str, diagnostics: &mut Diagnostics<'_>) -> Option<Located<PointsTable>> {
        let node = self.entries.get(key)?;
        let field = self.field(key);
        let NodeValue::Table(entries) = &node.value else {
            let expected = "une table de points, par exemple { propriete = 2 }";
            return wrong_type(node, &field, expected, diagnostics);
        };
        let points = entries
            .iter()
            .filter_map(|(name, value)| {
                let number = read_integer(value, &field_path(&field, &name.name), diagnostics)?;
                let name = Located {
                    value: name.name.clone(),
                    span: name.span.clone(),
                };
                Some((name, number))
            })
            .collect();
        Some(Located::at(node, points))
    }
}

fn read_string(
    node: &Node,
    field: &str,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<Located<String>> {
    let NodeValue::String(value) = &node.value else {
        return wrong_type(node, field, "un texte entre guillemets", diagnostics);
    };
    Some(Located::at(node, value.clone()))
}

fn read_integer(
    node: &Node,
    field: &str,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<Located<i64>> {
    let NodeValue::Integer(value) = node.value else {
        return wrong_type(node, field, "un entier", diagnostics);
    };
    Some(Located::at(node, value))
}

/// Reports that `node` is not the `expected` kind of value; always `None`,
/// so that a reader can return it.
fn wrong_type<T>(
    node: &Node,
    field: &str,
    expected: &str,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<T> {
    diagnostics.error(
        &node.span,
        field,
        format!("{expected} est attendu, pas {}", node.value.type_name()),
    );
    None
}

/// Reads the typed mirror from the tree, reporting unknown fields and wrong
/// types. What could not be read is left as `None`.
pub(crate) fn read_quiz(root: &Node, diagnostics: &mut Diagnostics<'_>) -> RawQuiz {
    RawQuiz::read(root, "", diagnostics).unwrap_or_default()
}
