//! The set-up scenario files share, as a builder: organisations signed up,
//! supplier links made through invitations, requirements published, so a
//! test starts from its story instead of from plumbing.
//!
//! ```no_run
//! # async fn story() {
//! use tierlink_tests::{Requirement, TestApp};
//! let s = TestApp::builder()
//!     .supplier("Hyundai Steel", "Hanbit")
//!     .supplier("Hanbit", "Daehan Casting")
//!     .publish("Hyundai Steel", Requirement::new("FY2026").cascade_depth(2))
//!     .build()
//!     .await;
//! let hanbit = s.org("Hanbit");
//! let request = s.request("Hanbit");
//! # }
//! ```
//!
//! Organisations are named by the name they sign up with (their admin is
//! `admin@<lower-case letters and digits of the name>.example`). `build`
//! signs every named organisation up first, in the order they were first
//! named, then makes the links, then publishes, each in the order given.

use std::ops::Deref;

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_api::config::Settings;

use crate::{TestApp, TestOrg};

/// What a requirement asks, with the defaults most tests use: the 2026
/// period, due 2099-01-31, Scope 1 only, every active supplier, and the
/// server's default cascade depth.
#[derive(Debug, Clone)]
pub struct Requirement {
    title: String,
    description: Option<String>,
    year: u16,
    due_date: String,
    items: Value,
    /// `None`: every active supplier; otherwise suppliers by name.
    suppliers: Option<Vec<String>>,
    cascade_depth: Option<u8>,
}

impl Requirement {
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            description: None,
            year: 2026,
            due_date: "2099-01-31".to_owned(),
            items: json!([{"metric": "ghg.scope1"}]),
            suppliers: None,
            cascade_depth: None,
        }
    }

    /// The items, as the API takes them (`[{"metric": ..., "required": ...}]`).
    pub fn items(mut self, items: Value) -> Self {
        self.items = items;
        self
    }

    /// The period: this calendar year.
    pub fn year(mut self, year: u16) -> Self {
        self.year = year;
        self
    }

    pub fn due(mut self, date: &str) -> Self {
        self.due_date = date.to_owned();
        self
    }

    pub fn description(mut self, text: &str) -> Self {
        self.description = Some(text.to_owned());
        self
    }

    /// Addressed to these suppliers (by name) instead of to every active one.
    pub fn to(mut self, suppliers: &[&str]) -> Self {
        self.suppliers = Some(suppliers.iter().map(|&name| name.to_owned()).collect());
        self
    }

    pub fn cascade_depth(mut self, depth: u8) -> Self {
        self.cascade_depth = Some(depth);
        self
    }

    /// The JSON body of `POST /v1/requirements`; `id_of` turns a supplier's
    /// name into its id.
    pub fn body(&self, id_of: impl Fn(&str) -> String) -> Value {
        let audience = match &self.suppliers {
            None => json!({"all_active_suppliers": true}),
            Some(names) => {
                let ids: Vec<String> = names.iter().map(|name| id_of(name)).collect();
                json!({ "suppliers": ids })
            }
        };
        let year = self.year;
        let mut body = json!({
            "title": self.title,
            "period": {"start": format!("{year}-01-01"), "end": format!("{year}-12-31")},
            "due_date": self.due_date,
            "items": self.items,
            "audience": audience,
        });
        if let Some(description) = &self.description {
            body["description"] = json!(description);
        }
        if let Some(depth) = self.cascade_depth {
            body["cascade_depth"] = json!(depth);
        }
        body
    }
}

/// A published requirement and the request each supplier received.
#[derive(Debug, Clone)]
pub struct Published {
    pub id: String,
    pub title: String,
    /// (supplier name, request id), as the owner lists them.
    pub requests: Vec<(String, String)>,
}

impl Published {
    /// The id of the request `supplier` (by name) received.
    pub fn request(&self, supplier: &str) -> &str {
        self.requests
            .iter()
            .find(|(name, _)| name == supplier)
            .map(|(_, id)| id.as_str())
            .unwrap_or_else(|| panic!("{supplier} received no request of {}", self.id))
    }
}

impl TestApp {
    /// A scenario on a new server: see [`ScenarioBuilder`].
    pub fn builder() -> ScenarioBuilder {
        ScenarioBuilder::default()
    }

    /// Creates and publishes `body` as `owner`, and lists the requests it
    /// made (the owner's view of the requirement's requests).
    pub async fn publish(&self, owner: &TestOrg, body: &Value) -> Published {
        let id = self.publish_requirement(owner, body).await;
        let page = self
            .call(
                Method::GET,
                owner.token(),
                &format!("/v1/requirements/{id}/requests?limit=200"),
                None,
                200,
            )
            .await;
        let requests = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|row| {
                let text = |value: &Value| value.as_str().expect("a string").to_owned();
                (text(&row["supplier"]["name"]), text(&row["id"]))
            })
            .collect();
        let title = body["title"].as_str().expect("a title").to_owned();
        Published {
            id,
            title,
            requests,
        }
    }
}

