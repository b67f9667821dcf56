//! ECR lifecycle policies evaluated as ECR evaluates them, for CB-ECR-002.
//!
//! Sources (Amazon ECR User Guide): "Lifecycle policy properties" (`rulePriority` unique and
//! evaluated lowest first; a `tagStatus = any` rule must have the highest `rulePriority`;
//! `tagged` needs `tagPrefixList` or `tagPatternList`, `untagged` takes neither; patterns use
//! `*` wildcards) and "How lifecycle policies work" / "Lifecycle policy evaluation rules" (an
//! image is expired by exactly one or zero rules; an image that matches the tagging
//! requirements of a higher priority rule cannot be expired by a rule with a lower priority;
//! with `imageCountMoreThan` the images a rule selects are sorted newest first and those past
//! `countNumber` are expired; with `sinceImagePushed` images older than `countNumber` units are
//! expired; a `tagPrefixList` matches when every prefix matches one of the image's tags), and
//! the worked examples of "Examples of lifecycle policies" (unit tests below).
//!
//! So each image belongs to the first rule (lowest `rulePriority`) whose tag selection it
//! matches, and only that rule can expire it: a rule with `imageCountMoreThan N` keeps at most
//! `N` of its images (they are among the newest `N` it selects), an age rule (`sinceImagePushed`
//! and the other `since…` count types) keeps any number of images younger than its limit, and
//! an image no rule selects is kept forever.
//!
//! Evaluation by witness images: one untagged image, one tagged image whose tag matches no
//! prefix or pattern of the policy, and for each `tagged` rule an image carrying exactly one
//! tag per prefix/pattern of that rule (the wildcards and the rest of a prefix filled with a
//! character no policy uses). Each witness belongs to the first rule that selects it; the
//! bound of the witness is that rule's. A rule none of whose witnesses it owns (every image it
//! selects was already selected by an earlier rule) does not count.

use serde_json::Value;

/// How many images of one class a policy can keep.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassBound {
    /// "untagged images", "images tagged `prod*`", "tagged images matching no rule".
    pub class: String,
    /// The most images kept (`None`: no count limit).
    pub bound: Option<i64>,
    /// Why: "rule 2 (imageCountMoreThan 30)", "rule 1 expires them only by age (…)", "no rule
    /// selects them".
    pub by: String,
}

/// The verdict of ECR's evaluation of one policy text.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluation {
    /// The bound of every image class.
    Bounds(Vec<ClassBound>),
    /// ECR rejects the text (`PutLifecyclePolicy` fails; the repository keeps no policy).
    Rejected(String),
    /// A policy cbaudit does not evaluate (archive transitions, storage classes, …).
    Unsupported(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Any,
    Tagged,
    Untagged,
}

#[derive(Debug, Clone, PartialEq)]
enum TagFilter {
    Prefixes(Vec<String>),
    Patterns(Vec<String>),
}

#[derive(Debug, Clone)]
struct Rule {
    priority: i64,
    status: Status,
    filter: Option<TagFilter>,
    count_type: String,
    count_number: i64,
    count_unit: Option<String>,
}

/// The class of tagged images whose tags match no prefix or pattern of the policy.
pub const OTHER_TAGGED: &str = "tagged images matching no prefix or pattern of the policy";

/// The witness filler: a character no lifecycle policy uses (tags are `[a-zA-Z0-9-_.]`).
const FILL: char = '\u{1}';

/// `*`-wildcard matching, the only wildcard ECR tag patterns have.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

impl Rule {
    /// Whether the rule's tag selection picks an image with these tags (empty: untagged).
    fn selects(&self, tags: &[String]) -> bool {
        match self.status {
            Status::Any => true,
            Status::Untagged => tags.is_empty(),
            Status::Tagged => {
                !tags.is_empty()
                    && match &self.filter {
                        Some(TagFilter::Prefixes(ps)) => ps
                            .iter()
                            .all(|p| tags.iter().any(|t| t.starts_with(p.as_str()))),
                        Some(TagFilter::Patterns(ps)) => {
                            ps.iter().all(|p| tags.iter().any(|t| wildcard(p, t)))
                        }
                        None => false,
                    }
            }
        }
    }

