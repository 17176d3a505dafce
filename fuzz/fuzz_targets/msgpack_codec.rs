//! Arbitrary bytes as a `DynamicValue` under a real schema. The first byte chooses the schema and
//! the wire format: msgpack for a block (config, state, plan), raw state JSON for a block (as
//! UpgradeResourceState gets it), or msgpack for a single type (a function argument). What
//! decodes must encode again and decode to itself.
#![no_main]
use entra_fuzz::codec::{check_json_block, check_msgpack_block, check_msgpack_type, schemas};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, payload)) = data.split_first() else {
        return;
    };
    let s = schemas();
    let blocks = s.blocks.len();
    let choice = usize::from(selector) % (2 * blocks + s.types.len());
    if choice < blocks {
        check_msgpack_block(&s.blocks[choice].1, payload);
    } else if choice < 2 * blocks {
        check_json_block(&s.blocks[choice - blocks].1, payload);
    } else {
        check_msgpack_type(&s.types[choice - 2 * blocks].1, payload);
    }
});
