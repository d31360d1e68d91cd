//! The same operation from many connections at once. Rules that hold when
//! requests come one at a time must hold when ten come together: links
//! never loop, an unchanged answer is submitted once, one Idempotency-Key
//! makes one resource. On SQLite writes queue inside the process; these
//! tests matter on PostgreSQL, where transactions really overlap.
//!
//! Every racing request waits at one barrier, then all are sent together,
//! each on a connection of its own. A 503 `database_busy` is what a client
//! retries (with the same body and key), so it is retried until the
//! answer is final ([`tierlink_tests::race`]).

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{
    Reply, Requirement, Scenario, ScenarioBuilder, TestApp, TestOrg, expect_replay, race,
};

const RACERS: usize = 10;

/// A server with a connection for each racer, so all ten transactions
/// can be open at once.
fn racing_server() -> ScenarioBuilder {
    TestApp::builder().settings(|settings| settings.database_pool_size = RACERS as u32)
}

/// `buyer` invites a supplier; the code.
async fn invitation(s: &Scenario, buyer: &TestOrg) -> String {
    let invitation = s.invite(buyer, "sales@supplier.example").await;
    invitation["code"].as_str().expect("a code").to_owned()
}

/// `supplier` accepting the invitation `code`, not yet sent.
fn accept(s: &Scenario, supplier: &TestOrg, code: &str) -> reqwest::RequestBuilder {
    s.client
        .post(s.url("/v1/invitations/accept"))
        .bearer_auth(supplier.token())
        .json(&json!({ "code": code }))
}

/// A link made (201), or refused because it would close a loop (409
/// `supply_chain_cycle`); anything else fails the test.
fn linked(reply: &Reply) -> bool {
    match (reply.status, reply.code().as_deref()) {
        (201, _) => true,
        (409, Some("supply_chain_cycle")) => false,
        _ => panic!("an accept is a link or a refused loop: {reply:?}"),
    }
}

/// Every active link among `orgs`, read back through the API as each
/// buyer lists its suppliers: (buyer name, supplier name).
async fn links(s: &Scenario, orgs: &[&TestOrg]) -> BTreeSet<(String, String)> {
    let mut links = BTreeSet::new();
    for buyer in orgs {
        let page = s
            .call(
                Method::GET,
                buyer.token(),
                "/v1/suppliers?limit=200",
                None,
                200,
            )
            .await;
        for supplier in page["items"].as_array().expect("items") {
            let name = supplier["organisation"]["name"].as_str().expect("a name");
            links.insert((buyer.name.clone(), name.to_owned()));
        }
    }
    links
}

/// Whether following buyer → supplier links ever comes back to a firm.
fn has_loop(links: &BTreeSet<(String, String)>) -> bool {
    let mut suppliers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (buyer, supplier) in links {
        suppliers.entry(buyer).or_default().push(supplier);
    }
    // Depth-first, colouring firms on the current path: meeting one again is a loop.
    fn visit<'a>(
        firm: &'a str,
        suppliers: &BTreeMap<&'a str, Vec<&'a str>>,
        on_path: &mut BTreeSet<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> bool {
        if done.contains(firm) {
            return false;
        }
        if !on_path.insert(firm) {
            return true;
        }
        let looped = suppliers
            .get(firm)
            .into_iter()
            .flatten()
            .any(|&next| visit(next, suppliers, on_path, done));
        on_path.remove(firm);
        done.insert(firm);
        looped
    }
    let (mut on_path, mut done) = (BTreeSet::new(), BTreeSet::new());
    suppliers
        .keys()
        .any(|&firm| visit(firm, &suppliers, &mut on_path, &mut done))
}