    /// The images this rule keeps of those it owns.
    fn bound(&self) -> (Option<i64>, String) {
        if self.count_type == "imageCountMoreThan" {
            (
                Some(self.count_number),
                format!(
                    "rule {} (imageCountMoreThan {})",
                    self.priority, self.count_number
                ),
            )
        } else {
            let unit = self.count_unit.as_deref().unwrap_or("days");
            (
                None,
                format!(
                    "rule {} expires them only by age ({} {} {unit}), whatever their number",
                    self.priority, self.count_type, self.count_number
                ),
            )
        }
    }

    /// The images this rule owns, named for messages (`witness`: the class of the witness
    /// image it owns).
    fn class(&self, witness: &str) -> String {
        match self.status {
            Status::Any if witness == "untagged images" => "images (tagStatus any)".into(),
            Status::Any => format!("{witness} (tagStatus any)"),
            Status::Untagged => "untagged images".into(),
            Status::Tagged => self.witness().map_or_else(|| witness.to_string(), |w| w.1),
        }
    }

    /// The witness image of a `tagged` rule, and its class name.
    fn witness(&self) -> Option<(Vec<String>, String)> {
        let fill = FILL.to_string();
        match &self.filter {
            Some(TagFilter::Prefixes(ps)) => Some((
                ps.iter().map(|p| format!("{p}{FILL}")).collect(),
                format!("images tagged with the prefix(es) {}", quoted(ps, "…")),
            )),
            Some(TagFilter::Patterns(ps)) => Some((
                ps.iter().map(|p| p.replace('*', &fill)).collect(),
                format!("images tagged {}", quoted(ps, "")),
            )),
            None => None,
        }
    }
}

fn quoted(items: &[String], suffix: &str) -> String {
    items
        .iter()
        .map(|i| format!("`{i}{suffix}`"))
        .collect::<Vec<_>>()
        .join(" and ")
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>, String> {
    let list = v
        .as_array()
        .ok_or_else(|| format!("`{what}` is not a list of strings"))?;
    let out: Option<Vec<String>> = list.iter().map(|s| s.as_str().map(String::from)).collect();
    let out = out.ok_or_else(|| format!("`{what}` is not a list of strings"))?;
    if out.is_empty() {
        return Err(format!("`{what}` is empty"));
    }
    Ok(out)
}

fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(|n| {
        n.as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
    })
}

