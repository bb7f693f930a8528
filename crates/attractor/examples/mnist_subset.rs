//! Write the first `--count` MNIST training images and labels as gzipped IDX files, with the
//! library's own reader and writer. This made `data/mnist/` of the repository:
//!
//! ```text
//! cargo run --release -p attractor --example mnist_subset -- \
//!     ../shared/data/mnist data/mnist 300
//! ```

use attractor::problems::{IdxArray, read_idx, write_idx};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 3 {
        return Err("usage: mnist_subset SRC_DIR DST_DIR COUNT".into());
    }
    let (src, dst) = (PathBuf::from(&args[0]), PathBuf::from(&args[1]));
    let count: usize = args[2].parse()?;
    for (name, out) in [
        (
            "train-images-idx3-ubyte.gz",
            "train-images-first.idx3-ubyte.gz",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            "train-labels-first.idx1-ubyte.gz",
        ),
    ] {
        let a = read_idx(src.join(name))?;
        let item = a.item_len();
        let mut dims = a.dims.clone();
        dims[0] = count.min(a.n_items());
        let sub = IdxArray {
            data: a.data[..dims[0] * item].to_vec(),
            dims,
        };
        write_idx(dst.join(out), &sub, true)?;
        println!("{} -> {} ({:?})", name, out, sub.dims);
    }
    Ok(())
}
