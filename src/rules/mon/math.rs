//! Metric-math expressions that scale one metric by constants (`100 * m1 / 200`,
//! `(m1 / 200) * 100`, `m1 - 5`): evaluated to `k · metric + c` so a threshold on the
//! expression can be read in the metric's own units. Anything else (functions such as
//! `RATE(m1)` or `SUM(METRICS())`, two metrics, a metric times a metric) is not evaluated.

/// `k · metric + c`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linear {
    pub k: f64,
    pub c: f64,
}

impl Linear {
    fn constant(c: f64) -> Linear {
        Linear { k: 0.0, c }
    }
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    /// The metric query ids the expression may use.
    ids: &'a [String],
    /// The id it uses.
    used: Option<String>,
}

/// Evaluates `expression` as a scaling of one of the metric queries `ids`; the id used and
/// the linear form, or why not.
pub fn linear(expression: &str, ids: &[String]) -> Result<(String, Linear), String> {
    let mut p = Parser {
        chars: expression.chars().collect(),
        pos: 0,
        ids,
        used: None,
    };
    let v = p.sum()?;
    p.skip();
    if p.pos < p.chars.len() {
        return Err(format!(
            "`{expression}` is not a scaling of one metric by constants (at `{}`)",
            p.chars[p.pos..].iter().collect::<String>()
        ));
    }
    match p.used {
        Some(id) if v.k != 0.0 && v.k.is_finite() && v.c.is_finite() => Ok((id, v)),
        _ => Err(format!(
            "`{expression}` does not scale a metric (it is a constant)"
        )),
    }
}

impl Parser<'_> {
    fn skip(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip();
        self.chars.get(self.pos).copied()
    }

    fn sum(&mut self) -> Result<Linear, String> {
        let mut acc = self.product()?;
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.pos += 1;
            let rhs = self.product()?;
            let s = if op == '+' { 1.0 } else { -1.0 };
            acc = Linear {
                k: acc.k + s * rhs.k,
                c: acc.c + s * rhs.c,
            };
        }
        Ok(acc)
    }

    fn product(&mut self) -> Result<Linear, String> {
        let mut acc = self.unary()?;
        while let Some(op @ ('*' | '/')) = self.peek() {
            self.pos += 1;
            let rhs = self.unary()?;
            acc = if op == '*' {
                match (acc.k == 0.0, rhs.k == 0.0) {
                    (true, _) => Linear {
                        k: acc.c * rhs.k,
                        c: acc.c * rhs.c,
                    },
                    (false, true) => Linear {
                        k: acc.k * rhs.c,
                        c: acc.c * rhs.c,
                    },
                    (false, false) => return Err("it multiplies the metric by itself".into()),
                }
            } else {
                if rhs.k != 0.0 {
                    return Err("it divides by the metric".into());
                }
                if rhs.c == 0.0 {
                    return Err("it divides by zero".into());
                }
                Linear {
                    k: acc.k / rhs.c,
                    c: acc.c / rhs.c,
                }
            };
        }
        Ok(acc)
    }

    fn unary(&mut self) -> Result<Linear, String> {
        match self.peek() {
            Some('-') => {
                self.pos += 1;
                let v = self.unary()?;
                Ok(Linear { k: -v.k, c: -v.c })
            }
            Some('+') => {
                self.pos += 1;
                self.unary()
            }
            _ => self.atom(),
        }
    }

    fn atom(&mut self) -> Result<Linear, String> {
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let v = self.sum()?;
                if self.peek() != Some(')') {
                    return Err("its parentheses do not close".into());
                }
                self.pos += 1;
                Ok(v)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let start = self.pos;
                while self.pos < self.chars.len()
                    && (self.chars[self.pos].is_ascii_digit() || self.chars[self.pos] == '.')
                {
                    self.pos += 1;
                }
                let text: String = self.chars[start..self.pos].iter().collect();
                text.parse::<f64>()
                    .map(Linear::constant)
                    .map_err(|_| format!("`{text}` is not a number"))
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.pos;
                while self.pos < self.chars.len()
                    && (self.chars[self.pos].is_ascii_alphanumeric() || self.chars[self.pos] == '_')
                {
                    self.pos += 1;
                }
                let name: String = self.chars[start..self.pos].iter().collect();
                if self.peek() == Some('(') {
                    return Err(format!("it applies the function {name}"));
                }
                if !self.ids.contains(&name) {
                    return Err(format!("`{name}` is not one of its metric queries"));
                }
                match &self.used {
                    Some(u) if *u != name => {
                        return Err(format!("it combines two metrics ({u} and {name})"))
                    }
                    _ => self.used = Some(name),
                }
                Ok(Linear { k: 1.0, c: 0.0 })
            }
            Some(c) => Err(format!("`{c}` is not a scaling operator")),
            None => Err("it ends early".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        vec!["conn".to_string()]
    }

    #[test]
    fn scalings_evaluate() {
        for e in [
            "100 * conn / 200",
            "conn / 200 * 100",
            "(conn/200)*100",
            "conn*0.5",
        ] {
            let (id, l) = linear(e, &ids()).unwrap();
            assert_eq!(id, "conn");
            assert!((l.k - 0.5).abs() < 1e-12 && l.c == 0.0, "{e}: {l:?}");
        }
        let (_, l) = linear("-(conn - 10) * 2", &ids()).unwrap();
        assert_eq!(l, Linear { k: -2.0, c: 20.0 });
    }

    #[test]
    fn other_expressions_are_not_evaluated() {
        for e in [
            "RATE(conn)",
            "conn * conn",
            "100 / conn",
            "conn / 0",
            "conn + other",
            "42",
            "(conn",
            "conn % 2",
        ] {
            assert!(linear(e, &ids()).is_err(), "{e}");
        }
    }
}
