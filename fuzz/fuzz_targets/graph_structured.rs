//! Structure-aware Graph fuzzing: realistic Graph documents of every kind, mutated, with prior
//! states as Terraform sends them, through every mapping from Graph to state, the what-if
//! engine and the export.
#![no_main]
use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = entra_fuzz::graph_structured(&mut Unstructured::new(data));
});
