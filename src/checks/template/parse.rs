//! Velocity 1.7 template syntax: text, references, directives and their expressions, with
//! Velocity's whitespace rule (a directive ending its line takes the newline with it).
use std::fmt;

/// Nesting deeper than this is refused: no real mapping template comes close.
pub const MAX_DEPTH: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub pos: Pos,
    /// Not an error in API Gateway: a directive this emulator does not run.
    pub unsupported: bool,
}

impl SyntaxError {
    fn at(pos: Pos, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            pos,
            unsupported: false,
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.pos.line, self.pos.column, self.message
        )
    }
}

#[derive(Debug, Clone)]
pub enum Node {
    Text(String),
    /// A reference printed in the text. `literal` is its source text (plain Velocity prints
    /// it when the reference is undefined); `backslashes` counts the `\` before it.
    Ref {
        reference: Reference,
        quiet: bool,
        literal: String,
        backslashes: usize,
    },
    Set {
        target: Reference,
        value: Expr,
        pos: Pos,
    },
    If {
        branches: Vec<(Expr, Vec<Node>)>,
        otherwise: Option<Vec<Node>>,
    },
    Foreach {
        var: String,
        iterable: Expr,
        body: Vec<Node>,
        pos: Pos,
    },
    Break,
    Stop,
}

