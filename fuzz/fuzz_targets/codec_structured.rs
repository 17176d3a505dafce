//! Structure-aware codec fuzzing: values generated to (mostly) fit a real schema, encoded and
//! decoded back, compared with what decoding must give, and cross-checked against the JSON
//! state decoder; and provider functions called with arguments as Terraform sends them.
#![no_main]
use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = entra_fuzz::codec_structured(&mut Unstructured::new(data));
});
