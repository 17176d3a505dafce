//! Arbitrary bytes as a Graph response body. The first byte chooses the kind of object (see
//! `entra_fuzz::graph::Kind`); the rest goes through the typed models and, when it is JSON,
//! through every mapping from Graph to Terraform state for that kind.
#![no_main]
use entra_fuzz::graph::{exercise_bytes, KINDS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    exercise_bytes(KINDS[usize::from(selector) % KINDS.len()], body);
});
