//! Rendering: Velocity 1.7 semantics, with API Gateway's null rule and its `$input`, `$util`,
//! `$context` and `$stageVariables`, bounded in loops, output and steps.
use super::jsonpath;
use super::parse::{Expr, Node, Op, Part, Pos, Reference};
use super::value::{Key, MAX_VALUE, Number, Text, Unprintable, Value};
use crate::checks::budget::charge;
use crate::checks::selection::java_regex::{Edit, JavaRegex, Verdict};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::rc::Rc;

/// API Gateway's quota: a `#foreach` stops after this many iterations.
pub const MAX_ITERATIONS: usize = 1000;
/// Output past this is a runaway template (API Gateway's payload quota is 10 MB).
pub const MAX_OUTPUT: usize = MAX_VALUE;
/// The most items one range (`[1..n]`) or one list a template grows may hold: ten times a
/// 10 MB body's worth of one-digit numbers, far past any real template.
pub const MAX_ITEMS: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullRule {
    /// API Gateway: an undefined or null reference is "" when rendered and when compared.
    Aws,
    /// Plain Velocity 1.7: an undefined reference renders as its own text.
    Velocity,
}

/// The method request (request templates) or what `$input` reads (response templates).
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub body: String,
    pub path: IndexMap<String, String>,
    pub querystring: IndexMap<String, String>,
    pub header: IndexMap<String, String>,
}

pub struct Env {
    pub null_rule: NullRule,
    pub input: Input,
    /// `$context`: a Map holding `requestOverride` and `responseOverride`.
    pub context: Value,
    pub stage_variables: Value,
    /// `#foreach` iterations allowed per loop (API Gateway: 1000).
    pub max_iterations: usize,
}

/// What rendering noticed, for findings.
#[derive(Debug, Default)]
pub struct Notes {
    /// References that rendered empty because they were undefined or null (not `$!`).
    pub undefined: Vec<(Pos, String)>,
    /// `.contains()` called on a Map: it tests the map's text, keys included.
    pub contains_on_map: Vec<Pos>,
    /// `#foreach` loops stopped at the iteration quota.
    pub foreach_limit: Vec<Pos>,
    /// Overrides set (`responseOverride.status`, ...) with where, in order.
    pub overrides: Vec<(String, Pos)>,
    /// Regex methods the emulation could not decide (rendered as null): with why.
    pub undecided: Vec<(Pos, String)>,
    /// `$input.path`/`$input.json` paths that select nothing in the body: the call and why.
    pub missing_paths: Vec<(Pos, String, jsonpath::Miss)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// `$input.json`/`$input.path` on a body that is not JSON: the client gets 400.
    BodyNotJson(String),
    /// A runtime error (bad `$util.parseJson` input, ...): the client gets 500.
    Runtime { pos: Pos, message: String },
    /// Output or step bounds exceeded.
    Runaway(String),
}

pub struct Rendered {
    pub output: String,
    pub notes: Notes,
}

enum Flow {
    Normal,
    Break,
    Stop,
}

struct Renderer<'e> {
    env: &'e Env,
    /// The reference or directive being evaluated, for runtime errors.
    at: Pos,
    /// `$input.body`, shared: made when first read (a template that never reads it does
    /// not copy the body), and not copied again by later readings.
    body: std::cell::OnceCell<Value>,
    /// Hashed with foldhash, as the engine's maps are (a loop sets its variables per item).
    vars: HashMap<String, Value, foldhash::fast::RandomState>,
    notes: Notes,
    json: Option<Result<Value, String>>,
    /// The regexes string methods compiled, by pattern (at most [`MAX_PATTERNS`]).
    patterns: HashMap<String, Rc<JavaRegex>>,
}

/// Distinct patterns kept compiled per rendering; past this many, each is compiled per use.
const MAX_PATTERNS: usize = 256;

pub fn render(nodes: &[Node], env: &Env) -> Result<Rendered, RenderError> {
    let mut vars = HashMap::default();
    if env.null_rule == NullRule::Aws {
        vars.insert("input".to_string(), Value::Object("input".into()));
        vars.insert("util".to_string(), Value::Object("util".into()));
        vars.insert("context".to_string(), env.context.clone());
        vars.insert("stageVariables".to_string(), env.stage_variables.clone());
    }
    let mut r = Renderer {
        env,
        at: Pos::default(),
        body: std::cell::OnceCell::new(),
        vars,
        notes: Notes::default(),
        json: None,
        patterns: HashMap::new(),
    };
    let mut out = String::new();
    r.block(nodes, &mut out)?;
    Ok(Rendered {
        output: out,
        notes: r.notes,
    })
}

/// Steps charged to the command's budget per node rendered or expression evaluated: a
/// million evaluations fit (a fraction of a second), forty times what the 1 MB benchmark's
/// 50-line template needs (about 25,000), while a runaway loop nest ends in a finding.
const STEPS_PER_EVALUATION: u64 = 10_000;

/// Steps charged per byte a template copies, prints, scans or parses, and per item it
/// creates or walks: work grows with the data, not only with the number of evaluations, so
/// a loop that copies a 10 MB body a thousand times spends the budget like a loop nest.
const STEPS_PER_BYTE: u64 = 10;
const STEPS_PER_ITEM: u64 = 100;

