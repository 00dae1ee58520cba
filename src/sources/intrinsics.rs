//! CloudFormation intrinsic functions, resolved where the template itself decides them
//! (parameters with defaults or `--parameter` overrides, `Fn::Sub`, `Fn::Join`, `Fn::Select`,
//! `Fn::FindInMap`, `Fn::If` on a condition the parameters decide) and written as `${...}`
//! placeholders otherwise (a resource's `Ref`, `Fn::GetAtt`, `Fn::ImportValue`, the pseudo
//! parameters): never guessed. A placeholder counts as unresolved for every check
//! (`model::is_unresolved`).
use serde_json::{Map, Value};
use std::cell::Cell;

pub struct Resolver<'t> {
    parameters: Map<String, Value>,
    conditions: Option<&'t Map<String, Value>>,
    mappings: Option<&'t Map<String, Value>>,
    resources: Option<&'t Map<String, Value>>,
    /// References left as placeholders so far.
    pub unresolved: Cell<usize>,
}

impl<'t> Resolver<'t> {
    /// The template's parameters with their defaults, overridden by `overrides`
    /// (`NAME=VALUE`; pseudo parameters such as `AWS::Region` too).
    pub fn new(template: &'t Value, overrides: &[(String, String)]) -> Self {
        let mut parameters = Map::new();
        if let Some(ps) = template.get("Parameters").and_then(Value::as_object) {
            for (name, p) in ps {
                if let Some(d) = p.get("Default") {
                    parameters.insert(name.clone(), d.clone());
                }
            }
        }
        for (k, v) in overrides {
            parameters.insert(k.clone(), Value::String(v.clone()));
        }
        Resolver {
            parameters,
            conditions: template.get("Conditions").and_then(Value::as_object),
            mappings: template.get("Mappings").and_then(Value::as_object),
            resources: template.get("Resources").and_then(Value::as_object),
            unresolved: Cell::new(0),
        }
    }

    fn placeholder(&self, what: &str) -> Value {
        self.unresolved.set(self.unresolved.get() + 1);
        Value::String(format!("${{{what}}}"))
    }

    /// A value with every intrinsic inside it resolved or made a placeholder.
    pub fn value(&self, v: &Value) -> Value {
        self.value_at(v, 0)
    }

