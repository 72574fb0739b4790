//! One API surface: the routes each function declares (and the runner mounts) are exactly the
//! HttpApi events `template.yaml` gives that function, the route keys the HTTP events in
//! `events/<function>/` carry, and the operations of `docs/openapi.json`, which must itself
//! be a valid OpenAPI 3.1 description, served by the runner at `/openapi.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use luckydraw_local::functions::HTTP_FUNCTIONS;
use serde_json::Value;

/// `(function, "METHOD /path")` pairs.
type Surface = BTreeSet<(String, String)>;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn declared() -> Surface {
    HTTP_FUNCTIONS
        .iter()
        .flat_map(|function| function.routes.iter().map(|route| (function.name.to_owned(), route.key())))
        .collect()
}

/// The template's HttpApi events, by the binary (`BuildProperties.Binary`) of their function.
fn in_template() -> Surface {
    let text = std::fs::read_to_string(root().join("template.yaml")).expect("template.yaml");
    let template: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("template.yaml is YAML");
    let resources = template["Resources"].as_mapping().expect("the template has resources");
    let mut surface = Surface::new();
    for resource in resources.values().filter(|r| r["Type"].as_str() == Some("AWS::Serverless::Function")) {
        let binary = resource["Metadata"]["BuildProperties"]["Binary"].as_str().expect("a function names its binary");
        let Some(events) = resource["Properties"]["Events"].as_mapping() else { continue };
        for event in events.values().filter(|event| event["Type"].as_str() == Some("HttpApi")) {
            let properties = &event["Properties"];
            let method = properties["Method"].as_str().expect("an HttpApi method");
            let path = properties["Path"].as_str().expect("an HttpApi path");
            surface.insert((binary.to_owned(), format!("{method} {path}")));
        }
    }
    surface
}

/// The route key of every HTTP event in `events/<function>/`.
fn in_events() -> Surface {
    let mut surface = Surface::new();
    for folder in std::fs::read_dir(root().join("events")).expect("events/").flatten() {
        let function = folder.file_name().to_string_lossy().into_owned();
        let Ok(files) = std::fs::read_dir(folder.path()) else { continue };
        for file in files.flatten().map(|file| file.path()).filter(|path| path.extension().is_some_and(|e| e == "json"))
        {
            let event: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            if let Some(key) = event["routeKey"].as_str() {
                assert_eq!(event["requestContext"]["routeKey"], key, "{}", file.display());
                assert_path_fits(key, event["rawPath"].as_str().unwrap_or_default(), &file);
                surface.insert((function.clone(), key.to_owned()));
            }
        }
    }
    surface
}

/// `rawPath` is an instance of the route's path template.
fn assert_path_fits(key: &str, raw_path: &str, file: &Path) {
    let template = key.split_once(' ').map_or("", |(_, path)| path);
    let fits = template.split('/').count() == raw_path.split('/').count()
        && template.split('/').zip(raw_path.split('/')).all(|(t, p)| t == p || (t.starts_with('{') && !p.is_empty()));
    assert!(fits, "{}: rawPath {raw_path} does not fit {key}", file.display());
}

fn openapi() -> Value {
    serde_json::from_str(luckydraw_local::server::OPENAPI).expect("docs/openapi.json is JSON")
}

/// The operations of `docs/openapi.json`, by their `x-function`.
fn in_openapi() -> Surface {
    let document = openapi();
    let mut surface = Surface::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                let function = operation["x-function"].as_str().expect("every operation names its x-function");
                surface.insert((function.to_owned(), format!("{} {path}", method.to_uppercase())));
            }
        }
    }
    surface
}

fn differences(code: &Surface, other: &Surface) -> BTreeMap<&'static str, Vec<(String, String)>> {
    BTreeMap::from([
        ("only in the code", code.difference(other).cloned().collect()),
        ("only in the other", other.difference(code).cloned().collect()),
    ])
}

#[test]
fn the_template_routes_each_function_exactly_the_routes_it_declares() {
    let (code, template) = (declared(), in_template());
    assert!(!code.is_empty());
    assert_eq!(code, template, "{:#?}", differences(&code, &template));
}

#[test]
fn every_route_has_an_event_and_every_event_names_a_route_of_its_function() {
    let (code, events) = (declared(), in_events());
    assert_eq!(code, events, "{:#?}", differences(&code, &events));
}

#[test]
fn the_openapi_description_has_exactly_the_declared_operations() {
    let (code, described) = (declared(), in_openapi());
    assert_eq!(code, described, "{:#?}", differences(&code, &described));
    assert_eq!(openapi()["openapi"], "3.1.0");
}

#[test]
fn the_openapi_description_is_valid_openapi() {
    let validator = root().join(".venv/bin/openapi-spec-validator");
    let how = "run infra/scripts/venv.sh (it installs infra/tools/requirements.txt into .venv)";
    assert!(validator.exists(), "{} is missing: {how}", validator.display());
    let output = std::process::Command::new(&validator).arg(root().join("docs/openapi.json")).output().unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && said.contains("OK"), "{said}{}", String::from_utf8_lossy(&output.stderr));
}