fn step() -> Result<(), RenderError> {
    spend(STEPS_PER_EVALUATION)
}

/// Charges the work of one operation: `bytes` copied or scanned and `items` created or walked.
fn work(bytes: usize, items: usize) -> Result<(), RenderError> {
    spend(
        (bytes as u64)
            .saturating_mul(STEPS_PER_BYTE)
            .saturating_add((items as u64).saturating_mul(STEPS_PER_ITEM)),
    )
}

fn spend(steps: u64) -> Result<(), RenderError> {
    if charge(steps) {
        Ok(())
    } else {
        Err(RenderError::Runaway(format!(
            "the command's evaluation budget ({} steps: evaluations, bytes copied or scanned, items built) is spent",
            crate::checks::budget::EVALUATION_BUDGET
        )))
    }
}

/// A string a template built: refused past [`MAX_VALUE`] bytes, charged by its size.
fn built(s: String) -> Result<Value, RenderError> {
    if s.len() > MAX_VALUE {
        return Err(RenderError::Runaway(Unprintable::TooLarge.to_string()));
    }
    work(s.len(), 0)?;
    Ok(Value::str(s))
}

impl RenderError {
    /// A value that could not be printed: a cycle is Java's StackOverflowError (a 500); the
    /// size and depth bounds are this emulator's.
    fn unprintable(u: Unprintable, pos: Pos) -> RenderError {
        match u {
            Unprintable::Cycle => RenderError::Runtime {
                pos,
                message: format!("printing a value threw StackOverflowError ({u})"),
            },
            Unprintable::TooLarge | Unprintable::TooDeep => RenderError::Runaway(u.to_string()),
        }
    }
}

