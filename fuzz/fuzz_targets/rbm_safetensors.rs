//! RBM safetensors reader: no panic; an RBM read is finite, has the shapes its tensors
//! declare, and writes back to bytes that read the same.
#![no_main]
use attractor::models::rbm::Rbm;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rbm) = Rbm::from_safetensors_bytes(data, "fuzz.safetensors") {
        assert_eq!(rbm.visible_bias().len(), rbm.n_visible());
        assert_eq!(rbm.hidden_bias().len(), rbm.n_hidden());
        let bytes = rbm.to_safetensors_bytes().expect("a model read writes back");
        let again = Rbm::from_safetensors_bytes(&bytes, "again").expect("written bytes read");
        assert!(again == rbm);
    }
});