/// Parses one rule: `Err(Ok(reason))` when ECR rejects it, `Err(Err(reason))` when cbaudit
/// does not evaluate it.
fn rule(i: usize, r: &Value) -> Result<Rule, Result<String, String>> {
    let rejected = |why: String| Err(Ok(format!("rule #{}: {why}", i + 1)));
    let Some(obj) = r.as_object() else {
        return rejected("is not an object".into());
    };
    let Some(priority) = int(obj.get("rulePriority")) else {
        return rejected("has no integer `rulePriority`".into());
    };
    let Some(sel) = obj.get("selection").and_then(Value::as_object) else {
        return rejected(format!("rule {priority} has no `selection`"));
    };
    let rejected = |why: String| Err(Ok(format!("rule {priority} {why}")));
    let unsupported = |why: String| Err(Err(format!("rule {priority} {why}")));
    let action = obj
        .get("action")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str);
    match action {
        Some(a) if a.eq_ignore_ascii_case("expire") => {}
        Some(a) => return unsupported(format!("has action `{a}` (cbaudit evaluates expiry only)")),
        None => return rejected("has no `action.type`".into()),
    }
    if let Some(sc) = sel.get("storageClass").and_then(Value::as_str) {
        if !sc.eq_ignore_ascii_case("standard") {
            return unsupported(format!(
                "selects storage class `{sc}` (cbaudit evaluates standard storage only)"
            ));
        }
    }
    let status = match sel.get("tagStatus").and_then(Value::as_str) {
        Some("any") => Status::Any,
        Some("tagged") => Status::Tagged,
        Some("untagged") => Status::Untagged,
        Some(other) => {
            return rejected(format!("has tagStatus `{other}` (any, tagged or untagged)"))
        }
        None => return rejected("has no `tagStatus`".into()),
    };
    let prefixes = sel.get("tagPrefixList");
    let patterns = sel.get("tagPatternList");
    let filter = match (&status, prefixes, patterns) {
        (Status::Tagged, Some(_), Some(_)) => {
            return unsupported("has both tagPrefixList and tagPatternList".into())
        }
        (Status::Tagged, Some(p), None) => Some(TagFilter::Prefixes(
            strings(p, "tagPrefixList").map_err(|w| Ok(format!("rule {priority} {w}")))?,
        )),
        (Status::Tagged, None, Some(p)) => Some(TagFilter::Patterns(
            strings(p, "tagPatternList").map_err(|w| Ok(format!("rule {priority} {w}")))?,
        )),
        (Status::Tagged, None, None) => {
            return rejected("is `tagged` without tagPrefixList or tagPatternList".into())
        }
        (_, None, None) => None,
        (_, _, _) => return rejected("lists tags but its tagStatus is not `tagged`".into()),
    };
    let count_type = match sel.get("countType").and_then(Value::as_str) {
        Some(
            t @ ("imageCountMoreThan"
            | "sinceImagePushed"
            | "sinceImagePulled"
            | "sinceImageTransitioned"),
        ) => t.to_string(),
        Some(other) => return rejected(format!("has countType `{other}`")),
        None => return rejected("has no `countType`".into()),
    };
    let count_number = match int(sel.get("countNumber")) {
        Some(n) if n >= 1 => n,
        _ => return rejected("has no positive integer `countNumber`".into()),
    };
    Ok(Rule {
        priority,
        status,
        filter,
        count_type,
        count_number,
        count_unit: sel
            .get("countUnit")
            .and_then(Value::as_str)
            .map(String::from),
    })
}

