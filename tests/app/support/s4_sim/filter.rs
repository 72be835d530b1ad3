//! The `$filter` subset S/4HANA answers for the fields the adapter uses: `eq`/`ne`/`ge`/`le`
//! on strings, booleans and `datetime'…'`, `and`, `or`, parentheses and `substringof`. A field
//! outside the entity set's list is refused, as SAP refuses fields that are not filterable.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Text(String),
    DateTime(i64),
    Open,
    Close,
    Comma,
}

#[derive(Debug)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Compare(String, String, Literal),
    SubstringOf(String, String),
}

#[derive(Debug)]
pub enum Literal {
    Text(String),
    Bool(bool),
    DateTime(i64),
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' => i += 1,
            '(' => {
                tokens.push(Token::Open);
                i += 1
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1
            }
            '\'' => {
                let (text, next) = quoted(&chars, i)?;
                tokens.push(Token::Text(text));
                i = next;
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if word == "datetime" && chars.get(i) == Some(&'\'') {
                    let (text, next) = quoted(&chars, i)?;
                    let at = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S")
                        .map_err(|_| format!("bad datetime literal {text}"))?;
                    tokens.push(Token::DateTime(at.and_utc().timestamp_millis()));
                    i = next;
                } else {
                    tokens.push(Token::Ident(word));
                }
            }
            other => return Err(format!("unexpected character {other:?}")),
        }
    }
    Ok(tokens)
}

fn quoted(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err("unterminated literal".into()),
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                text.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((text, i + 1)),
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
    }
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    allowed: &'a [&'a str],
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }
    fn take(&mut self) -> Result<Token, String> {
        let token = self.tokens.get(self.at).cloned().ok_or("unexpected end")?;
        self.at += 1;
        Ok(token)
    }
    fn field(&self, name: String) -> Result<String, String> {
        if self.allowed.contains(&name.as_str()) {
            Ok(name)
        } else {
            Err(format!("Property {name} is not filterable"))
        }
    }
    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Ident("or".into())) {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.atom()?;
        while self.peek() == Some(&Token::Ident("and".into())) {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.atom()?));
        }
        Ok(left)
    }
    fn atom(&mut self) -> Result<Filter, String> {
        match self.take()? {
            Token::Open => {
                let inner = self.or()?;
                match self.take()? {
                    Token::Close => Ok(inner),
                    other => Err(format!("expected ) got {other:?}")),
                }
            }
            Token::Ident(word) if word == "substringof" => {
                let (
                    Token::Open,
                    Token::Text(text),
                    Token::Comma,
                    Token::Ident(field),
                    Token::Close,
                ) = (
                    self.take()?,
                    self.take()?,
                    self.take()?,
                    self.take()?,
                    self.take()?,
                )
                else {
                    return Err("bad substringof".into());
                };
                Ok(Filter::SubstringOf(text, self.field(field)?))
            }
            Token::Ident(field) => {
                let field = self.field(field)?;
                let Token::Ident(op) = self.take()? else {
                    return Err("expected an operator".into());
                };
                if !matches!(op.as_str(), "eq" | "ne" | "ge" | "le") {
                    return Err(format!("operator {op} not supported"));
                }
                let literal = match self.take()? {
                    Token::Text(t) => Literal::Text(t),
                    Token::DateTime(ms) => Literal::DateTime(ms),
                    Token::Ident(b) if b == "true" || b == "false" => Literal::Bool(b == "true"),
                    other => return Err(format!("bad literal {other:?}")),
                };
                Ok(Filter::Compare(field, op, literal))
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

/// Parses `$filter`, allowing only `allowed` fields.
pub fn parse(input: &str, allowed: &[&str]) -> Result<Filter, String> {
    let mut parser = Parser {
        tokens: tokenize(input)?,
        at: 0,
        allowed,
    };
    let filter = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err("trailing input in $filter".into());
    }
    Ok(filter)
}

/// Milliseconds of a `/Date(ms)/` value.
pub fn millis(value: &Value) -> Option<i64> {
    let s = value.as_str()?;
    let inner = s.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let digits: String = inner.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

impl Filter {
    pub fn matches(&self, entity: &Value) -> bool {
        match self {
            Self::And(a, b) => a.matches(entity) && b.matches(entity),
            Self::Or(a, b) => a.matches(entity) || b.matches(entity),
            Self::SubstringOf(text, field) => entity[field]
                .as_str()
                .is_some_and(|v| v.contains(text.as_str())),
            Self::Compare(field, op, literal) => {
                let ordering = match literal {
                    Literal::Text(t) => entity[field].as_str().map(|v| v.cmp(t.as_str())),
                    Literal::Bool(b) => entity[field].as_bool().map(|v| v.cmp(b)),
                    Literal::DateTime(ms) => millis(&entity[field]).map(|v| v.cmp(ms)),
                };
                let Some(ordering) = ordering else {
                    return false;
                };
                match op.as_str() {
                    "eq" => ordering.is_eq(),
                    "ne" => !ordering.is_eq(),
                    "ge" => ordering.is_ge(),
                    _ => ordering.is_le(),
                }
            }
        }
    }
}
