//! SAP's published service definitions as a model to check JSON against: the OData V2 EDMX
//! (`$metadata`, with SAP's `sap:creatable`/`sap:updatable`/`sap:filterable` annotations) and,
//! for the simulation service that has no public EDMX, its Business Accelerator Hub OpenAPI.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Property {
    pub edm: String,
    pub nullable: bool,
    pub creatable: bool,
    pub updatable: bool,
    pub filterable: bool,
    pub scale: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Navigation {
    pub target: String,
    pub many: bool,
}

#[derive(Debug, Default, Clone)]
pub struct EntityType {
    pub keys: Vec<String>,
    pub properties: BTreeMap<String, Property>,
    pub navigations: BTreeMap<String, Navigation>,
}

#[derive(Debug, Default, Clone)]
pub struct Function {
    pub method: String,
    pub parameters: BTreeMap<String, String>,
    pub returns: String,
}

/// One service: its types (entity and complex), entity sets and function imports.
#[derive(Debug, Default)]
pub struct Service {
    pub types: HashMap<String, EntityType>,
    pub sets: HashMap<String, String>,
    pub functions: HashMap<String, Function>,
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .and_then(|a| a.unescape_value().ok())
        .map(|v| v.into_owned())
}

fn local(qualified: &str) -> String {
    qualified.rsplit('.').next().unwrap_or(qualified).to_owned()
}

