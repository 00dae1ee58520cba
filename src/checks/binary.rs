//! Binary request bodies a REST API handles as text (`lint.binary-body-as-text`).
//!
//! A REST API treats a request body as binary only when its Content-Type matches one of the
//! API's `binaryMediaTypes`; every other body is converted as UTF-8 text, so the bytes of an
//! image, PDF or archive that are not valid UTF-8 are replaced and the file reaches the backend
//! corrupted (documented: "Content type conversions in API Gateway", the row "Text data, any
//! data type, binaryMediaTypes undefined, contentHandling undefined: UTF8-encoded string").
//! A method shows it takes such bodies by the request content types it declares (OpenAPI 3
//! `requestBody.content`, Swagger 2 `consumes` on an operation with a body or form parameter,
//! get-resources `requestModels`), or by forwarding its body to an S3 object (PutObject).
use super::lambda::binary_media_type_matches;
use super::lint::{DefinitionBody, definition_bodies, is_http_api, method_name};
use crate::finding::Finding;
use serde_json::{Map, Value, json};

pub const BINARY_BODY_AS_TEXT: &str = "lint.binary-body-as-text";

pub const CODES: &[&str] = &[BINARY_BODY_AS_TEXT];

/// The HTTP methods of an OpenAPI path item that may carry a request body.
const BODY_METHODS: [&str; 4] = ["put", "post", "patch", "x-amazon-apigateway-any-method"];

/// Media types whose bodies are bytes rather than text. `multipart/form-data` is here because
/// file uploads use it: its parts carry the files' bytes.
pub fn binary_upload_type(media_type: &str) -> bool {
    let t = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let (kind, sub) = t.split_once('/').unwrap_or((t.as_str(), ""));
    matches!(kind, "image" | "audio" | "video" | "font")
        || t == "multipart/form-data"
        || (kind == "application"
            && (matches!(
                sub,
                "octet-stream"
                    | "pdf"
                    | "zip"
                    | "gzip"
                    | "x-gzip"
                    | "x-tar"
                    | "x-7z-compressed"
                    | "x-zip-compressed"
                    | "msword"
                    | "vnd.ms-excel"
                    | "vnd.ms-powerpoint"
            ) || sub.starts_with("vnd.openxmlformats-officedocument.")))
}

/// The media types a list of them holds (`binaryMediaTypes`, a template's
/// `BinaryMediaTypes`): `Some(empty)` when there is none, `None` when the list is there but not
/// readable (an intrinsic function the template leaves unresolved).
fn listed_types(list: Option<&Value>) -> Option<Vec<String>> {
    match list {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| t.as_str().map(str::to_string))
            .collect(),
        Some(_) => None,
    }
}

/// An S3 object upload: an AWS integration that PUTs (or POSTs) to `s3:path/BUCKET/KEY` or
/// calls the PutObject action. `s3:path/BUCKET` alone creates a bucket (an XML body).
fn s3_upload(integration: &Map<String, Value>) -> Option<String> {
    let text = |k: &str| integration.get(k).and_then(Value::as_str);
    if !text("type").is_some_and(|t| t.eq_ignore_ascii_case("aws")) {
        return None;
    }
    let uri = text("uri")?;
    let object_path = uri
        .split_once(":s3:path/")
        .is_some_and(|(_, rest)| rest.trim_start_matches('/').contains('/'));
    let put_object = uri
        .split_once(":s3:action/")
        .is_some_and(|(_, rest)| rest.starts_with("PutObject"));
    let method = text("httpMethod").unwrap_or_default();
    let writes = method.eq_ignore_ascii_case("PUT") || method.eq_ignore_ascii_case("POST");
    ((object_path && writes) || put_object).then(|| uri.to_string())
}

/// Whether an integration already converts bodies to binary (`contentHandling`
/// CONVERT_TO_BINARY: clients send base64 text and the backend gets bytes).
fn converts_to_binary(integration: &Map<String, Value>) -> bool {
    integration
        .get("contentHandling")
        .and_then(Value::as_str)
        .is_some_and(|c| c.eq_ignore_ascii_case("CONVERT_TO_BINARY"))
}