    fn value_at(&self, v: &Value, depth: usize) -> Value {
        if depth > 64 {
            return self.placeholder("nested too deep");
        }
        match v {
            Value::Object(o) if o.len() == 1 => {
                let (k, arg) = o.iter().next().unwrap_or_else(|| unreachable!());
                match self.function(k, arg, depth) {
                    Some(r) => r,
                    None => Value::Object(
                        o.iter()
                            .map(|(k, v)| (k.clone(), self.value_at(v, depth + 1)))
                            .collect(),
                    ),
                }
            }
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), self.value_at(v, depth + 1)))
                    .collect(),
            ),
            Value::Array(a) => {
                Value::Array(a.iter().map(|v| self.value_at(v, depth + 1)).collect())
            }
            other => other.clone(),
        }
    }

    /// A value as text (a number or boolean as written); placeholders inside.
    pub fn text(&self, v: &Value) -> Option<String> {
        match self.value(v) {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Copies each property of `from` that `pairs` names (`(theirs, ours)`), resolved, as text.
    pub fn copy_texts(&self, from: &Value, pairs: &[(&str, &str)], to: &mut Map<String, Value>) {
        for (theirs, ours) in pairs {
            if let Some(v) = from.get(theirs).and_then(|v| self.text(v)) {
                to.insert(ours.to_string(), Value::String(v));
            }
        }
    }

    /// Copies each property of `from` that `pairs` names, resolved, as it is.
    pub fn copy_values(&self, from: &Value, pairs: &[(&str, &str)], to: &mut Map<String, Value>) {
        for (theirs, ours) in pairs {
            if let Some(v) = from.get(theirs) {
                to.insert(ours.to_string(), self.value(v));
            }
        }
    }

    /// None when `name` is not an intrinsic function.
    fn function(&self, name: &str, arg: &Value, depth: usize) -> Option<Value> {
        let d = depth + 1;
        Some(match name {
            "Ref" => {
                let target = arg.as_str().unwrap_or_default();
                match self.parameters.get(target) {
                    Some(v) => v.clone(),
                    None if target == "AWS::NoValue" => Value::Null,
                    None => match self.ref_of_resource(target, d) {
                        Some(v) => v,
                        None => self.placeholder(target),
                    },
                }
            }
            "Fn::GetAtt" => {
                let what = match arg {
                    Value::Array(a) => a
                        .iter()
                        .map(|p| p.as_str().unwrap_or("?").to_string())
                        .collect::<Vec<_>>()
                        .join("."),
                    Value::String(s) => s.clone(),
                    _ => "?".into(),
                };
                self.placeholder(&what)
            }
            "Fn::ImportValue" => {
                let name = self.text(arg).unwrap_or_default();
                self.placeholder(&format!("ImportValue:{name}"))
            }
            "Fn::Join" => {
                let (Some(sep), Some(parts)) = (
                    arg.get(0).and_then(Value::as_str),
                    arg.get(1).map(|p| self.value_at(p, d)),
                ) else {
                    return Some(self.placeholder("Fn::Join"));
                };
                match parts {
                    Value::Array(items) => Value::String(
                        items
                            .iter()
                            .map(|i| scalar_text(i).unwrap_or_else(|| "${?}".into()))
                            .collect::<Vec<_>>()
                            .join(sep),
                    ),
                    _ => self.placeholder("Fn::Join"),
                }
            }
            "Fn::Sub" => {
                let (template, vars) = match arg {
                    Value::String(s) => (s.as_str(), None),
                    Value::Array(a) => (
                        a.first().and_then(Value::as_str).unwrap_or_default(),
                        a.get(1).and_then(Value::as_object),
                    ),
                    _ => return Some(self.placeholder("Fn::Sub")),
                };
                Value::String(self.sub(template, vars, d))
            }
            "Fn::Select" => {
                let index = arg
                    .get(0)
                    .map(|i| self.value_at(i, d))
                    .and_then(|i| scalar_text(&i))
                    .and_then(|i| i.parse::<usize>().ok());
                match (index, arg.get(1).map(|l| self.value_at(l, d))) {
                    (Some(i), Some(Value::Array(items))) if i < items.len() => items[i].clone(),
                    _ => self.placeholder("Fn::Select"),
                }
            }
            "Fn::FindInMap" => {
                let keys: Vec<Option<String>> = arg
                    .as_array()
                    .map(|a| a.iter().map(|k| self.text(k)).collect())
                    .unwrap_or_default();
                match keys.as_slice() {
                    [Some(m), Some(a), Some(b)] => self
                        .mappings
                        .and_then(|ms| ms.get(m))
                        .and_then(|m| m.get(a))
                        .and_then(|x| x.get(b))
                        .cloned()
                        .unwrap_or_else(|| self.placeholder("Fn::FindInMap")),
                    _ => self.placeholder("Fn::FindInMap"),
                }
            }
            "Fn::If" => {
                let (Some(cond), Some(yes), Some(no)) =
                    (arg.get(0).and_then(Value::as_str), arg.get(1), arg.get(2))
                else {
                    return Some(self.placeholder("Fn::If"));
                };
                match self.condition(cond, d) {
                    Some(true) => self.value_at(yes, d),
                    Some(false) => self.value_at(no, d),
                    None => self.placeholder(&format!("Fn::If:{cond}")),
                }
            }
            "Fn::Base64" | "Fn::GetAZs" | "Fn::Cidr" | "Fn::Split" | "Fn::Transform"
            | "Fn::ToJsonString" | "Fn::Length" => self.placeholder(name),
            _ => return None,
        })
    }

    /// A resource's `Ref` that the template decides: a custom domain name's `Ref` is its
    /// `DomainName` (CloudFormation's documented return value for both API Gateway types).
    fn ref_of_resource(&self, id: &str, depth: usize) -> Option<Value> {
        let r = self.resources?.get(id)?;
        match r.get("Type").and_then(Value::as_str)? {
            "AWS::ApiGateway::DomainName" | "AWS::ApiGatewayV2::DomainName" => {
                let name = r.pointer("/Properties/DomainName")?;
                let v = self.value_at(name, depth);
                v.is_string().then_some(v)
            }
            _ => None,
        }
    }

    /// `${Name}` from `vars`, parameters, `${Resource.Attr}` placeholders; `${!Literal}` is
    /// the literal `${Literal}`.
    fn sub(&self, template: &str, vars: Option<&Map<String, Value>>, depth: usize) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                let value = vars
                    .and_then(|v| v.get(name))
                    .map(|v| self.value_at(v, depth))
                    .or_else(|| self.parameters.get(name).cloned());
                match value.as_ref().and_then(scalar_text) {
                    Some(s) => out.push_str(&s),
                    None => {
                        if let Value::String(p) = self.placeholder(name) {
                            out.push_str(&p);
                        }
                    }
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A condition the parameters decide (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`,
    /// `Condition`); None when it depends on something they do not.
    pub fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        let c = self.conditions?.get(name)?;
        self.boolean(c, depth + 1)
    }

    fn boolean(&self, v: &Value, depth: usize) -> Option<bool> {
        if depth > 32 {
            return None;
        }
        let o = v.as_object()?;
        let (k, arg) = o.iter().next()?;
        let all = |f: &dyn Fn(Vec<bool>) -> bool| -> Option<bool> {
            let items = arg
                .as_array()?
                .iter()
                .map(|c| self.boolean(c, depth + 1))
                .collect::<Option<Vec<bool>>>()?;
            Some(f(items))
        };
        match k.as_str() {
            "Fn::Equals" => {
                let a = arg.get(0).map(|x| self.value_at(x, depth))?;
                let b = arg.get(1).map(|x| self.value_at(x, depth))?;
                let (a, b) = (scalar_text(&a)?, scalar_text(&b)?);
                if a.contains("${") || b.contains("${") {
                    return None;
                }
                Some(a == b)
            }
            "Fn::Not" => self.boolean(arg.get(0)?, depth + 1).map(|b| !b),
            "Fn::And" => all(&|v| v.iter().all(|b| *b)),
            "Fn::Or" => all(&|v| v.iter().any(|b| *b)),
            "Condition" => self.condition(arg.as_str()?, depth),
            _ => None,
        }
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_what_the_template_decides_and_marks_the_rest() {
        let t = json!({
            "Parameters": {"Stage": {"Type": "String", "Default": "prod"}, "Bucket": {"Type": "String"}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
                           "InEu": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}},
            "Mappings": {"Env": {"prod": {"Timeout": 29000}}}
        });
        let r = Resolver::new(&t, &[]);
        let uri = json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":apigateway:",
            {"Ref": "AWS::Region"}, ":lambda:path/2015-03-31/functions/", {"Fn::GetAtt": ["Fn", "Arn"]}, "/invocations"]]});
        assert_eq!(
            r.text(&uri).unwrap(),
            "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
        );
        assert_eq!(r.unresolved.get(), 3);
        assert_eq!(
            r.text(&json!({"Fn::Sub": "https://${Stage}.example.com/${!Literal}/${Api}"}))
                .unwrap(),
            "https://prod.example.com/${Literal}/${Api}"
        );
        assert_eq!(
            r.text(&json!({"Fn::If": ["IsProd", "a", "b"]})).unwrap(),
            "a"
        );
        assert_eq!(
            r.text(&json!({"Fn::If": ["InEu", "a", "b"]})).unwrap(),
            "${Fn::If:InEu}"
        );
        assert_eq!(
            r.value(&json!({"Fn::FindInMap": ["Env", {"Ref": "Stage"}, "Timeout"]})),
            json!(29000)
        );
        assert_eq!(r.text(&json!({"Ref": "Bucket"})).unwrap(), "${Bucket}");
        let eu = Resolver::new(&t, &[("AWS::Region".into(), "eu-west-1".into())]);
        assert_eq!(
            eu.text(&json!({"Fn::If": ["InEu", "a", "b"]})).unwrap(),
            "a"
        );
        assert_eq!(
            eu.text(&json!({"Fn::Select": [1, ["x", {"Ref": "AWS::Region"}]]}))
                .unwrap(),
            "eu-west-1"
        );
    }
}