#[test]
fn the_loop_finder_finds_loops() {
    let set = |pairs: &[(&str, &str)]| -> BTreeSet<(String, String)> {
        pairs
            .iter()
            .map(|&(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
    };
    assert!(!has_loop(&set(&[("a", "b"), ("b", "c"), ("a", "c")])));
    assert!(has_loop(&set(&[("a", "b"), ("b", "c"), ("c", "a")])));
    assert!(has_loop(&set(&[("a", "b"), ("b", "a")])));
}

/// Ten firms in a ring, each inviting the next to be its supplier. Any
/// nine of the links make a chain; the tenth would make every firm its own
/// supplier. Accepted all at once, exactly one must be refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_accepts_that_together_close_a_ring_leave_no_loop() {
    let names: Vec<String> = (0..RACERS).map(|n| format!("Ring {n}")).collect();
    let s = names
        .iter()
        .fold(racing_server(), |builder, name| builder.org(name))
        .build()
        .await;
    let ring: Vec<&TestOrg> = names.iter().map(|name| s.org(name)).collect();
    let mut accepts = Vec::new();
    for (n, buyer) in ring.iter().enumerate() {
        let code = invitation(&s, buyer).await;
        accepts.push(accept(&s, ring[(n + 1) % RACERS], &code));
    }

    let replies = race(accepts).await;

    let made: BTreeSet<(String, String)> = replies
        .iter()
        .enumerate()
        .filter(|(_, reply)| linked(reply))
        .map(|(n, _)| (ring[n].name.clone(), ring[(n + 1) % RACERS].name.clone()))
        .collect();
    assert_eq!(
        made.len(),
        RACERS - 1,
        "nine links, one refused as a loop: {replies:#?}"
    );
    let network = links(&s, &ring).await;
    assert_eq!(network, made, "the network is what the answers said");
    assert!(!has_loop(&network), "no loop: {network:?}");
}

/// Five pairs of firms, each inviting the other: either link alone is
/// fine, both make each firm the other's supplier. All ten accepts at once
/// leave exactly one link in each pair.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accepts_in_both_directions_at_once_link_each_pair_one_way() {
    let pairs: Vec<(String, String)> = (0..RACERS / 2)
        .map(|n| (format!("East {n}"), format!("West {n}")))
        .collect();
    let s = pairs
        .iter()
        .fold(racing_server(), |builder, (east, west)| {
            builder.org(east).org(west)
        })
        .build()
        .await;
    let mut accepts = Vec::new();
    let mut directions = Vec::new();
    for (east, west) in &pairs {
        let (east, west) = (s.org(east), s.org(west));
        for (buyer, supplier) in [(east, west), (west, east)] {
            let code = invitation(&s, buyer).await;
            accepts.push(accept(&s, supplier, &code));
            directions.push((buyer.name.clone(), supplier.name.clone()));
        }
    }

    let replies = race(accepts).await;

    let made: BTreeSet<(String, String)> = replies
        .iter()
        .zip(&directions)
        .filter(|(reply, _)| linked(reply))
        .map(|(_, direction)| direction.clone())
        .collect();
    for (east, west) in &pairs {
        let in_pair = made
            .iter()
            .filter(|(buyer, supplier)| {
                (buyer == east && supplier == west) || (buyer == west && supplier == east)
            })
            .count();
        assert_eq!(in_pair, 1, "{east} and {west}: {replies:#?}");
    }
    let orgs: Vec<&TestOrg> = pairs
        .iter()
        .flat_map(|(east, west)| [s.org(east), s.org(west)])
        .collect();
    let network = links(&s, &orgs).await;
    assert_eq!(network, made, "the network is what the answers said");
    assert!(!has_loop(&network), "no loop: {network:?}");
}

/// Hanbit received Hyundai Steel's Scope 1 requirement.
async fn answering() -> Scenario {
    racing_server()
        .supplier("Hyundai Steel", "Hanbit")
        .publish("Hyundai Steel", Requirement::new("FY2026"))
        .build()
        .await
}

/// The revisions of Hanbit's answer, as Hanbit lists them.
async fn revisions(s: &Scenario) -> Vec<Value> {
    let path = format!("/v1/requests/{}/answer/revisions", s.request("Hanbit"));
    let list = s
        .call(Method::GET, s.org("Hanbit").token(), &path, None, 200)
        .await;
    list.as_array().expect("a list").clone()
}