/// The request content types an OpenAPI operation declares for its body.
fn declared_types(op: &Map<String, Value>, global_consumes: Option<&Value>) -> Vec<String> {
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(content) = op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
    {
        return content.keys().cloned().collect();
    }
    let takes_body = op
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|ps| {
            ps.iter().any(|p| {
                matches!(
                    p.get("in").and_then(Value::as_str),
                    Some("body" | "formData")
                )
            })
        });
    if !takes_body {
        return Vec::new();
    }
    strings(op.get("consumes").or(global_consumes))
}

/// What one method shows about its binary bodies.
struct Upload {
    label: String,
    location: String,
    /// Declared binary request types the API's list does not match.
    unmatched: Vec<String>,
    s3_uri: Option<String>,
}

impl Upload {
    /// Whether the API converts this method's binary bodies as text: declared types its list
    /// does not match, or an S3 upload while it lists nothing (or the document does not say).
    fn as_text(&self, listed: Option<&[String]>) -> bool {
        !self.unmatched.is_empty() || (self.s3_uri.is_some() && listed.is_none_or(|l| l.is_empty()))
    }
}

/// Methods named in a finding at most; `count` says how many there are.
const METHODS_NAMED: usize = 20;

/// The methods of one API whose binary bodies it converts as text: one finding, since the fix
/// (the API's binaryMediaTypes) is the API's.
#[derive(Default)]
struct Group {
    /// The API's list, or None when the document does not carry it.
    listed: Option<Vec<String>>,
    first: Option<Upload>,
    methods: Vec<String>,
    count: usize,
    request_types: std::collections::BTreeSet<String>,
}

impl Group {
    fn add(&mut self, upload: Upload) {
        if !upload.as_text(self.listed.as_deref()) {
            return;
        }
        self.count += 1;
        if self.methods.len() < METHODS_NAMED {
            self.methods.push(upload.label.clone());
        }
        self.request_types.extend(upload.unmatched.iter().cloned());
        self.first.get_or_insert(upload);
    }

    fn finding(self) -> Option<Finding> {
        let first = self.first?;
        let what = if first.unmatched.is_empty() {
            format!(
                "uploads its request body to S3 ({})",
                first.s3_uri.as_deref().unwrap_or_default()
            )
        } else {
            format!("takes {} request bodies", first.unmatched.join(", "))
        };
        let more = match self.count {
            1 => String::new(),
            2 => format!(" (and so does {})", self.methods[1]),
            n => format!(
                " (and so do {} more methods: {}{})",
                n - 1,
                self.methods[1..].join(", "),
                if n > self.methods.len() { ", ..." } else { "" }
            ),
        };
        let list = match self.listed.as_deref() {
            Some([]) => "the API lists no binaryMediaTypes".to_string(),
            Some(l) => format!("the API's binaryMediaTypes ({}) do not match them", l.join(", ")),
            None => "this document does not carry the API's binaryMediaTypes (get-resources output leaves them out: aws apigateway get-rest-api --rest-api-id ID --query binaryMediaTypes shows them)".to_string(),
        };
        let conversion =
            if self.listed.as_ref().is_some_and(|l| l.is_empty()) && first.s3_uri.is_some() {
                " and the integration sets no contentHandling CONVERT_TO_BINARY"
            } else {
                ""
            };
        let mut f = Finding::warning(
            BINARY_BODY_AS_TEXT,
            format!(
                "{} {what}{more}, but {list}{conversion}: API Gateway converts such a body as UTF-8 text, so the bytes of an uploaded file (image, PDF, archive) that are not valid UTF-8 are replaced and it reaches the backend corrupted, while text files pass intact",
                first.label
            ),
        )
        .with("method", first.label.as_str())
        .with("location", first.location.as_str())
        .with("methods", json!(self.methods))
        .with("count", self.count);
        if !self.request_types.is_empty() {
            f = f.with("request_types", json!(self.request_types));
        }
        if let Some(uri) = &first.s3_uri {
            f = f.with("uri", uri.as_str());
        }
        if let Some(l) = &self.listed {
            f = f.with("binary_media_types", json!(l));
        }
        Some(f)
    }
}