#[derive(Debug, Clone)]
pub struct Reference {
    pub root: String,
    pub parts: Vec<Part>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub enum Part {
    Property(String),
    Method(String, Vec<Expr>),
    Index(Expr),
}

#[derive(Debug, Clone)]
pub enum Expr {
    Int(i64),
    Double(f64),
    Bool(bool),
    /// A single-quoted string: no interpolation.
    Str(String),
    /// A double-quoted string: rendered as a template.
    Interpolated(Vec<Node>),
    Ref(Reference),
    List(Vec<Expr>),
    Range(Box<Expr>, Box<Expr>),
    Map(Vec<(Expr, Expr)>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

pub fn parse(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let mut p = Parser {
        chars: text.chars().collect(),
        at: 0,
        line: 1,
        column: 1,
        depth: 0,
    };
    let (nodes, end) = p.block(false)?;
    match end {
        BlockEnd::Eof => Ok(nodes),
        BlockEnd::End(pos) => Err(SyntaxError::at(pos, "#end without a directive to close")),
        BlockEnd::Else(pos) | BlockEnd::ElseIf(_, pos) => {
            Err(SyntaxError::at(pos, "#else or #elseif outside an #if"))
        }
    }
}

enum BlockEnd {
    Eof,
    End(Pos),
    Else(Pos),
    ElseIf(Expr, Pos),
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    line: usize,
    column: usize,
    depth: usize,
}

fn ident_start(c: char) -> bool {
    c.is_ascii_alphabetic()
}

fn ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.at + n).copied()
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.peek_at(i) == Some(c))
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError::at(self.pos(), message))
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(format!(
                "nested more than {MAX_DEPTH} levels deep (each operator of a chain such as 1+1+... is a level)"
            ));
        }
        Ok(())
    }

    /// Nodes up to the end of input (top level) or a closing `#end`/`#else`/`#elseif`.
    fn block(&mut self, in_string: bool) -> Result<(Vec<Node>, BlockEnd), SyntaxError> {
        let mut nodes = Vec::new();
        let mut text = String::new();
        // Whether the text being collected follows a reference or a directive directly:
        // then spaces before a #set belong to the #set and vanish (Velocity 1.7's lexer).
        let mut after_node = !in_string;
        let flush = |text: &mut String, nodes: &mut Vec<Node>| {
            if !text.is_empty() {
                nodes.push(Node::Text(std::mem::take(text)));
            }
        };
        while let Some(c) = self.peek() {
            if c == '\\' {
                let mut n = 0;
                while self.peek_at(n) == Some('\\') {
                    n += 1;
                }
                if self.peek_at(n) == Some('$') && self.reference_follows(n + 1) {
                    for _ in 0..n {
                        self.bump();
                    }
                    flush(&mut text, &mut nodes);
                    nodes.push(self.reference_node(n)?);
                    after_node = true;
                    continue;
                }
                if n == 1 && self.peek_at(1) == Some('#') && !in_string {
                    self.bump();
                    if let Some(name) = self.directive_name_at(1) {
                        // `\#if` prints `#if`: the directive is text.
                        self.bump();
                        text.push('#');
                        for _ in 0..name.len() {
                            text.push(self.bump().unwrap_or_default());
                        }
                        after_node = false;
                        continue;
                    }
                    text.push('\\');
                    continue;
                }
                for _ in 0..n {
                    self.bump();
                    text.push('\\');
                }
                after_node = false;
                continue;
            }
            if c == '$' && self.reference_follows(1) {
                flush(&mut text, &mut nodes);
                nodes.push(self.reference_node(0)?);
                after_node = true;
                continue;
            }
            if c == '#' && !in_string {
                if self.starts_with("##") {
                    flush(&mut text, &mut nodes);
                    while let Some(c) = self.bump() {
                        if c == '\n' {
                            break;
                        }
                    }
                    after_node = true;
                    continue;
                }
                if self.starts_with("#*") {
                    flush(&mut text, &mut nodes);
                    let pos = self.pos();
                    self.bump();
                    self.bump();
                    loop {
                        if self.starts_with("*#") {
                            self.bump();
                            self.bump();
                            after_node = true;
                            break;
                        }
                        if self.bump().is_none() {
                            return Err(SyntaxError::at(pos, "unterminated #* comment"));
                        }
                    }
                    continue;
                }
                if self.starts_with("#[[") {
                    let pos = self.pos();
                    for _ in 0..3 {
                        self.bump();
                    }
                    loop {
                        if self.starts_with("]]#") {
                            for _ in 0..3 {
                                self.bump();
                            }
                            break;
                        }
                        match self.bump() {
                            Some(c) => text.push(c),
                            None => {
                                return Err(SyntaxError::at(pos, "unterminated #[[ block"));
                            }
                        }
                    }
                    continue;
                }
                if let Some(name) = self.directive_name_at(0) {
                    let pos = self.pos();
                    if name == "set" && after_node && text.chars().all(|c| c == ' ' || c == '\t') {
                        text.clear();
                    }
                    flush(&mut text, &mut nodes);
                    match self.directive(&name, pos)? {
                        Directive::Node(n) => nodes.push(n),
                        Directive::End(end) => return Ok((nodes, end)),
                    }
                    after_node = true;
                    continue;
                }
            }
            self.bump();
            text.push(c);
            if c != ' ' && c != '\t' {
                after_node = false;
            }
        }
        flush(&mut text, &mut nodes);
        Ok((nodes, BlockEnd::Eof))
    }

    /// A reference starts at offset `n`: `$name`, `$!name`, `${name}`, `$!{name}`.
    fn reference_follows(&self, n: usize) -> bool {
        let mut i = n;
        if self.peek_at(i) == Some('!') {
            i += 1;
        }
        if self.peek_at(i) == Some('{') {
            i += 1;
        }
        self.peek_at(i).is_some_and(ident_start)
    }

    /// The directive at the `#` at offset `at`, if one is there (`#set`, `#{if}`, ...);
    /// unknown words are text.
    fn directive_name_at(&self, at: usize) -> Option<String> {
        let mut i = at + 1;
        let formal = self.peek_at(i) == Some('{');
        if formal {
            i += 1;
        }
        let mut name = String::new();
        while let Some(c) = self.peek_at(i) {
            if !c.is_ascii_alphabetic() {
                break;
            }
            name.push(c);
            i += 1;
        }
        if formal && self.peek_at(i) != Some('}') {
            return None;
        }
        let known = [
            "set", "if", "elseif", "else", "end", "foreach", "break", "stop", "macro", "define",
            "include", "parse", "evaluate",
        ];
        // `#endfoo` is text: the name must end where the word ends (or at the `}`).
        known.contains(&name.as_str()).then_some(name)
    }

    fn directive(&mut self, name: &str, pos: Pos) -> Result<Directive, SyntaxError> {
        // Consume `#name` or `#{name}`.
        self.bump();
        let formal = self.peek() == Some('{');
        if formal {
            self.bump();
        }
        for _ in 0..name.len() {
            self.bump();
        }
        if formal {
            self.bump();
        }
        match name {
            "set" => {
                self.open_paren("#set")?;
                self.skip_ws();
                if self.peek() != Some('$') {
                    return self.error("#set needs a reference on its left: #set($name = value)");
                }
                self.bump();
                let target = self.reference(false)?.0;
                self.skip_ws();
                if self.peek() != Some('=') {
                    return self.error("#set needs `=`");
                }
                self.bump();
                let value = self.expr()?;
                self.close_paren("#set")?;
                self.gobble_newline();
                Ok(Directive::Node(Node::Set { target, value, pos }))
            }
            "if" => {
                self.enter()?;
                let mut branches = Vec::new();
                let mut cond = self.paren_expr("#if")?;
                self.gobble_newline();
                let mut otherwise = None;
                loop {
                    let (body, end) = self.block(false)?;
                    match end {
                        BlockEnd::Eof => {
                            return Err(SyntaxError::at(pos, "#if without #end"));
                        }
                        BlockEnd::End(_) => {
                            branches.push((cond, body));
                            break;
                        }
                        BlockEnd::ElseIf(next, _) => {
                            branches.push((cond, body));
                            cond = next;
                        }
                        BlockEnd::Else(else_pos) => {
                            branches.push((cond, body));
                            let (body, end) = self.block(false)?;
                            match end {
                                BlockEnd::End(_) => {
                                    otherwise = Some(body);
                                    break;
                                }
                                BlockEnd::Eof => {
                                    return Err(SyntaxError::at(pos, "#if without #end"));
                                }
                                _ => {
                                    return Err(SyntaxError::at(
                                        else_pos,
                                        "#else or #elseif after #else",
                                    ));
                                }
                            }
                        }
                    }
                }
                self.depth -= 1;
                Ok(Directive::Node(Node::If {
                    branches,
                    otherwise,
                }))
            }
            "elseif" => {
                let cond = self.paren_expr("#elseif")?;
                self.gobble_newline();
                Ok(Directive::End(BlockEnd::ElseIf(cond, pos)))
            }
            "else" => {
                self.gobble_newline();
                Ok(Directive::End(BlockEnd::Else(pos)))
            }
            "end" => {
                self.gobble_newline();
                Ok(Directive::End(BlockEnd::End(pos)))
            }
            "foreach" => {
                self.enter()?;
                self.open_paren("#foreach")?;
                self.skip_ws();
                if self.peek() != Some('$') {
                    return self.error("#foreach needs a loop variable: #foreach($item in $list)");
                }
                self.bump();
                let var = self.reference(false)?.0;
                if !var.parts.is_empty() {
                    return self.error("the #foreach variable must be a plain name");
                }
                self.skip_ws();
                if !self.starts_with("in") || self.peek_at(2).is_some_and(ident_char) {
                    return self.error("#foreach needs `in`");
                }
                self.bump();
                self.bump();
                let iterable = self.expr()?;
                self.close_paren("#foreach")?;
                self.gobble_newline();
                let (body, end) = self.block(false)?;
                match end {
                    BlockEnd::End(_) => {}
                    BlockEnd::Eof => {
                        return Err(SyntaxError::at(pos, "#foreach without #end"));
                    }
                    BlockEnd::Else(p) | BlockEnd::ElseIf(_, p) => {
                        return Err(SyntaxError::at(p, "#else inside #foreach without #if"));
                    }
                }
                self.depth -= 1;
                Ok(Directive::Node(Node::Foreach {
                    var: var.root,
                    iterable,
                    body,
                    pos,
                }))
            }
            "break" => {
                self.gobble_newline();
                Ok(Directive::Node(Node::Break))
            }
            "stop" => {
                self.gobble_newline();
                Ok(Directive::Node(Node::Stop))
            }
            other => Err(SyntaxError {
                message: format!("#{other} is not emulated by apigw-doctor"),
                pos,
                unsupported: true,
            }),
        }
    }

    /// A directive that ends its line takes the newline with it (Velocity 1.x).
    fn gobble_newline(&mut self) {
        let mut i = 0;
        while matches!(self.peek_at(i), Some(' ' | '\t')) {
            i += 1;
        }
        let newline = match (self.peek_at(i), self.peek_at(i + 1)) {
            (Some('\n'), _) => i + 1,
            (Some('\r'), Some('\n')) => i + 2,
            _ => return,
        };
        for _ in 0..newline {
            self.bump();
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn open_paren(&mut self, what: &str) -> Result<(), SyntaxError> {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
        if self.peek() != Some('(') {
            return self.error(format!("{what} needs `(`"));
        }
        self.bump();
        Ok(())
    }

    fn close_paren(&mut self, what: &str) -> Result<(), SyntaxError> {
        self.skip_ws();
        if self.peek() != Some(')') {
            return self.error(format!("{what}: expected `)`"));
        }
        self.bump();
        Ok(())
    }

    fn paren_expr(&mut self, what: &str) -> Result<Expr, SyntaxError> {
        self.open_paren(what)?;
        let e = self.expr()?;
        self.close_paren(what)?;
        Ok(e)
    }

    /// A reference in text, `$` not yet consumed (after `backslashes` backslashes).
    fn reference_node(&mut self, backslashes: usize) -> Result<Node, SyntaxError> {
        let start = self.at;
        self.bump();
        let quiet = if self.peek() == Some('!') {
            self.bump();
            true
        } else {
            false
        };
        let (reference, _) = self.reference(true)?;
        let literal: String = self.chars[start..self.at].iter().collect();
        Ok(Node::Ref {
            reference,
            quiet,
            literal,
            backslashes,
        })
    }

    /// The reference after `$`/`$!`: `name(.part)*` or `{name(.part)*}`. In text, a `.` not
    /// followed by a name, or a `(` not closing, stays text.
    fn reference(&mut self, in_text: bool) -> Result<(Reference, bool), SyntaxError> {
        let pos = self.pos();
        let formal = self.peek() == Some('{');
        if formal {
            self.bump();
        }
        let root = self.ident();
        if root.is_empty() {
            return self.error("a reference needs a name after `$`");
        }
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                Some('.') if self.peek_at(1).is_some_and(ident_start) => {
                    self.bump();
                    let name = self.ident();
                    if self.peek() == Some('(') {
                        self.bump();
                        let args = self.args(')')?;
                        parts.push(Part::Method(name, args));
                    } else {
                        parts.push(Part::Property(name));
                    }
                }
                Some('[') if !in_text || self.index_follows() => {
                    self.bump();
                    let index = self.expr()?;
                    self.skip_ws();
                    if self.peek() != Some(']') {
                        return self.error("expected `]` after the index");
                    }
                    self.bump();
                    parts.push(Part::Index(index));
                }
                _ => break,
            }
        }
        if formal {
            if self.peek() != Some('}') {
                return self.error("expected `}` to close `${`");
            }
            self.bump();
        }
        Ok((Reference { root, parts, pos }, formal))
    }

    /// In text, `$a[...]` is an index only when a `]` closes it on the same line.
    fn index_follows(&self) -> bool {
        let mut i = 1;
        while let Some(c) = self.peek_at(i) {
            match c {
                ']' => return i > 1,
                '\n' => return false,
                _ => i += 1,
            }
        }
        false
    }

    fn ident(&mut self) -> String {
        let mut s = String::new();
        if !self.peek().is_some_and(ident_start) {
            return s;
        }
        while let Some(c) = self.peek() {
            if !ident_char(c) {
                break;
            }
            s.push(c);
            self.bump();
        }
        s
    }

    fn args(&mut self, close: char) -> Result<Vec<Expr>, SyntaxError> {
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(close) {
            self.bump();
            return Ok(args);
        }
        loop {
            args.push(self.expr()?);
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(c) if c == close => {
                    self.bump();
                    return Ok(args);
                }
                _ => return self.error(format!("expected `,` or `{close}`")),
            }
        }
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let e = self.binary(0);
        self.depth -= 1;
        e
    }

    /// Precedence climbing: or < and < equality < relational < additive < multiplicative.
    fn binary(&mut self, level: usize) -> Result<Expr, SyntaxError> {
        const LEVELS: &[&[(&str, Op)]] = &[
            &[("||", Op::Or), ("or", Op::Or)],
            &[("&&", Op::And), ("and", Op::And)],
            &[
                ("==", Op::Eq),
                ("!=", Op::Ne),
                ("eq", Op::Eq),
                ("ne", Op::Ne),
            ],
            &[
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("<", Op::Lt),
                (">", Op::Gt),
                ("le", Op::Le),
                ("ge", Op::Ge),
                ("lt", Op::Lt),
                ("gt", Op::Gt),
            ],
            &[("+", Op::Add), ("-", Op::Sub)],
            &[("*", Op::Mul), ("/", Op::Div), ("%", Op::Mod)],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        // Each operator in a chain (`1+1+...`) nests the tree one level deeper, and
        // evaluating it recurses as deep: the chain counts toward the nesting bound.
        let mut chained = 0;
        let result = loop {
            self.skip_ws();
            let Some(&(token, op)) = LEVELS[level].iter().find(|(t, _)| {
                self.starts_with(t)
                    && (!t.chars().all(|c| c.is_ascii_alphabetic())
                        || !self.peek_at(t.len()).is_some_and(ident_char))
            }) else {
                break Ok(left);
            };
            if let Err(e) = self.enter() {
                break Err(e);
            }
            chained += 1;
            for _ in 0..token.len() {
                self.bump();
            }
            let right = match self.binary(level + 1) {
                Ok(r) => r,
                Err(e) => break Err(e),
            };
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        };
        self.depth -= chained;
        result
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        self.skip_ws();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.bump();
            self.enter()?;
            let e = self.unary();
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e?)));
        }
        if self.starts_with("not") && !self.peek_at(3).is_some_and(ident_char) {
            for _ in 0..3 {
                self.bump();
            }
            self.enter()?;
            let e = self.unary();
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e?)));
        }
        if self.peek() == Some('-') && !self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
            self.enter()?;
            let e = self.unary();
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(e?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        self.skip_ws();
        let Some(c) = self.peek() else {
            return self.error("expected a value, found the end of the template");
        };
        match c {
            '(' => {
                self.bump();
                let e = self.expr()?;
                self.skip_ws();
                if self.peek() != Some(')') {
                    return self.error("expected `)`");
                }
                self.bump();
                Ok(e)
            }
            '$' => {
                self.bump();
                if self.peek() == Some('!') {
                    self.bump();
                }
                Ok(Expr::Ref(self.reference(false)?.0))
            }
            '"' | '\'' => self.string(c),
            '[' => {
                self.bump();
                self.skip_ws();
                if self.peek() == Some(']') {
                    self.bump();
                    return Ok(Expr::List(Vec::new()));
                }
                let first = self.expr()?;
                self.skip_ws();
                if self.starts_with("..") {
                    self.bump();
                    self.bump();
                    let last = self.expr()?;
                    self.skip_ws();
                    if self.peek() != Some(']') {
                        return self.error("expected `]` to close the range");
                    }
                    self.bump();
                    return Ok(Expr::Range(Box::new(first), Box::new(last)));
                }
                let mut items = vec![first];
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(',') => {
                            self.bump();
                            items.push(self.expr()?);
                        }
                        Some(']') => {
                            self.bump();
                            return Ok(Expr::List(items));
                        }
                        _ => return self.error("expected `,` or `]` in the list"),
                    }
                }
            }
            '{' => {
                self.bump();
                let mut entries = Vec::new();
                self.skip_ws();
                if self.peek() == Some('}') {
                    self.bump();
                    return Ok(Expr::Map(entries));
                }
                loop {
                    let key = self.expr()?;
                    self.skip_ws();
                    if self.peek() != Some(':') {
                        return self.error("expected `:` in the map");
                    }
                    self.bump();
                    let value = self.expr()?;
                    entries.push((key, value));
                    self.skip_ws();
                    match self.peek() {
                        Some(',') => {
                            self.bump();
                        }
                        Some('}') => {
                            self.bump();
                            return Ok(Expr::Map(entries));
                        }
                        _ => return self.error("expected `,` or `}` in the map"),
                    }
                }
            }
            c if c.is_ascii_digit() || c == '-' => self.number(),
            _ => {
                if self.starts_with("true") && !self.peek_at(4).is_some_and(ident_char) {
                    for _ in 0..4 {
                        self.bump();
                    }
                    return Ok(Expr::Bool(true));
                }
                if self.starts_with("false") && !self.peek_at(5).is_some_and(ident_char) {
                    for _ in 0..5 {
                        self.bump();
                    }
                    return Ok(Expr::Bool(false));
                }
                self.error(format!("unexpected `{c}`"))
            }
        }
    }

    fn number(&mut self) -> Result<Expr, SyntaxError> {
        let mut s = String::new();
        if self.peek() == Some('-') {
            s.push('-');
            self.bump();
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                s.push(c);
                self.bump();
            } else {
                break;
            }
        }
        let fraction =
            self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit());
        if fraction {
            s.push('.');
            self.bump();
            while let Some(c) = self.peek() {
                if c.is_ascii_digit() {
                    s.push(c);
                    self.bump();
                } else {
                    break;
                }
            }
            if matches!(self.peek(), Some('e' | 'E')) {
                s.push('e');
                self.bump();
                if matches!(self.peek(), Some('+' | '-')) {
                    s.push(self.bump().unwrap_or('+'));
                }
                while let Some(c) = self.peek() {
                    if c.is_ascii_digit() {
                        s.push(c);
                        self.bump();
                    } else {
                        break;
                    }
                }
            }
            return s
                .parse()
                .map(Expr::Double)
                .or_else(|_| self.error(format!("bad number {s}")));
        }
        match s.parse::<i64>() {
            // Velocity parses integer literals as Integer, falling back to Long.
            Ok(i) => Ok(Expr::Int(i)),
            Err(_) => self.error(format!("bad number {s}")),
        }
    }

    fn string(&mut self, quote: char) -> Result<Expr, SyntaxError> {
        let pos = self.pos();
        self.bump();
        let start = self.at;
        while let Some(c) = self.peek() {
            if c == quote {
                let content: String = self.chars[start..self.at].iter().collect();
                self.bump();
                if quote == '\'' || !content.contains('$') {
                    return Ok(Expr::Str(content));
                }
                let nodes = parse_interpolated(&content, pos, self.depth)?;
                return Ok(Expr::Interpolated(nodes));
            }
            self.bump();
        }
        Err(SyntaxError::at(pos, "unterminated string"))
    }
}

/// The contents of a double-quoted string, parsed as template text (references only).
fn parse_interpolated(content: &str, pos: Pos, depth: usize) -> Result<Vec<Node>, SyntaxError> {
    let mut p = Parser {
        chars: content.chars().collect(),
        at: 0,
        line: pos.line,
        column: pos.column + 1,
        depth,
    };
    Ok(p.block(true)?.0)
}

enum Directive {
    Node(Node),
    End(BlockEnd),
}