/// An answer whose content equals the latest revision, still under review,
/// is that revision: submitting it again makes no new one. Ten identical
/// `PUT .../answer` with `submit: true` at once make one revision; each
/// answer is 200 (with that one revision) or a 409 problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_identical_submitting_puts_make_one_revision() {
    let s = answering().await;
    let path = format!("/v1/requests/{}/answer", s.request("Hanbit"));
    let body = json!({"entries": [{"metric": "ghg.scope1", "value": "12.5", "unit": "tCO2e"}], "submit": true});
    let puts = (0..RACERS)
        .map(|_| {
            s.client
                .put(s.url(&path))
                .bearer_auth(s.org("Hanbit").token())
                .json(&body)
        })
        .collect();

    let replies = race(puts).await;

    let made = revisions(&s).await;
    assert_eq!(made.len(), 1, "one revision: {made:#?}");
    for reply in &replies {
        match reply.status {
            200 => {
                let answer = reply.json();
                assert_eq!(answer["status"], "submitted", "{reply:?}");
                assert_eq!(
                    answer["revisions"].as_array().map(Vec::len),
                    Some(1),
                    "answered with the one revision: {reply:?}"
                );
            }
            409 => assert!(reply.code().is_some(), "a problem: {reply:?}"),
            _ => panic!("200 or 409: {reply:?}"),
        }
    }
    assert!(replies.iter().any(|reply| reply.status == 200));
}

/// Ten `POST .../answer/submit` of one saved draft at once: one makes
/// revision 1 (201); the others are answered with it (200) or refused (409).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_submits_of_one_draft_make_one_revision() {
    let s = answering().await;
    let (supplier, request) = (s.org("Hanbit"), s.request("Hanbit"));
    s.answer(
        supplier,
        request,
        &json!({"entries": [{"metric": "ghg.scope1", "value": "12.5", "unit": "tCO2e"}]}),
    )
    .await;
    let submit = s.url(&format!("/v1/requests/{request}/answer/submit"));
    let submits = (0..RACERS)
        .map(|_| s.client.post(&submit).bearer_auth(supplier.token()))
        .collect();

    let replies = race(submits).await;

    let made = revisions(&s).await;
    assert_eq!(made.len(), 1, "one revision: {made:#?}");
    let created = replies.iter().filter(|reply| reply.status == 201).count();
    assert_eq!(created, 1, "one revision made: {replies:#?}");
    for reply in &replies {
        match reply.status {
            201 | 200 => assert_eq!(reply.json()["revision"], 1, "{reply:?}"),
            409 => assert!(reply.code().is_some(), "a problem: {reply:?}"),
            _ => panic!("201, 200 or 409: {reply:?}"),
        }
    }
}

/// Ten creates with one Idempotency-Key at once (a client whose retries
/// overtook its first try): one requirement, and nine replays of its
/// answer; none is a 409.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_creates_with_one_idempotency_key_make_one_requirement() {
    let s = racing_server().org("Hyundai Steel").build().await;
    let token = s.org("Hyundai Steel").token();
    let body = s.body(&Requirement::new("FY2026 carbon data"));
    let creates = (0..RACERS)
        .map(|_| {
            s.client
                .post(s.url("/v1/requirements"))
                .bearer_auth(token)
                .header("idempotency-key", "erp-batch-0042")
                .json(&body)
        })
        .collect();

    let replies = race(creates).await;

    let (firsts, replays): (Vec<&Reply>, Vec<&Reply>) =
        replies.iter().partition(|reply| reply.replayed.is_none());
    assert_eq!(firsts.len(), 1, "one first answer: {replies:#?}");
    assert_eq!(firsts[0].status, 201, "{:?}", firsts[0]);
    for replay in replays {
        expect_replay(firsts[0], replay);
    }
    let list = s
        .call(Method::GET, token, "/v1/requirements", None, 200)
        .await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(1),
        "one requirement: {list}"
    );
}