/// The binary-body check over a document read in parts (a large export's path items a few
/// hundred at a time): one group per API, one finding per group at the end.
#[derive(Default)]
pub struct BinaryBodies {
    groups: indexmap::IndexMap<String, Group>,
}

impl BinaryBodies {
    /// One part of a document: an export (or part of one), a template, get-resources output.
    pub fn add(&mut self, doc: &Value) {
        if doc.get("paths").is_some() {
            if !is_http_api(doc) {
                self.definition(doc, "$", Vec::new());
            }
        } else if let Some(resources) = doc.get("Resources") {
            for DefinitionBody {
                base,
                value,
                logical_id,
                resource_type,
                ..
            } in definition_bodies(doc).into_iter().filter(|b| !b.http)
            {
                // The resource's own BinaryMediaTypes apply beside its body, and SAM adds
                // Globals.Api's to every AWS::Serverless::Api.
                let own = resources.pointer(&format!(
                    "/{}/Properties/BinaryMediaTypes",
                    logical_id.replace('~', "~0").replace('/', "~1")
                ));
                let global = (resource_type == "AWS::Serverless::Api")
                    .then(|| doc.pointer("/Globals/Api/BinaryMediaTypes"))
                    .flatten();
                let (Some(own), Some(global)) = (listed_types(own), listed_types(global)) else {
                    continue;
                };
                self.definition(value, &base, [own, global].concat());
            }
        } else if let Some(items) = doc.get("items").and_then(Value::as_array) {
            let listed = doc
                .get("binaryMediaTypes")
                .and_then(|l| listed_types(Some(l)));
            self.listing(items, listed);
        }
    }

    /// One finding per API whose binary bodies are converted as text.
    pub fn finish(self) -> Vec<Finding> {
        self.groups
            .into_values()
            .filter_map(Group::finding)
            .collect()
    }