/// Evaluates a lifecycle policy text as ECR does.
pub fn evaluate(text: &str) -> Evaluation {
    let json: Value = match serde_json::from_str(text) {
        Ok(j) => j,
        Err(e) => return Evaluation::Rejected(format!("is not valid JSON ({e})")),
    };
    let Some(list) = json.get("rules").and_then(Value::as_array) else {
        return Evaluation::Rejected("has no `rules` list".into());
    };
    if list.is_empty() {
        return Evaluation::Rejected("has an empty `rules` list".into());
    }
    let mut rules = Vec::new();
    for (i, r) in list.iter().enumerate() {
        match rule(i, r) {
            Ok(r) => rules.push(r),
            Err(Ok(why)) => return Evaluation::Rejected(why),
            Err(Err(why)) => return Evaluation::Unsupported(why),
        }
    }
    rules.sort_by_key(|r| r.priority);
    if let Some(w) = rules.windows(2).find(|w| w[0].priority == w[1].priority) {
        return Evaluation::Rejected(format!("has two rules with rulePriority {}", w[0].priority));
    }
    let last = rules.len() - 1;
    if let Some((_, r)) = rules
        .iter()
        .enumerate()
        .find(|(i, r)| r.status == Status::Any && *i != last)
    {
        return Evaluation::Rejected(format!(
            "rule {} has tagStatus `any` but not the highest rulePriority",
            r.priority
        ));
    }
    let mut witnesses: Vec<(Vec<String>, String)> = vec![
        (Vec::new(), "untagged images".to_string()),
        (vec![FILL.to_string()], OTHER_TAGGED.to_string()),
    ];
    witnesses.extend(rules.iter().filter_map(Rule::witness));
    let mut out: Vec<ClassBound> = Vec::new();
    let mut owners: Vec<usize> = Vec::new();
    for (tags, class) in witnesses {
        let (bound, by) = match rules.iter().position(|r| r.selects(&tags)) {
            // A witness owned by a rule already counted adds nothing new.
            Some(i) if owners.contains(&i) => continue,
            Some(i) => {
                owners.push(i);
                let (bound, by) = rules[i].bound();
                out.push(ClassBound {
                    class: rules[i].class(&class),
                    bound,
                    by,
                });
                continue;
            }
            None => (
                None,
                "no rule selects them: they are kept forever".to_string(),
            ),
        };
        out.push(ClassBound { class, bound, by });
    }
    Evaluation::Bounds(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(p: i64, status: &str, list: Option<(&str, &[&str])>, count: (&str, i64)) -> Value {
        let mut sel = serde_json::json!({
            "tagStatus": status, "countType": count.0, "countNumber": count.1
        });
        if count.0 != "imageCountMoreThan" {
            sel["countUnit"] = "days".into();
        }
        if let Some((key, items)) = list {
            sel[key] = serde_json::json!(items);
        }
        serde_json::json!({"rulePriority": p, "selection": sel, "action": {"type": "expire"}})
    }

    fn policy(rules: Vec<Value>) -> String {
        serde_json::json!({ "rules": rules }).to_string()
    }

    fn bounds(text: &str) -> Vec<(String, Option<i64>)> {
        match evaluate(text) {
            Evaluation::Bounds(b) => b.into_iter().map(|c| (c.class, c.bound)).collect(),
            other => panic!("{other:?}"),
        }
    }

    fn worst(text: &str) -> Option<i64> {
        let b = bounds(text);
        if b.iter().any(|(_, n)| n.is_none()) {
            return None;
        }
        b.iter().filter_map(|(_, n)| *n).max()
    }

    const COUNT: &str = "imageCountMoreThan";
    const AGE: &str = "sinceImagePushed";

    #[test]
    fn wildcards() {
        assert!(wildcard("prod*", "prod-1"));
        assert!(wildcard("*test*1*2*3", "xtestA1B2C3"));
        assert!(!wildcard("prod*", "beta-1"));
        assert!(wildcard("*", "anything"));
        assert!(!wildcard("v1", "v10"));
    }

    /// The issue's first example: "untagged > 1" alone keeps tagged images forever.
    #[test]
    fn untagged_only_keeps_tagged_images_forever() {
        let text = policy(vec![rule(1, "untagged", None, (COUNT, 1))]);
        let b = bounds(&text);
        assert_eq!(b[0], ("untagged images".into(), Some(1)));
        assert_eq!(b[1], (OTHER_TAGGED.into(), None));
    }

    /// The issue's second example: "untagged > 5, any > 30" keeps 30.
    #[test]
    fn any_rule_bounds_the_rest() {
        let text = policy(vec![
            rule(1, "untagged", None, (COUNT, 5)),
            rule(2, "any", None, (COUNT, 30)),
        ]);
        assert_eq!(
            bounds(&text),
            vec![
                ("untagged images".into(), Some(5)),
                (format!("{OTHER_TAGGED} (tagStatus any)"), Some(30)),
            ]
        );
        let text = policy(vec![
            rule(1, "untagged", None, (COUNT, 1)),
            rule(2, "any", None, (COUNT, 10)),
        ]);
        assert_eq!(worst(&text), Some(10));
        assert_eq!(
            worst(&policy(vec![rule(1, "any", None, (COUNT, 10))])),
            Some(10)
        );
    }

    /// An age rule first owns its images: the `any` count rule cannot expire them.
    #[test]
    fn age_rules_bound_age_not_count() {
        let text = policy(vec![
            rule(1, "untagged", None, (AGE, 7)),
            rule(2, "any", None, (COUNT, 10)),
        ]);
        let b = bounds(&text);
        assert_eq!(b[0], ("untagged images".into(), None));
        assert_eq!(b[1].1, Some(10));
        assert_eq!(worst(&policy(vec![rule(1, "any", None, (AGE, 90))])), None);
    }

    /// Tagged rules bound only the images their prefixes or patterns select.
    #[test]
    fn tagged_rules_bound_their_tags() {
        let text = policy(vec![
            rule(1, "tagged", Some(("tagPrefixList", &["prod"])), (COUNT, 10)),
            rule(2, "untagged", None, (COUNT, 1)),
        ]);
        let b = bounds(&text);
        assert!(b.contains(&("images tagged with the prefix(es) `prod…`".into(), Some(10))));
        assert!(b.contains(&(OTHER_TAGGED.into(), None)));
        // A `*` pattern selects every tagged image.
        let text = policy(vec![
            rule(1, "untagged", None, (COUNT, 1)),
            rule(2, "tagged", Some(("tagPatternList", &["*"])), (COUNT, 10)),
        ]);
        assert_eq!(worst(&text), Some(10));
        // A later age rule whose images an earlier count rule already selects adds nothing.
        let text = policy(vec![
            rule(
                1,
                "tagged",
                Some(("tagPatternList", &["prod*"])),
                (COUNT, 5),
            ),
            rule(2, "tagged", Some(("tagPrefixList", &["prod-"])), (AGE, 30)),
            rule(3, "any", None, (COUNT, 10)),
        ]);
        assert_eq!(worst(&text), Some(10));
        // Reversed, the age rule owns `prod-` images.
        let text = policy(vec![
            rule(1, "tagged", Some(("tagPrefixList", &["prod-"])), (AGE, 30)),
            rule(
                2,
                "tagged",
                Some(("tagPatternList", &["prod*"])),
                (COUNT, 5),
            ),
            rule(3, "any", None, (COUNT, 10)),
        ]);
        assert_eq!(worst(&text), None);
    }

    /// ECR user guide, "Filtering on multiple rules", examples A and B: two tagged count
    /// rules; every tagged image carrying neither prefix is kept.
    #[test]
    fn ecr_examples_multiple_rules() {
        for order in [["prod", "beta"], ["beta", "prod"]] {
            let text = policy(vec![
                rule(
                    1,
                    "tagged",
                    Some(("tagPrefixList", &[order[0]])),
                    (COUNT, 1),
                ),
                rule(
                    2,
                    "tagged",
                    Some(("tagPrefixList", &[order[1]])),
                    (COUNT, 1),
                ),
            ]);
            let b = bounds(&text);
            let of = |c: &str| b.iter().find(|(k, _)| k.contains(c)).map(|(_, n)| *n);
            assert_eq!(of(&format!("`{}…`", order[0])), Some(Some(1)));
            assert_eq!(of(&format!("`{}…`", order[1])), Some(Some(1)));
            assert_eq!(of("untagged"), Some(None));
        }
    }

    /// ECR user guide, "Filtering on multiple tags in a single rule", examples A (age) and B
    /// (count): images must carry every prefix; the rest are kept.
    #[test]
    fn ecr_examples_multiple_tags() {
        let a = policy(vec![rule(
            1,
            "tagged",
            Some(("tagPrefixList", &["alpha", "beta"])),
            (AGE, 5),
        )]);
        assert_eq!(worst(&a), None);
        let b = policy(vec![rule(
            1,
            "tagged",
            Some(("tagPrefixList", &["alpha", "beta"])),
            (COUNT, 1),
        )]);
        let out = bounds(&b);
        assert!(out.contains(&(
            "images tagged with the prefix(es) `alpha…` and `beta…`".into(),
            Some(1)
        )));
        assert!(out.contains(&(OTHER_TAGGED.into(), None)));
        // ECR's "Filtering on image count" example keeps one untagged image only.
        let c = policy(vec![rule(1, "untagged", None, (COUNT, 1))]);
        assert_eq!(bounds(&c)[0].1, Some(1));
    }

    #[test]
    fn documented_constraints_are_rejections() {
        let rejected = |t: &str| matches!(evaluate(t), Evaluation::Rejected(_));
        assert!(rejected("{not json"));
        assert!(rejected(r#"{"rules": []}"#));
        assert!(rejected(&policy(vec![
            rule(1, "any", None, (COUNT, 10)),
            rule(2, "untagged", None, (COUNT, 1)),
        ])));
        assert!(rejected(&policy(vec![
            rule(1, "untagged", None, (COUNT, 1)),
            rule(1, "any", None, (COUNT, 10)),
        ])));
        assert!(rejected(&policy(vec![rule(1, "tagged", None, (COUNT, 1))])));
        assert!(rejected(&policy(vec![rule(
            1,
            "untagged",
            Some(("tagPrefixList", &["v"])),
            (COUNT, 1)
        )])));
        let transition = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":30},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#;
        assert!(matches!(evaluate(transition), Evaluation::Unsupported(_)));
    }
}