impl Service {
    /// Reads an EDMX document.
    pub fn from_edmx(xml: &str) -> Self {
        let mut reader = Reader::from_str(xml);
        let mut service = Service::default();
        // Association name → role → (type, multiplicity)
        let mut associations: HashMap<String, HashMap<String, (String, String)>> = HashMap::new();
        // (type, navigation, association, to role)
        let mut pending: Vec<(String, String, String, String)> = Vec::new();
        let mut current_type: Option<String> = None;
        let mut current_association: Option<String> = None;
        let mut current_function: Option<String> = None;
        loop {
            let event = reader.read_event().expect("well-formed EDMX");
            let (e, empty) = match &event {
                Event::Start(e) => (e.clone(), false),
                Event::Empty(e) => (e.clone(), true),
                Event::End(e) => {
                    match e.local_name().as_ref() {
                        b"EntityType" | b"ComplexType" => current_type = None,
                        b"Association" => current_association = None,
                        b"FunctionImport" => current_function = None,
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let name = attr(&e, "Name");
            match e.local_name().as_ref() {
                b"EntityType" | b"ComplexType" => {
                    let name = name.unwrap();
                    service.types.entry(name.clone()).or_default();
                    current_type = (!empty).then_some(name);
                }
                b"PropertyRef" => {
                    if let Some(t) = &current_type {
                        service.types.get_mut(t).unwrap().keys.push(name.unwrap());
                    }
                }
                b"Property" => {
                    let Some(t) = &current_type else { continue };
                    let flag = |n: &str| attr(&e, n).is_none_or(|v| v != "false");
                    let property = Property {
                        edm: attr(&e, "Type").unwrap(),
                        nullable: flag("Nullable"),
                        creatable: flag("sap:creatable"),
                        updatable: flag("sap:updatable"),
                        filterable: flag("sap:filterable"),
                        scale: attr(&e, "Scale").and_then(|s| s.parse().ok()),
                    };
                    let entity = service.types.get_mut(t).unwrap();
                    entity.properties.insert(name.unwrap(), property);
                }
                b"NavigationProperty" => {
                    if let Some(t) = &current_type {
                        pending.push((
                            t.clone(),
                            name.unwrap(),
                            local(&attr(&e, "Relationship").unwrap()),
                            attr(&e, "ToRole").unwrap(),
                        ));
                    }
                }
                b"Association" => {
                    current_association = name;
                }
                b"End" => {
                    if let (Some(a), Some(t)) = (&current_association, attr(&e, "Type")) {
                        associations.entry(a.clone()).or_default().insert(
                            attr(&e, "Role").unwrap(),
                            (local(&t), attr(&e, "Multiplicity").unwrap()),
                        );
                    }
                }
                b"EntitySet" => {
                    service
                        .sets
                        .insert(name.unwrap(), local(&attr(&e, "EntityType").unwrap()));
                }
                b"FunctionImport" => {
                    let name = name.unwrap();
                    service.functions.insert(
                        name.clone(),
                        Function {
                            method: attr(&e, "m:HttpMethod").unwrap_or_default(),
                            parameters: BTreeMap::new(),
                            returns: attr(&e, "ReturnType").unwrap_or_default(),
                        },
                    );
                    current_function = (!empty).then_some(name);
                }
                b"Parameter" => {
                    if let Some(f) = &current_function {
                        let function = service.functions.get_mut(f).unwrap();
                        function
                            .parameters
                            .insert(name.unwrap(), attr(&e, "Type").unwrap());
                    }
                }
                _ => {}
            }
        }
        for (entity, nav, association, role) in pending {
            let (target, multiplicity) = associations[&association][&role].clone();
            service.types.get_mut(&entity).unwrap().navigations.insert(
                nav,
                Navigation {
                    target,
                    many: multiplicity == "*",
                },
            );
        }
        service
    }

    /// Reads a Business Accelerator Hub OpenAPI document of an OData V2 service: `X` schemas
    /// are the types, `CreateX` the creatable properties, and each path the entity set.
    pub fn from_openapi(spec: &Value) -> Self {
        let schemas = spec["components"]["schemas"].as_object().unwrap();
        let reference = |v: &Value| v["$ref"].as_str().map(local_ref);
        let mut service = Service::default();
        for (name, schema) in schemas {
            if name.starts_with("Create") || name.starts_with("Update") {
                continue;
            }
            let Some(properties) = schema["properties"].as_object() else {
                continue;
            };
            let creatable = &schemas
                .get(&format!("Create{name}"))
                .map(|c| c["properties"].clone())
                .unwrap_or_default();
            let updatable = &schemas
                .get(&format!("Update{name}"))
                .map(|c| c["properties"].clone())
                .unwrap_or_default();
            let mut entity = EntityType::default();
            for (property, def) in properties {
                if let Some(target) = reference(def) {
                    entity.navigations.insert(
                        property.clone(),
                        Navigation {
                            target,
                            many: false,
                        },
                    );
                    continue;
                }
                if let Some(target) = reference(&def["properties"]["results"]["items"]) {
                    entity
                        .navigations
                        .insert(property.clone(), Navigation { target, many: true });
                    continue;
                }
                let edm = match (def["type"].as_str(), def["format"].as_str()) {
                    (Some("boolean"), _) => "Edm.Boolean",
                    (_, Some("decimal")) => "Edm.Decimal",
                    (Some("integer"), _) => "Edm.Int32",
                    (_, Some("uuid")) => "Edm.Guid",
                    _ if def["example"]
                        .as_str()
                        .is_some_and(|e| e.starts_with("/Date(")) =>
                    {
                        if def["example"].as_str().unwrap().contains('+') {
                            "Edm.DateTimeOffset"
                        } else {
                            "Edm.DateTime"
                        }
                    }
                    _ => "Edm.String",
                };
                entity.properties.insert(
                    property.clone(),
                    Property {
                        edm: edm.into(),
                        nullable: def["nullable"].as_bool().unwrap_or(true),
                        creatable: creatable.get(property).is_some(),
                        updatable: updatable.get(property).is_some(),
                        filterable: true,
                        scale: def["x-sap-scale"].as_u64().map(|s| s as u32),
                    },
                );
            }
            service.types.insert(name.clone(), entity);
        }
        for path in spec["paths"].as_object().unwrap().keys() {
            let set = path.trim_start_matches('/');
            if !set.contains('(') && !set.starts_with('$') && service.types.contains_key(set) {
                service.sets.insert(set.to_owned(), set.to_owned());
            }
        }
        service
    }

    pub fn set_type(&self, set: &str) -> Option<&EntityType> {
        self.types.get(self.sets.get(set)?)
    }
}

fn local_ref(reference: &str) -> String {
    reference.rsplit('/').next().unwrap().to_owned()
}

/// Where the definition of each service the simulator speaks lives, under `fixtures/sap/metadata/`.
pub const DEFINITIONS: &[(&str, &str)] = &[
    ("API_SALES_ORDER_SRV", "API_SALES_ORDER_SRV.edmx"),
    (
        "API_SALES_ORDER_SRV@2020",
        "API_SALES_ORDER_SRV.teched2020.edmx",
    ),
    ("API_PRODUCT_SRV", "API_PRODUCT_SRV.edmx"),
    ("API_BUSINESS_PARTNER", "API_BUSINESS_PARTNER.edmx"),
    ("API_BILLING_DOCUMENT_SRV", "API_BILLING_DOCUMENT_SRV.edmx"),
    (
        "API_PRODUCT_AVAILY_INFO_BASIC",
        "API_PRODUCT_AVAILY_INFO_BASIC.edmx",
    ),
    (
        "API_OUTBOUND_DELIVERY_SRV;v=0002",
        "API_OUTBOUND_DELIVERY_SRV_0002.edmx",
    ),
    (
        "API_SALES_ORDER_SIMULATION_SRV",
        "API_SALES_ORDER_SIMULATION_SRV.ballerina-openapi.json",
    ),
];

pub fn definition_path(file: &str) -> String {
    format!(
        "{}/fixtures/sap/metadata/{file}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The EDMX text of a service, when SAP publishes one.
pub fn edmx_text(service: &str) -> Option<String> {
    let (_, file) = DEFINITIONS.iter().find(|(s, _)| *s == service)?;
    file.ends_with(".edmx")
        .then(|| std::fs::read_to_string(definition_path(file)).unwrap())
}

/// A definition file read into a model.
pub fn load(file: &str) -> Service {
    let text = std::fs::read_to_string(definition_path(file)).unwrap();
    if file.ends_with(".json") {
        Service::from_openapi(&serde_json::from_str(&text).unwrap())
    } else {
        Service::from_edmx(&text)
    }
}

/// The model of a service the simulator speaks (read once per test process).
pub fn service(name: &str) -> Option<&'static Service> {
    static MODELS: OnceLock<HashMap<&'static str, Service>> = OnceLock::new();
    let models = MODELS.get_or_init(|| {
        DEFINITIONS
            .iter()
            .map(|(service, file)| (*service, load(file)))
            .collect()
    });
    models.get(name)
}
