//! Properties of the no-loop rule (`tierlink_domain::network::would_create_cycle`)
//! on generated networks, checked against an independent cycle detector
//! (a transitive closure and Kahn's topological sort).

use std::collections::HashMap;

use proptest::prelude::*;
use tierlink_domain::ids::OrgId;
use tierlink_domain::network::would_create_cycle;
use uuid::Uuid;

/// Firms are numbered 0..n; an edge `(buyer, supplier)` says the buyer buys
/// from the supplier.
type Edge = (usize, usize);

fn firm(n: usize) -> OrgId {
    OrgId::from_uuid(Uuid::from_u128(n as u128 + 1))
}

/// The rule, asked about firms by number over `edges`.
fn refused(edges: &[Edge], buyer: usize, supplier: usize) -> bool {
    let mut suppliers: HashMap<OrgId, Vec<OrgId>> = HashMap::new();
    for &(b, s) in edges {
        suppliers.entry(firm(b)).or_default().push(firm(s));
    }
    would_create_cycle(firm(buyer), firm(supplier), |f| {
        suppliers.get(&f).cloned().unwrap_or_default()
    })
}

/// `reach[a]` has bit b set when a path of one or more edges leads from a
/// to b (Warshall's transitive closure on bit sets; at most 16 firms).
fn reachability(n: usize, edges: &[Edge]) -> Vec<u16> {
    let mut reach = vec![0_u16; n];
    for &(b, s) in edges {
        reach[b] |= 1 << s;
    }
    for k in 0..n {
        let via_k = reach[k];
        for row in &mut reach {
            if *row & (1 << k) != 0 {
                *row |= via_k;
            }
        }
    }
    reach
}

/// Kahn's algorithm: the edges are acyclic iff every firm can be removed in
/// an order where none still has a buyer left.
fn is_acyclic(n: usize, edges: &[Edge]) -> bool {
    let mut buyers_left = vec![0_usize; n];
    for &(_, s) in edges {
        buyers_left[s] += 1;
    }
    let mut ready: Vec<usize> = (0..n).filter(|&f| buyers_left[f] == 0).collect();
    let mut removed = 0;
    while let Some(f) = ready.pop() {
        removed += 1;
        for &(b, s) in edges {
            if b == f {
                buyers_left[s] -= 1;
                if buyers_left[s] == 0 {
                    ready.push(s);
                }
            }
        }
    }
    removed == n
}

/// A random acyclic network of 1–12 firms: edges only from a lower to a
/// higher rank, ranks shuffled so the numbering tells nothing.
fn dag() -> impl Strategy<Value = (usize, Vec<Edge>)> {
    (1_usize..=12).prop_flat_map(|n| {
        let ranks = Just((0..n).collect::<Vec<_>>()).prop_shuffle();
        let pairs = proptest::collection::vec((0..n, 0..n), 0..=n * 2);
        (Just(n), ranks, pairs).prop_map(|(n, ranks, pairs)| {
            let edges = pairs
                .into_iter()
                .filter(|(a, b)| a < b)
                .map(|(a, b)| (ranks[a], ranks[b]))
                .collect();
            (n, edges)
        })
    })
}

/// A number of firms and candidate links among them, in any direction.
fn candidates() -> impl Strategy<Value = (usize, Vec<Edge>)> {
    (1_usize..=10).prop_flat_map(|n| (Just(n), proptest::collection::vec((0..n, 0..n), 0..=40)))
}

proptest! {
    /// On any acyclic network, b → s is refused exactly when b = s or s
    /// already reaches b.
    #[test]
    fn refused_iff_the_supplier_reaches_the_buyer((n, edges) in dag()) {
        prop_assert!(is_acyclic(n, &edges));
        let reach = reachability(n, &edges);
        for (supplier, reachable) in reach.iter().enumerate() {
            for buyer in 0..n {
                let loops = buyer == supplier || reachable & (1 << buyer) != 0;
                prop_assert_eq!(
                    refused(&edges, buyer, supplier),
                    loops,
                    "{} → {} on {:?}", buyer, supplier, edges
                );
            }
        }
    }

    /// Adding only the links the rule allows never yields a cycle, and each
    /// link it refuses would have closed one.
    #[test]
    fn allowed_links_never_make_a_cycle((n, candidates) in candidates()) {
        let mut edges: Vec<Edge> = Vec::new();
        for (buyer, supplier) in candidates {
            let mut with = edges.clone();
            with.push((buyer, supplier));
            let closes_a_loop = !is_acyclic(n, &with);
            prop_assert_eq!(
                refused(&edges, buyer, supplier),
                closes_a_loop,
                "{} → {} on {:?}", buyer, supplier, edges
            );
            if !closes_a_loop {
                edges = with;
            }
        }
        prop_assert!(is_acyclic(n, &edges));
    }
}
