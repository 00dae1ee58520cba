//! Definitions a template keeps in files of their own, beside it: a SAM API's `DefinitionUri`,
//! an `AWS::ApiGateway::RestApi`'s or `AWS::ApiGatewayV2::Api`'s `BodyS3Location`, given as a
//! local path (what `sam deploy` and `aws cloudformation package` upload to S3 before
//! deploying), and `Fn::Transform: AWS::Include` with a local `Location`. Each is read from
//! the template's folder and put where an inline definition would be, marked with the file it
//! came from (`x-apigw-doctor-file`, an index into `Included::files`), so findings inside it
//! name that file and their line in it. A definition in S3, or a file that cannot be read, is
//! said so.
use serde_json::{Value, json};
use std::path::Path;

/// Marks the root of a definition read from a file of its own: the file's index in
/// `Included::files` (and `Read::files`).
pub const FILE: &str = "x-apigw-doctor-file";

/// A definition file read beside a template: its name as shown (the template's folder joined
/// with the path the template gives), its text, and whether it is YAML.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub text: String,
    pub yaml: bool,
}

/// At most this many files are read for one template.
const MAX_FILES: usize = 64;

/// What reading a template's definition files found.
#[derive(Debug, Default)]
pub struct Included {
    /// The files read, as the template names them.
    pub read: Vec<String>,
    /// Their names and texts, in the same order.
    pub files: Vec<File>,
    /// Their sizes together.
    bytes: u64,
    /// The APIs read from them: REST, HTTP, and their operations.
    pub apis: usize,
    pub http_apis: usize,
    pub methods: usize,
    /// What could not be read, and why.
    pub not_readable: Vec<String>,
}

/// Reads the definitions `template` names as local files (relative to `folder`, the
/// template's own folder; none when the template came from standard input) into it.
pub fn inline(template: &mut Value, folder: Option<&Path>) -> Included {
    let mut out = Included::default();
    let Some(resources) = template.get_mut("Resources").and_then(Value::as_object_mut) else {
        return out;
    };
    for (id, resource) in resources.iter_mut() {
        let kind = resource
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let (file_key, body_key) = match kind.as_str() {
            "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => {
                ("DefinitionUri", "DefinitionBody")
            }
            "AWS::ApiGateway::RestApi" | "AWS::ApiGatewayV2::Api" => ("BodyS3Location", "Body"),
            _ => continue,
        };
        // The REST API reader says itself that a definition in S3 is not read.
        let says_s3 = kind != "AWS::ApiGateway::RestApi";
        let http = matches!(
            kind.as_str(),
            "AWS::Serverless::HttpApi" | "AWS::ApiGatewayV2::Api"
        );
        let Some(props) = resource
            .get_mut("Properties")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        // An inline body included from a file: `Fn::Transform: {Name: AWS::Include, ...}`.
        if let Some(location) = props
            .get(body_key)
            .and_then(|b| b.get("Fn::Transform"))
            .filter(|t| t.get("Name").and_then(Value::as_str) == Some("AWS::Include"))
            .and_then(|t| t.pointer("/Parameters/Location"))
            .and_then(Value::as_str)
            .map(str::to_string)
        {
            if let Some(body) = read_one(
                id,
                "AWS::Include",
                &location,
                folder,
                http,
                says_s3,
                &mut out,
            ) {
                props.insert(body_key.to_string(), body);
            }
            continue;
        }
        if props.contains_key(body_key) {
            continue;
        }
        let Some(file) = props.get(file_key) else {
            continue;
        };
        let Some(location) = file.as_str().map(str::to_string) else {
            // {Bucket, Key, Version}: an object in S3.
            if says_s3 {
                out.not_readable.push(in_s3(id, file_key));
            }
            continue;
        };
        if let Some(body) = read_one(id, file_key, &location, folder, http, says_s3, &mut out) {
            props.insert(body_key.to_string(), body);
        }
    }
    out
}

fn in_s3(id: &str, key: &str) -> String {
    format!(
        "{id}: its definition is in S3 ({key}), which the tool does not read: give the API's export (aws apigateway get-export, or aws apigatewayv2 export-api) or the file it was uploaded from"
    )
}

/// The definition in the file `location` names, marked with the file; None (with why in
/// `out`) when it is in S3 or cannot be read.
fn read_one(
    id: &str,
    key: &str,
    location: &str,
    folder: Option<&Path>,
    http: bool,
    says_s3: bool,
    out: &mut Included,
) -> Option<Value> {
    if location.starts_with("s3://") || location.starts_with("https://") {
        // SAM refuses a DefinitionUri that is a URL but not s3:// (a fault of the template,
        // reported where SAM is read).
        if says_s3 && (key != "DefinitionUri" || location.starts_with("s3://")) {
            out.not_readable.push(in_s3(id, key));
        }
        return None;
    }
    if key == "DefinitionUri" && location.contains("://") {
        return None;
    }
    let Some(folder) = folder else {
        out.not_readable.push(format!(
            "{id}: its definition is in the file {location} ({key}), read from the template's folder only when the template is given as a file, not on standard input"
        ));
        return None;
    };
    if out.read.len() >= MAX_FILES {
        out.not_readable.push(format!(
            "{id}: its definition file {location} was not read: a template's first {MAX_FILES} definition files are"
        ));
        return None;
    }
    // `dir/./api.yaml` is shown as `dir/api.yaml`, and `./api.yaml` beside the template as
    // `api.yaml`.
    let path: std::path::PathBuf = folder
        .join(location)
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    let shown = path.display().to_string();
    // A template names these files, not the user: a device, a FIFO or a socket is not read
    // (opening a FIFO would wait for a writer), and all of a template's files together are
    // bounded as one document is.
    match std::fs::metadata(&path) {
        Ok(meta) if !meta.is_file() => {
            out.not_readable.push(format!(
                "{id}: its definition file {shown} ({key}) is not a regular file, so it was not read"
            ));
            return None;
        }
        Ok(meta) if out.bytes + meta.len() > crate::document::MAX_DOCUMENT_BYTES => {
            out.not_readable.push(format!(
                "{id}: its definition file {shown} ({key}) was not read: with the files read before it, it is larger than {} bytes",
                crate::document::MAX_DOCUMENT_BYTES
            ));
            return None;
        }
        Ok(meta) => out.bytes += meta.len(),
        // parse_file says why.
        Err(_) => {}
    }
    match crate::document::parse_file(&shown) {
        Ok((mut body, text, yaml)) if body.get("paths").is_some_and(Value::is_object) => {
            let methods = operations(&body);
            if let Some(b) = body.as_object_mut() {
                b.insert(FILE.to_string(), json!(out.files.len()));
            }
            out.read.push(location.to_string());
            out.files.push(File {
                name: shown,
                text,
                yaml,
            });
            if http {
                out.http_apis += 1;
            } else {
                out.apis += 1;
            }
            out.methods += methods;
            Some(body)
        }
        Ok(_) => {
            out.not_readable.push(format!(
                "{id}: {shown} ({key}) is not an OpenAPI definition (it has no paths)"
            ));
            None
        }
        Err(e) => {
            out.not_readable.push(format!(
                "{id}: its definition file ({key}) cannot be read: {e:#}"
            ));
            None
        }
    }
}

/// How many operations a definition's paths hold.
pub(crate) fn operations(body: &Value) -> usize {
    body["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
        .map(crate::checks::lint::operation_count)
        .sum()
}