    /// One REST definition (an export, or a template's definition body), whose API also lists
    /// `also` (a template's `BinaryMediaTypes` beside the body).
    fn definition(&mut self, definition: &Value, base: &str, also: Vec<String>) {
        let Some(mut listed) =
            listed_types(definition.get("x-amazon-apigateway-binary-media-types"))
        else {
            return;
        };
        listed.extend(also);
        let group = self.groups.entry(base.to_string()).or_default();
        group.listed = Some(listed.clone());
        let Some(paths) = definition.get("paths").and_then(Value::as_object) else {
            return;
        };
        let global_consumes = definition.get("consumes");
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (key, op) in item {
                if !BODY_METHODS.contains(&key.as_str()) {
                    continue;
                }
                let Some(op) = op.as_object() else { continue };
                let Some(integration) = op
                    .get("x-amazon-apigateway-integration")
                    .and_then(Value::as_object)
                else {
                    continue;
                };
                if converts_to_binary(integration) {
                    continue;
                }
                let unmatched = declared_types(op, global_consumes)
                    .into_iter()
                    .filter(|t| binary_upload_type(t) && !binary_media_type_matches(&listed, t))
                    .collect();
                group.add(Upload {
                    label: format!("[{}:{path}]", method_name(key)),
                    location: format!("{base}.paths['{path}'].{key}"),
                    unmatched,
                    s3_uri: s3_upload(integration),
                });
            }
        }
    }

    /// `aws apigateway get-resources --embed methods` output: the API's list is not in it,
    /// unless live mode put it beside the items (`binaryMediaTypes`, from get-rest-api(s)).
    fn listing(&mut self, items: &[Value], listed: Option<Vec<String>>) {
        let group = self.groups.entry("$".to_string()).or_default();
        group.listed = listed;
        let listed = group.listed.clone();
        for (n, item) in items.iter().enumerate() {
            let path = item.get("path").and_then(Value::as_str).unwrap_or("?");
            let Some(methods) = item.get("resourceMethods").and_then(Value::as_object) else {
                continue;
            };
            for (verb, m) in methods {
                let Some(integration) = m.get("methodIntegration").and_then(Value::as_object)
                else {
                    continue;
                };
                if converts_to_binary(integration) {
                    continue;
                }
                let unmatched = m
                    .get("requestModels")
                    .and_then(Value::as_object)
                    .map(|models| {
                        models
                            .keys()
                            .filter(|t| {
                                binary_upload_type(t)
                                    && !listed
                                        .as_deref()
                                        .is_some_and(|l| binary_media_type_matches(l, t))
                            })
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                group.add(Upload {
                    label: format!("[{}:{path}]", verb.to_ascii_uppercase()),
                    location: format!("$.items[{n}].resourceMethods.{verb}"),
                    unmatched,
                    s3_uri: s3_upload(integration),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every REST API of a document (an export, a template, get-resources output) whose methods
    /// take binary request bodies it converts as text: one finding per API.
    fn binary_bodies_as_text(doc: &Value) -> Vec<Finding> {
        let mut check = BinaryBodies::default();
        check.add(doc);
        check.finish()
    }

    #[test]
    fn binary_types_are_the_ones_that_carry_bytes() {
        for t in [
            "image/png",
            "IMAGE/JPEG",
            "application/octet-stream",
            "application/pdf",
            "multipart/form-data; boundary=x",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "video/mp4",
        ] {
            assert!(binary_upload_type(t), "{t}");
        }
        for t in [
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/xml",
            "",
        ] {
            assert!(!binary_upload_type(t), "{t}");
        }
    }

    #[test]
    fn s3_object_uploads_and_not_bucket_creation() {
        let i = |uri: &str, method: &str| {
            json!({"type": "aws", "uri": uri, "httpMethod": method})
                .as_object()
                .unwrap()
                .clone()
        };
        let obj = "arn:aws:apigateway:us-west-2:s3:path/{bucket}/{object}";
        assert!(s3_upload(&i(obj, "PUT")).is_some());
        assert!(s3_upload(&i(obj, "GET")).is_none());
        assert!(s3_upload(&i("arn:aws:apigateway:us-west-2:s3:path/{bucket}", "PUT")).is_none());
        assert!(
            s3_upload(&i(
                "arn:aws:apigateway:us-east-1:s3:action/PutObject&Bucket={b}&Key={k}",
                "POST"
            ))
            .is_some()
        );
        let mut proxy = i(obj, "PUT");
        proxy.insert("type".into(), json!("http"));
        assert!(s3_upload(&proxy).is_none());
    }

    #[test]
    fn a_matching_list_or_conversion_clears_the_method() {
        let def = |types: Value, handling: Option<&str>| {
            let mut integration = json!({"type": "aws_proxy", "httpMethod": "POST",
                "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations"});
            if let Some(h) = handling {
                integration["contentHandling"] = json!(h);
            }
            json!({"openapi": "3.0.1", "x-amazon-apigateway-binary-media-types": types,
                "paths": {"/upload": {"post": {
                    "requestBody": {"content": {"multipart/form-data": {}, "application/json": {}}},
                    "x-amazon-apigateway-integration": integration}}}})
        };
        let found = binary_bodies_as_text(&def(json!([]), None));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].evidence["request_types"],
            json!(["multipart/form-data"])
        );
        assert!(binary_bodies_as_text(&def(json!(["multipart/form-data"]), None)).is_empty());
        assert!(binary_bodies_as_text(&def(json!(["multipart~1form-data"]), None)).is_empty());
        assert!(binary_bodies_as_text(&def(json!(["*/*"]), None)).is_empty());
        assert_eq!(
            binary_bodies_as_text(&def(json!(["image/*"]), None)).len(),
            1
        );
        assert!(binary_bodies_as_text(&def(json!([]), Some("CONVERT_TO_BINARY"))).is_empty());
        // A list the template leaves to an intrinsic function is not guessed at.
        assert!(binary_bodies_as_text(&def(json!({"Ref": "Types"}), None)).is_empty());
    }
}