type Customise = Box<dyn FnOnce(&mut Settings)>;

/// Collects the set-up; [`ScenarioBuilder::build`] starts the server and
/// carries it out over HTTP.
#[derive(Default)]
pub struct ScenarioBuilder {
    customise: Option<Customise>,
    orgs: Vec<String>,
    links: Vec<(String, String)>,
    requirements: Vec<(String, Requirement)>,
}

impl std::fmt::Debug for ScenarioBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScenarioBuilder")
            .field("orgs", &self.orgs)
            .field("links", &self.links)
            .field("requirements", &self.requirements)
            .finish_non_exhaustive()
    }
}

impl ScenarioBuilder {
    /// Adjusts the server's settings before it starts.
    pub fn settings(mut self, customise: impl FnOnce(&mut Settings) + 'static) -> Self {
        self.customise = Some(Box::new(customise));
        self
    }

    /// An organisation signed up under `name`.
    pub fn org(mut self, name: &str) -> Self {
        if !self.orgs.iter().any(|known| known == name) {
            self.orgs.push(name.to_owned());
        }
        self
    }

    /// `supplier` supplies `buyer`: the buyer invites it and it accepts
    /// (both are signed up if not named before).
    pub fn supplier(self, buyer: &str, supplier: &str) -> Self {
        let mut this = self.org(buyer).org(supplier);
        this.links.push((buyer.to_owned(), supplier.to_owned()));
        this
    }

    /// `owner` creates and publishes `requirement`.
    pub fn publish(mut self, owner: &str, requirement: Requirement) -> Self {
        self = self.org(owner);
        self.requirements.push((owner.to_owned(), requirement));
        self
    }

    pub async fn build(self) -> Scenario {
        let app = match self.customise {
            Some(customise) => TestApp::spawn_with(customise).await,
            None => TestApp::spawn().await,
        };
        let mut orgs = Vec::with_capacity(self.orgs.len());
        for name in &self.orgs {
            orgs.push(app.signup(name).await);
        }
        let mut scenario = Scenario {
            app,
            orgs,
            published: Vec::new(),
        };
        for (buyer, supplier) in &self.links {
            scenario
                .app
                .link(scenario.org(buyer), scenario.org(supplier))
                .await;
        }
        for (owner, requirement) in &self.requirements {
            let published = scenario.publish(owner, requirement).await;
            scenario.published.push(published);
        }
        scenario
    }
}

/// A running server with the organisations, links and requirements a
/// [`ScenarioBuilder`] set up. Derefs to the [`TestApp`].
#[derive(Debug)]
pub struct Scenario {
    pub app: TestApp,
    orgs: Vec<TestOrg>,
    published: Vec<Published>,
}

impl Deref for Scenario {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl Scenario {
    /// The organisation signed up under `name`.
    pub fn org(&self, name: &str) -> &TestOrg {
        self.orgs
            .iter()
            .find(|org| org.name == name)
            .unwrap_or_else(|| panic!("no organisation named {name} in this scenario"))
    }

    /// Several organisations at once:
    /// `let [large, tier1] = s.orgs(["Hyundai Steel", "Hanbit"]);`
    pub fn orgs<const N: usize>(&self, names: [&str; N]) -> [&TestOrg; N] {
        names.map(|name| self.org(name))
    }

    /// The requirement published last while building.
    pub fn requirement(&self) -> &Published {
        self.published
            .last()
            .expect("the scenario published a requirement")
    }

    /// The requirement titled `title` published while building.
    pub fn published(&self, title: &str) -> &Published {
        self.published
            .iter()
            .find(|published| published.title == title)
            .unwrap_or_else(|| panic!("no requirement titled {title} in this scenario"))
    }

    /// The request `supplier` received of the requirement published last.
    pub fn request(&self, supplier: &str) -> &str {
        self.requirement().request(supplier)
    }

    /// `requirement` as JSON, suppliers' names turned into their ids.
    pub fn body(&self, requirement: &Requirement) -> Value {
        requirement.body(|name| self.org(name).id.clone())
    }

    /// `owner` (by name) creates and publishes `requirement`.
    pub async fn publish(&self, owner: &str, requirement: &Requirement) -> Published {
        self.app
            .publish(self.org(owner), &self.body(requirement))
            .await
    }
}

impl Scenario {
    /// Reads `path` as `org` until `done` holds (at most 20 s): for state
    /// the server records after a receiver has answered.
    pub async fn wait_until(&self, org: &str, path: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let value = self
                .call(Method::GET, self.org(org).token(), path, None, 200)
                .await;
            if done(&value) {
                return value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{path} never got there: {value}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