impl Renderer<'_> {
    fn aws(&self) -> bool {
        self.env.null_rule == NullRule::Aws
    }

    fn block(&mut self, nodes: &[Node], out: &mut String) -> Result<Flow, RenderError> {
        for node in nodes {
            step()?;
            if out.len() > MAX_OUTPUT {
                return Err(RenderError::Runaway(format!(
                    "the output passed {MAX_OUTPUT} bytes"
                )));
            }
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Ref {
                    reference,
                    quiet,
                    literal,
                    backslashes,
                } => {
                    let value = self.reference(reference)?;
                    let printable = match &value {
                        // `$context.identity` and other context maps print as "" (recorded).
                        Value::Map(_) if reference.root == "context" && self.aws() => Value::Null,
                        v => v.clone(),
                    };
                    if *backslashes > 0 {
                        // Velocity 1.7: each pair prints one backslash and an odd one escapes
                        // the reference; an undefined reference keeps its backslashes.
                        let n = *backslashes;
                        let odd = n % 2 == 1;
                        if value.is_null() {
                            let kept = if odd { n / 2 + 1 } else { n };
                            out.extend(std::iter::repeat_n('\\', kept));
                            if odd || !*quiet && !self.aws() {
                                out.push_str(literal);
                            }
                            continue;
                        }
                        out.extend(std::iter::repeat_n('\\', n / 2));
                        if odd {
                            out.push_str(literal);
                            continue;
                        }
                    }
                    if printable.is_null() && !matches!(value, Value::Map(_)) {
                        if *quiet {
                            continue;
                        }
                        if self.aws() {
                            self.notes.undefined.push((reference.pos, literal.clone()));
                        } else {
                            out.push_str(literal);
                        }
                        continue;
                    }
                    let before = out.len();
                    printable
                        .render_into(out)
                        .map_err(|u| RenderError::unprintable(u, reference.pos))?;
                    work(out.len() - before, 0)?;
                }
                Node::Set { target, value, pos } => {
                    self.at = *pos;
                    if self.append_in_place(target, value)? {
                        continue;
                    }
                    let v = self.expr(value)?;
                    if v.is_null() {
                        // Velocity 1.7 leaves the target unchanged.
                        continue;
                    }
                    self.assign(target, v, *pos)?;
                }
                Node::If {
                    branches,
                    otherwise,
                } => {
                    let mut taken = None;
                    for (cond, body) in branches {
                        if self.condition(cond)? {
                            taken = Some(body);
                            break;
                        }
                    }
                    if let Some(body) = taken.or(otherwise.as_ref()) {
                        match self.block(body, out)? {
                            Flow::Normal => {}
                            flow => return Ok(flow),
                        }
                    }
                }
                Node::Foreach {
                    var,
                    iterable,
                    body,
                    pos,
                } => {
                    if let Flow::Stop = self.foreach(var, iterable, body, *pos, out)? {
                        return Ok(Flow::Stop);
                    }
                }
                Node::Break => return Ok(Flow::Break),
                Node::Stop => return Ok(Flow::Stop),
            }
        }
        Ok(Flow::Normal)
    }

    fn foreach(
        &mut self,
        var: &str,
        iterable: &Expr,
        body: &[Node],
        pos: Pos,
        out: &mut String,
    ) -> Result<Flow, RenderError> {
        // Only the iterations the quota allows are copied (and charged).
        let limit = self.env.max_iterations.saturating_add(1);
        let (items, total): (Vec<Value>, usize) = match self.expr(iterable)? {
            Value::List(items, _) => {
                let items = items.borrow();
                (items.iter().take(limit).cloned().collect(), items.len())
            }
            Value::Map(m) => {
                let m = m.borrow();
                (m.values().take(limit).cloned().collect(), m.len())
            }
            _ => return Ok(Flow::Normal),
        };
        work(0, items.len())?;
        let saved: Vec<(String, Option<Value>)> = [var, "foreach", "velocityCount"]
            .iter()
            .map(|k| (k.to_string(), self.vars.get(*k).cloned()))
            .collect();
        let mut flow = Flow::Normal;
        // `$foreach`'s keys, made once for the whole loop.
        let meta_keys = ["count", "index", "hasNext", "first", "last"].map(Key::from);
        for (n, item) in items.into_iter().enumerate() {
            if n >= self.env.max_iterations {
                self.notes.foreach_limit.push(pos);
                break;
            }
            let [count, index, has_next, first, last] = meta_keys.clone();
            let meta = [
                (count, Value::Int(n as i64 + 1)),
                (index, Value::Int(n as i64)),
                (has_next, Value::Bool(n + 1 < total)),
                (first, Value::Bool(n == 0)),
                (last, Value::Bool(n + 1 == total)),
            ];
            self.set_var("foreach", Value::map(meta.into_iter().collect()));
            self.set_var("velocityCount", Value::Int(n as i64 + 1));
            self.set_var(var, item);
            match self.block(body, out)? {
                Flow::Normal => {}
                Flow::Break => break,
                Flow::Stop => {
                    flow = Flow::Stop;
                    break;
                }
            }
        }
        for (k, v) in saved {
            match v {
                Some(v) => self.vars.insert(k, v),
                None => self.vars.remove(&k),
            };
        }
        Ok(flow)
    }

    /// `#set($s = "$s...")` where `$s` holds a string: the rest of the string is rendered
    /// (seeing the old `$s`, as Velocity does), then appended to `$s`'s own copy when no
    /// other value shares it, instead of copying the whole string each time: a loop that
    /// builds a string grows it in linear time. Other shapes answer `false` (the general
    /// path).
    fn append_in_place(&mut self, target: &Reference, value: &Expr) -> Result<bool, RenderError> {
        let Expr::Interpolated(nodes) = value else {
            return Ok(false);
        };
        let Some((
            Node::Ref {
                reference,
                backslashes: 0,
                ..
            },
            rest,
        )) = nodes.split_first()
        else {
            return Ok(false);
        };
        // Only text and references after it: no directive inside the string can reassign
        // `$s` between the old value's reading and the append.
        if !target.parts.is_empty()
            || reference.root != target.root
            || !reference.parts.is_empty()
            || !rest
                .iter()
                .all(|n| matches!(n, Node::Text(_) | Node::Ref { .. }))
            || !matches!(self.vars.get(&target.root), Some(Value::Str(_)))
        {
            return Ok(false);
        }
        let mut tail = String::new();
        self.block(rest, &mut tail)?;
        let Some(Value::Str(current)) = self.vars.get_mut(&target.root) else {
            return Ok(false);
        };
        if current.len().saturating_add(tail.len()) > MAX_VALUE {
            return Err(RenderError::Runaway(Unprintable::TooLarge.to_string()));
        }
        // In place unless shared (`#set($t = $s)` before: strings do not change, so a new
        // one).
        work(current.push_str(&tail), 0)?;
        Ok(true)
    }

    fn assign(&mut self, target: &Reference, v: Value, pos: Pos) -> Result<(), RenderError> {
        let Some((last, init)) = target.parts.split_last() else {
            self.set_var(&target.root, v);
            return Ok(());
        };
        let holder = self.walk(&target.root, init, target.pos)?;
        let key = match last {
            Part::Property(name) => Value::text(name),
            Part::Index(e) => self.expr(e)?,
            Part::Method(..) => return Ok(()),
        };
        if target.root == "context" {
            let path: Vec<String> = init
                .iter()
                .filter_map(|p| match p {
                    Part::Property(n) => Some(n.clone()),
                    _ => None,
                })
                .chain(std::iter::once(self.text(&key)?))
                .collect();
            if path
                .first()
                .is_some_and(|p| p == "responseOverride" || p == "requestOverride")
            {
                self.notes.overrides.push((path.join("."), pos));
            }
        }
        match holder {
            Value::Map(m) => {
                let key = self.text(&key)?;
                m.borrow_mut().insert(key, v);
            }
            Value::List(items, _) => {
                if let Some(i) = key.as_number() {
                    let mut items = items.borrow_mut();
                    if let Some(slot) =
                        index(items.len(), i.as_f64() as i64).and_then(|i| items.get_mut(i))
                    {
                        *slot = v;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn reference(&mut self, r: &Reference) -> Result<Value, RenderError> {
        self.walk(&r.root, &r.parts, r.pos)
    }

    fn walk(&mut self, root: &str, parts: &[Part], pos: Pos) -> Result<Value, RenderError> {
        self.at = pos;
        let mut value = self.vars.get(root).cloned().unwrap_or(Value::Null);
        for part in parts {
            step()?;
            if value.is_null() {
                return Ok(Value::Null);
            }
            value = match part {
                Part::Property(name) => property(&value, name, || {
                    let text = || Rc::new(body_text(&self.env.input).to_string());
                    (self.body.get_or_init(|| Value::Str(Text::Growing(text())))).clone()
                }),
                Part::Index(e) => {
                    let k = self.expr(e)?;
                    index_value(&value, &k).map_err(|u| RenderError::unprintable(u, pos))?
                }
                Part::Method(name, args) => {
                    let mut values = Vec::with_capacity(args.len());
                    for a in args {
                        values.push(self.expr(a)?);
                    }
                    self.method(&value, name, values, pos)?
                }
            };
        }
        Ok(value)
    }

    fn expr(&mut self, e: &Expr) -> Result<Value, RenderError> {
        step()?;
        Ok(match e {
            Expr::Int(i) => Value::Int(*i),
            Expr::Double(d) => Value::Double(*d),
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Str(s) => Value::text(s),
            Expr::Interpolated(nodes) => {
                let mut s = String::new();
                self.block(nodes, &mut s)?;
                built(s)?
            }
            Expr::Ref(r) => self.reference(r)?,
            Expr::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for i in items {
                    values.push(self.expr(i)?);
                }
                Value::list(values, false)
            }
            Expr::Range(a, b) => {
                let (Some(a), Some(b)) = (
                    self.expr(a)?.as_number().map(|n| n.as_f64() as i64),
                    self.expr(b)?.as_number().map(|n| n.as_f64() as i64),
                ) else {
                    return Ok(Value::Null);
                };
                if a.abs_diff(b) >= MAX_ITEMS as u64 {
                    return Err(RenderError::Runaway(format!(
                        "the range [{a}..{b}] has more than {MAX_ITEMS} items"
                    )));
                }
                work(0, a.abs_diff(b) as usize + 1)?;
                let items: Vec<Value> = if a <= b {
                    (a..=b).map(Value::Int).collect()
                } else {
                    (b..=a).rev().map(Value::Int).collect()
                };
                Value::list(items, false)
            }
            Expr::Map(entries) => {
                let mut m = crate::checks::template::value::Entries::default();
                for (k, v) in entries {
                    let k = self.expr(k)?;
                    let k = self.text(&k)?;
                    let v = self.expr(v)?;
                    m.insert(k, v);
                }
                Value::map(m)
            }
            Expr::Not(e) => Value::Bool(!self.condition(e)?),
            Expr::Neg(e) => match self.expr(e)?.as_number() {
                Some(Number::Int(i)) => Value::Int(-i),
                Some(Number::Double(d)) => Value::Double(-d),
                None => Value::Null,
            },
            Expr::Binary(op, a, b) => self.binary(*op, a, b)?,
        })
    }

    /// An expression as a condition, as Velocity 1.7 evaluates it: a reference is true unless
    /// null or false; `true`/`false` and comparisons are themselves; literals (strings,
    /// numbers, lists, maps) and arithmetic are false.
    fn condition(&mut self, e: &Expr) -> Result<bool, RenderError> {
        Ok(match e {
            Expr::Ref(_) => self.expr(e)?.truthy(),
            Expr::Bool(b) => *b,
            Expr::Not(inner) => !self.condition(inner)?,
            Expr::Binary(
                Op::And | Op::Or | Op::Eq | Op::Ne | Op::Lt | Op::Gt | Op::Le | Op::Ge,
                ..,
            ) => self.expr(e)?.truthy(),
            _ => false,
        })
    }

    fn binary(&mut self, op: Op, a: &Expr, b: &Expr) -> Result<Value, RenderError> {
        match op {
            Op::And => return Ok(Value::Bool(self.condition(a)? && self.condition(b)?)),
            Op::Or => return Ok(Value::Bool(self.condition(a)? || self.condition(b)?)),
            _ => {}
        }
        let (mut x, mut y) = (self.expr(a)?, self.expr(b)?);
        if self.aws() {
            // API Gateway compares an undefined reference as "".
            for v in [&mut x, &mut y] {
                if v.is_null() {
                    *v = Value::text("");
                }
            }
        }
        Ok(match op {
            Op::Eq => Value::Bool(self.equals(&x, &y)?),
            Op::Ne => Value::Bool(!self.equals(&x, &y)?),
            Op::Lt | Op::Gt | Op::Le | Op::Ge => {
                // Velocity 1.7 compares numbers only; anything else is false (and logged).
                let ordering = match (x.as_number(), y.as_number()) {
                    (Some(p), Some(q)) => p.as_f64().partial_cmp(&q.as_f64()),
                    _ => None,
                };
                let Some(o) = ordering else {
                    return Ok(Value::Bool(false));
                };
                Value::Bool(match op {
                    Op::Lt => o.is_lt(),
                    Op::Gt => o.is_gt(),
                    Op::Le => o.is_le(),
                    _ => o.is_ge(),
                })
            }
            _ => self.arithmetic(op, &x, &y)?,
        })
    }

    fn method(
        &mut self,
        target: &Value,
        name: &str,
        args: Vec<Value>,
        pos: Pos,
    ) -> Result<Value, RenderError> {
        if let Value::Object(kind) = target {
            return match &**kind {
                "input" => self.input_method(name, &args),
                "util" => self.util_method(name, &args, pos),
                _ => Ok(Value::Null),
            };
        }
        if name == "contains" && matches!(target, Value::Map(_)) {
            self.notes.contains_on_map.push(pos);
        }
        // A string method scans its target and its arguments; what it builds is charged and
        // bounded by `built`.
        work(
            target.text_len() + args.iter().map(Value::text_len).sum::<usize>(),
            0,
        )?;
        self.java_method(target, name, &args, pos)
    }

    /// Notes a path that selects nothing, with where it leaves the body (once per call site).
    fn note_missing(&mut self, root: &Value, method: &str, path: &str) {
        let at = self.at;
        if self.notes.missing_paths.iter().any(|(p, _, _)| *p == at) {
            return;
        }
        if let Some(m) = jsonpath::miss(root, path) {
            self.notes
                .missing_paths
                .push((at, format!("$input.{method}('{path}')"), m));
        }
    }

    /// A JSONPath selection, as a runaway when it would not end within the bounds.
    fn select(&self, root: &Value, path: &str) -> Result<Option<Value>, RenderError> {
        jsonpath::select(root, path).map_err(|e| RenderError::Runaway(e.to_string()))
    }

    fn body_json(&mut self) -> Result<Value, RenderError> {
        if self.json.is_none() {
            let text = body_text(&self.env.input);
            work(text.len(), 0)?;
            self.json = Some(Value::parse_json(text).map_err(|e| e.to_string()));
        }
        match self.json.as_ref() {
            Some(Ok(v)) => Ok(v.clone()),
            Some(Err(e)) => Err(RenderError::BodyNotJson(e.clone())),
            None => Ok(Value::Null),
        }
    }

    fn input_method(&mut self, name: &str, args: &[Value]) -> Result<Value, RenderError> {
        let first = match args.first() {
            Some(a) => self.text(a)?,
            None => String::new(),
        };
        let arg = |_: usize| first.clone();
        Ok(match name {
            "json" => {
                let root = self.body_json()?;
                let selected = self.select(&root, &arg(0))?;
                if selected.is_none() {
                    self.note_missing(&root, name, &arg(0));
                }
                match selected {
                    Some(v) => {
                        let text = v
                            .json_text()
                            .map_err(|u| RenderError::unprintable(u, self.at))?;
                        built(text)?
                    }
                    None => Value::text("\"\""),
                }
            }
            "path" => {
                let root = self.body_json()?;
                let selected = self.select(&root, &arg(0))?;
                if selected.is_none() {
                    self.note_missing(&root, name, &arg(0));
                }
                selected.unwrap_or(Value::Null)
            }
            "params" => {
                let input = &self.env.input;
                if args.is_empty() {
                    let as_map = |m: &IndexMap<String, String>| {
                        Value::map(m.iter().map(|(k, v)| (k.clone(), Value::text(v))).collect())
                    };
                    let mut all = crate::checks::template::value::Entries::default();
                    all.insert("path".to_string(), as_map(&input.path));
                    all.insert("querystring".to_string(), as_map(&input.querystring));
                    all.insert("header".to_string(), as_map(&input.header));
                    Value::map(all)
                } else {
                    let key = arg(0);
                    let header = input
                        .header
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(&key))
                        .map(|(_, v)| v);
                    input
                        .path
                        .get(&key)
                        .or_else(|| input.querystring.get(&key))
                        .or(header)
                        .map_or(Value::Null, |v| Value::text(v))
                }
            }
            _ => Value::Null,
        })
    }

    fn util_method(&mut self, name: &str, args: &[Value], pos: Pos) -> Result<Value, RenderError> {
        let Some(arg) = args.first() else {
            return Ok(Value::Null);
        };
        let text = self.text(arg)?;
        work(text.len(), 0)?;
        Ok(match name {
            "escapeJavaScript" => built(escape_javascript(&text))?,
            "parseJson" => match Value::parse_json(&text) {
                Ok(v) => {
                    // A parsed document is as many items as it has values, at most one per
                    // two bytes of text.
                    work(0, text.len() / 2)?;
                    v
                }
                Err(e) => {
                    return Err(RenderError::Runtime {
                        pos,
                        message: format!("$util.parseJson: not JSON ({e})"),
                    });
                }
            },
            "urlEncode" => built(url_encode(&text))?,
            "urlDecode" => built(url_decode(&text))?,
            "base64Encode" => built(base64_encode(text.as_bytes()))?,
            "base64Decode" => match base64_decode(&text) {
                Some(bytes) => built(String::from_utf8_lossy(&bytes).into_owned())?,
                None => {
                    return Err(RenderError::Runtime {
                        pos,
                        message: "$util.base64Decode: not base64".into(),
                    });
                }
            },
            // An unknown $util function renders nothing (recorded).
            _ => Value::Null,
        })
    }
}

fn index(len: usize, i: i64) -> Option<usize> {
    if i < 0 {
        len.checked_sub(i.unsigned_abs() as usize)
    } else {
        Some(i as usize)
    }
}

fn index_value(v: &Value, k: &Value) -> Result<Value, Unprintable> {
    Ok(match v {
        Value::List(items, _) => k
            .as_number()
            .and_then(|n| {
                let items = items.borrow();
                index(items.len(), n.as_f64() as i64).and_then(|i| items.get(i).cloned())
            })
            .unwrap_or(Value::Null),
        Value::Map(m) => m.borrow().get(&k.render()?).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    })
}

/// The body `$input` reads: an empty body reads as `{}` (recorded on AWS).
fn body_text(input: &Input) -> &str {
    if input.body.trim().is_empty() {
        "{}"
    } else {
        &input.body
    }
}

/// `$x.name`: a Map's key, or a JavaBean getter Velocity would find (`getName`, `isName`).
fn property(v: &Value, name: &str, body: impl FnOnce() -> Value) -> Value {
    match v {
        Value::Map(m) => m.borrow().get(name).cloned().unwrap_or(Value::Null),
        Value::Object(kind) if &**kind == "input" && name == "body" => body(),
        Value::Str(s) if name == "empty" => Value::Bool(s.is_empty()),
        Value::List(items, _) if name == "empty" => Value::Bool(items.borrow().is_empty()),
        _ => Value::Null,
    }
}

/// Java's `String.replace(target, replacement)`, refused before it builds more than
/// [`MAX_VALUE`] bytes.
fn replace_literal(s: &str, from: &str, to: &str) -> Result<String, Unprintable> {
    let count = if from.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(from).count()
    };
    let size = (s.len() - count.saturating_mul(from.len()).min(s.len()))
        .saturating_add(count.saturating_mul(to.len()));
    if size > MAX_VALUE {
        return Err(Unprintable::TooLarge);
    }
    Ok(s.replace(from, to))
}

fn char_index_of(s: &str, byte: Option<usize>) -> i64 {
    byte.map_or(-1, |b| s[..b].chars().count() as i64)
}

impl Renderer<'_> {
    /// What a value prints, as a runtime error when it cannot be printed.
    fn text(&self, v: &Value) -> Result<String, RenderError> {
        let text = v
            .render()
            .map_err(|u| RenderError::unprintable(u, self.at))?;
        work(text.len(), 0)?;
        Ok(text)
    }

    /// Whether one of `values` equals `wanted` (Java's `contains`/`containsValue`), charged
    /// per value compared.
    fn holds(&self, values: &[Value], wanted: &Value) -> Result<bool, RenderError> {
        work(0, values.len())?;
        for v in values {
            if self.equals(v, wanted)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Velocity 1.7's `==`: numbers by value, same classes by `equals`, different classes by
    /// their text.
    fn equals(&self, a: &Value, b: &Value) -> Result<bool, RenderError> {
        Ok(match (a, b) {
            (Value::Null, Value::Null) => true,
            (Value::Null, _) | (_, Value::Null) => false,
            _ => match (a.as_number(), b.as_number()) {
                (Some(x), Some(y)) => x.as_f64() == y.as_f64(),
                _ => match (a, b) {
                    (Value::Bool(x), Value::Bool(y)) => x == y,
                    (Value::Str(x), Value::Str(y)) => {
                        work(x.len().min(y.len()), 0)?;
                        x == y
                    }
                    _ => self.text(a)? == self.text(b)?,
                },
            },
        })
    }

    fn arithmetic(&self, op: Op, x: &Value, y: &Value) -> Result<Value, RenderError> {
        if op == Op::Add && (matches!(x, Value::Str(_)) || matches!(y, Value::Str(_))) {
            let (a, b) = (self.text(x)?, self.text(y)?);
            if a.len() + b.len() > MAX_VALUE {
                return Err(RenderError::Runaway(Unprintable::TooLarge.to_string()));
            }
            return built(a + &b);
        }
        let (Some(p), Some(q)) = (x.as_number(), y.as_number()) else {
            return Ok(Value::Null);
        };
        Ok(match (p, q) {
            (Number::Int(a), Number::Int(b)) => match op {
                Op::Add => a.checked_add(b).map_or(Value::Null, Value::Int),
                Op::Sub => a.checked_sub(b).map_or(Value::Null, Value::Int),
                Op::Mul => a.checked_mul(b).map_or(Value::Null, Value::Int),
                Op::Div => a.checked_div(b).map_or(Value::Null, Value::Int),
                Op::Mod => a.checked_rem(b).map_or(Value::Null, Value::Int),
                _ => Value::Null,
            },
            _ => {
                let (a, b) = (p.as_f64(), q.as_f64());
                match op {
                    Op::Add => Value::Double(a + b),
                    Op::Sub => Value::Double(a - b),
                    Op::Mul => Value::Double(a * b),
                    Op::Div if b == 0.0 => Value::Null,
                    Op::Div => Value::Double(a / b),
                    Op::Mod if b == 0.0 => Value::Null,
                    Op::Mod => Value::Double(a % b),
                    _ => Value::Null,
                }
            }
        })
    }

    /// Sets a variable, reusing its name when it is already set (a loop sets the same few
    /// names once per item).
    fn set_var(&mut self, name: &str, v: Value) {
        match self.vars.get_mut(name) {
            Some(slot) => *slot = v,
            None => {
                self.vars.insert(name.to_string(), v);
            }
        }
    }

    /// A regex argument compiled as Java compiles it: a pattern Java rejects throws
    /// PatternSyntaxException (the rendering fails, a 500). Each pattern is compiled once
    /// per rendering: a `replaceAll` in a loop over a large body compiles it once, not per
    /// item.
    fn java_pattern(&mut self, source: &str, pos: Pos) -> Result<Rc<JavaRegex>, RenderError> {
        if let Some(re) = self.patterns.get(source) {
            return Ok(re.clone());
        }
        let re = Rc::new(
            JavaRegex::compile(source).map_err(|e| RenderError::Runtime {
                pos,
                message: format!("the regex {source:?} threw PatternSyntaxException ({e})"),
            })?,
        );
        if self.patterns.len() < MAX_PATTERNS {
            self.patterns.insert(source.to_string(), re.clone());
        }
        Ok(re)
    }

    /// A regex method the emulation could not decide: noted (uncertain), and null.
    fn undecided(&mut self, name: &str, re: &JavaRegex, pos: Pos) -> Value {
        let why = if re.inexact.is_empty() {
            "the emulated regex engine stopped (backtracking limit or evaluation budget)"
                .to_string()
        } else {
            re.inexact.join("; ")
        };
        self.notes
            .undecided
            .push((pos, format!("{name}({:?}): {why}", re.source)));
        Value::Null
    }

    /// The Java methods templates call on strings, maps and lists; a Java exception fails
    /// the rendering (a 500), as Velocity does.
    fn java_method(
        &mut self,
        target: &Value,
        name: &str,
        args: &[Value],
        pos: Pos,
    ) -> Result<Value, RenderError> {
        let mut texts = Vec::with_capacity(args.len());
        for a in args {
            texts.push(self.text(a)?);
        }
        let arg = |n: usize| texts.get(n).cloned().unwrap_or_default();
        let int_arg = |n: usize| {
            args.get(n)
                .and_then(Value::as_number)
                .map(|n| n.as_f64() as i64)
        };
        let thrown = |exception: String| RenderError::Runtime {
            pos,
            message: format!("{name}() threw {exception}"),
        };
        let too_large = |u: Unprintable| RenderError::unprintable(u, pos);
        Ok(match target {
            Value::Str(s) => {
                let chars = || s.chars().count();
                match (name, args.len()) {
                    ("length", 0) => Value::Int(chars() as i64),
                    ("isEmpty", 0) => Value::Bool(s.is_empty()),
                    ("toString", 0) => target.clone(),
                    ("trim", 0) => Value::text(s.trim_matches(|c: char| c <= ' ')),
                    ("toLowerCase", 0) => built(s.to_lowercase())?,
                    ("toUpperCase", 0) => built(s.to_uppercase())?,
                    ("contains", 1) => Value::Bool(s.contains(arg(0).as_str())),
                    ("startsWith", 1) => Value::Bool(s.starts_with(arg(0).as_str())),
                    ("endsWith", 1) => Value::Bool(s.ends_with(arg(0).as_str())),
                    ("equals", 1) => Value::Bool(matches!(&args[0], Value::Str(o) if o == s)),
                    ("equalsIgnoreCase", 1) => {
                        Value::Bool(s.to_lowercase() == arg(0).to_lowercase())
                    }
                    ("indexOf", 1) => Value::Int(char_index_of(s, s.find(arg(0).as_str()))),
                    ("lastIndexOf", 1) => Value::Int(char_index_of(s, s.rfind(arg(0).as_str()))),
                    ("concat", 1) => {
                        if s.len() + texts[0].len() > MAX_VALUE {
                            return Err(too_large(Unprintable::TooLarge));
                        }
                        built(format!("{s}{}", texts[0]))?
                    }
                    ("replace", 2) => {
                        built(replace_literal(s, &texts[0], &texts[1]).map_err(too_large)?)?
                    }
                    ("charAt", 1) => match int_arg(0).and_then(|i| s.chars().nth(i as usize)) {
                        Some(c) => Value::str(c.to_string()),
                        None => return Err(thrown("StringIndexOutOfBoundsException".into())),
                    },
                    ("substring", 1 | 2) => {
                        let n = chars() as i64;
                        let from = int_arg(0).unwrap_or(0);
                        let to = if args.len() == 2 {
                            int_arg(1).unwrap_or(n)
                        } else {
                            n
                        };
                        if from < 0 || to > n || from > to {
                            return Err(thrown(format!(
                                "StringIndexOutOfBoundsException: begin {from}, end {to}, length {n}"
                            )));
                        }
                        built(
                            s.chars()
                                .skip(from as usize)
                                .take((to - from) as usize)
                                .collect::<String>(),
                        )?
                    }
                    ("matches", 1) => {
                        let re = self.java_pattern(&texts[0], pos)?;
                        match re.matches(s) {
                            Verdict::Match => Value::Bool(true),
                            Verdict::NoMatch => Value::Bool(false),
                            Verdict::Unknown => self.undecided(name, &re, pos),
                        }
                    }
                    ("replaceAll" | "replaceFirst", 2) => {
                        let re = self.java_pattern(&texts[0], pos)?;
                        match re.replace(s, &texts[1], name == "replaceAll", MAX_VALUE) {
                            Edit::Done(out) => built(out)?,
                            Edit::TooLarge => return Err(too_large(Unprintable::TooLarge)),
                            Edit::Undecided => self.undecided(name, &re, pos),
                        }
                    }
                    ("split", 1) => {
                        let re = self.java_pattern(&texts[0], pos)?;
                        match re.split(s, MAX_ITEMS) {
                            Edit::Done(parts) => {
                                work(s.len(), parts.len())?;
                                Value::list(parts.into_iter().map(Value::str).collect(), false)
                            }
                            Edit::TooLarge => {
                                return Err(RenderError::Runaway(format!(
                                    "split() made more than {MAX_ITEMS} parts"
                                )));
                            }
                            Edit::Undecided => self.undecided(name, &re, pos),
                        }
                    }
                    _ => Value::Null,
                }
            }
            Value::Map(m) => match (name, args.len()) {
                ("get", 1) => m.borrow().get(&arg(0)).cloned().unwrap_or(Value::Null),
                ("put", 2) => {
                    if m.borrow().len() >= MAX_ITEMS {
                        return Err(RenderError::Runaway(format!(
                            "a Map grew past {MAX_ITEMS} entries"
                        )));
                    }
                    m.borrow_mut()
                        .insert(arg(0), args[1].clone())
                        .unwrap_or(Value::Null)
                }
                ("remove", 1) => m.borrow_mut().shift_remove(&arg(0)).unwrap_or(Value::Null),
                ("containsKey", 1) => Value::Bool(m.borrow().contains_key(&arg(0))),
                ("containsValue", 1) => {
                    let values: Vec<Value> = m.borrow().values().cloned().collect();
                    Value::Bool(self.holds(&values, &args[0])?)
                }
                ("size", 0) => Value::Int(m.borrow().len() as i64),
                ("isEmpty", 0) => Value::Bool(m.borrow().is_empty()),
                ("keySet", 0) => {
                    work(0, m.borrow().len())?;
                    Value::list(m.borrow().keys().map(|k| Value::text(k)).collect(), false)
                }
                ("values", 0) => {
                    work(0, m.borrow().len())?;
                    Value::list(m.borrow().values().cloned().collect(), false)
                }
                ("entrySet", 0) => {
                    work(0, 3 * m.borrow().len())?;
                    Value::list(
                        m.borrow()
                            .iter()
                            .map(|(k, v)| {
                                let mut e = crate::checks::template::value::Entries::default();
                                e.insert("key".to_string(), Value::text(k));
                                e.insert("value".to_string(), v.clone());
                                Value::map(e)
                            })
                            .collect(),
                        false,
                    )
                }
                ("getKey", 0) => m.borrow().get("key").cloned().unwrap_or(Value::Null),
                ("getValue", 0) => m.borrow().get("value").cloned().unwrap_or(Value::Null),
                ("toString", 0) => built(self.text(target)?)?,
                ("contains", 1) => Value::Bool(self.text(target)?.contains(&arg(0))),
                _ => Value::Null,
            },
            Value::List(items, _) => match (name, args.len()) {
                ("size", 0) => Value::Int(items.borrow().len() as i64),
                ("isEmpty", 0) => Value::Bool(items.borrow().is_empty()),
                ("get", 1) => {
                    let len = items.borrow().len() as i64;
                    match int_arg(0) {
                        Some(i) if (0..len).contains(&i) => {
                            index_value(target, &args[0]).map_err(too_large)?
                        }
                        _ => {
                            return Err(thrown(format!(
                                "IndexOutOfBoundsException: Index {} out of bounds for length {len}",
                                arg(0)
                            )));
                        }
                    }
                }
                ("contains", 1) => {
                    let values: Vec<Value> = items.borrow().clone();
                    Value::Bool(self.holds(&values, &args[0])?)
                }
                ("add", 1) => {
                    if items.borrow().len() >= MAX_ITEMS {
                        return Err(RenderError::Runaway(format!(
                            "a List grew past {MAX_ITEMS} items"
                        )));
                    }
                    items.borrow_mut().push(args[0].clone());
                    Value::Bool(true)
                }
                ("toString", 0) => built(self.text(target)?)?,
                _ => Value::Null,
            },
            Value::Int(_) | Value::Double(_) | Value::Bool(_) => match (name, args.len()) {
                ("toString", 0) => Value::str(self.text(target)?),
                ("equals", 1) => Value::Bool(
                    target.type_name() == args[0].type_name() && self.equals(target, &args[0])?,
                ),
                _ => Value::Null,
            },
            _ => Value::Null,
        })
    }
}

/// commons-lang 2 `StringEscapeUtils.escapeJavaScript`: `'` becomes `\'` (invalid in JSON).
pub fn escape_javascript(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if (c as u32) > 0x7f => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{:04X}", unit));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Java's `URLEncoder.encode(s, "UTF-8")`: space is `+`.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = || {
            let h = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            u8::from_str_radix(h, 16).ok()
        };
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if hex().is_some() => {
                out.push(hex().unwrap_or(b'%'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let v = BASE64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
