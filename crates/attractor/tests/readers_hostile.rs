//! Hostile inputs to every reader (issue 10, "Hardening"): header counts and ids that demand
//! gigabytes, shapes whose products overflow, malformed `.npy` headers, gzip bombs, one format
//! read as another, 300-digit numbers, line numbers. Each is refused with a message that names
//! the value, the limit and the fix, quickly, and without a large allocation (measured by a
//! counting allocator: the largest single request made by the test's own thread).

use attractor::Error;
use attractor::problems::formats::{
    GraphFormat, MAX_EDGES, MAX_ISOLATED_NODES, MAX_NODES, text_from_bytes,
};
use attractor::problems::idx::{MAX_IDX_BYTES, parse_idx_bytes};
use attractor::problems::npy::{MAX_NPY_HEADER_BYTES, MAX_NPY_VALUES};
use attractor::problems::{
    IdxArray, ImagePatterns, npy_bytes, parse_edge_list, parse_ising, parse_npy_bytes,
    parse_partition, parse_qubo, parse_rudy, write_idx,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::time::{Duration, Instant};

struct PeakAlloc;

thread_local! {
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let _ = PEAK.try_with(|p| p.set(p.get().max(l.size())));
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let _ = PEAK.try_with(|p| p.set(p.get().max(l.size())));
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let _ = PEAK.try_with(|p| p.set(p.get().max(new)));
        unsafe { System.realloc(ptr, l, new) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, l: Layout) {
        unsafe { System.dealloc(ptr, l) }
    }
}

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// Run `f`, returning its result, the largest single allocation it made and its duration.
fn measured<T>(f: impl FnOnce() -> T) -> (T, usize, Duration) {
    PEAK.with(|p| p.set(0));
    let t = Instant::now();
    let r = f();
    let dt = t.elapsed();
    (r, PEAK.with(|p| p.get()), dt)
}

/// `f` fails, within a second, allocating at most `max_bytes` at once; its message.
fn refused<T: std::fmt::Debug>(
    max_bytes: usize,
    f: impl FnOnce() -> attractor::Result<T>,
) -> String {
    let (r, peak, dt) = measured(f);
    let e = r.expect_err("the input must be refused");
    assert!(peak <= max_bytes, "allocated {peak} bytes at once for: {e}");
    assert!(dt < Duration::from_secs(1), "took {dt:?} for: {e}");
    let m = e.to_string();
    assert!(!m.contains('\n'), "messages are one line: {m}");
    m
}

const KIB: usize = 1 << 10;

#[test]
fn huge_header_counts_are_refused_up_front_with_the_size_they_need() {
    for text in ["1000000000 1\n1 2 1\n", "4294967296 0\n"] {
        let m = refused(KIB, || parse_rudy(text, "g.txt"));
        assert!(
            m.contains("g.txt:1:") && m.contains(&MAX_NODES.to_string()) && m.contains("MiB"),
            "{m}"
        );
        assert!(
            refused(KIB, || parse_ising(text, "i.txt")).contains("MAX_NODES"),
            "{text}"
        );
        assert!(refused(KIB, || parse_qubo(text, "q.txt")).contains("MAX_NODES"));
    }
    // below MAX_NODES, but not backed by the lines: a 12-byte header cannot ask for 16M spins
    let m = refused(KIB, || parse_ising("16000000 1\n1 2 1\n", "i.txt"));
    assert!(
        m.contains("n = 16000000") && m.contains(&MAX_ISOLATED_NODES.to_string()),
        "{m}"
    );
    // a header m above the limit, and one far beyond the text: no allocation by m
    let m = refused(KIB, || parse_qubo("3 1000000000\n1 2 1\n", "q.txt"));
    assert!(
        m.contains("m = 1000000000") && m.contains(&MAX_EDGES.to_string()),
        "{m}"
    );
    let m = refused(KIB, || parse_rudy("3 200000000\n1 2 1\n", "g.txt"));
    assert!(m.contains("m = 200000000 edges but the file has 1"), "{m}");
    // n backed by its lines is accepted (isolated vertices within the slack)
    let g = parse_rudy(&format!("{} 1\n1 2 1\n", MAX_ISOLATED_NODES + 2), "g").unwrap();
    assert_eq!(g.n, MAX_ISOLATED_NODES + 2);
}

#[test]
fn huge_node_ids_in_an_edge_list_are_refused() {
    let m = refused(KIB, || parse_edge_list("0 4294967295 1\n", "e.txt", false));
    assert!(
        m.contains("e.txt:1:") && m.contains("4294967296") && m.contains("MAX_NODES"),
        "{m}"
    );
    // below MAX_NODES but sparse: 16M vertices for one edge
    let m = refused(KIB, || parse_edge_list("0 1\n5 16000000\n", "e.txt", false));
    assert!(m.contains("n = 16000001") && m.contains("renumber"), "{m}");
    let m = refused(KIB, || parse_edge_list("1 99999999999\n", "e.txt", true));
    assert!(m.contains("MAX_NODES"), "{m}");
}

fn npy_with(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(h.len() as u16).to_le_bytes());
    b.extend_from_slice(h.as_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn npy_shapes_whose_product_overflows_or_exceeds_the_limit_are_refused() {
    for shape in [
        "(4294967296, 4294967296, 16)",
        "(18446744073709551615, 2)",
        &format!("({},)", MAX_NPY_VALUES + 1),
    ] {
        let b = npy_with("<f8", shape, &[0; 16]);
        let m = refused(KIB, || parse_npy_bytes(&b, "a.npy"));
        assert!(
            m.contains("a.npy") && m.contains("MAX_NPY_VALUES") && m.contains("above the limit"),
            "{m}"
        );
    }
    // a 300-digit shape entry: refused, and not echoed in full
    let b = npy_with("<f8", &format!("({},)", "9".repeat(300)), &[]);
    let m = refused(KIB, || parse_npy_bytes(&b, "a.npy"));
    assert!(
        m.contains("too large") && m.contains("(300 characters)") && m.len() < 400,
        "{m}"
    );
    // the shape holds, but the data are not there: the data prove the size
    let b = npy_with("<f8", "(1000000,)", &[0; 16]);
    let m = refused(KIB, || parse_npy_bytes(&b, "a.npy"));
    assert!(
        m.contains("8000000 data bytes but only 16") && m.contains("truncated"),
        "{m}"
    );
    // a header longer than the limit
    let mut b = b"\x93NUMPY\x02\x00".to_vec();
    b.extend_from_slice(&u32::MAX.to_le_bytes());
    let m = refused(KIB, || parse_npy_bytes(&b, "a.npy"));
    assert!(m.contains(&MAX_NPY_HEADER_BYTES.to_string()), "{m}");
}

#[test]
fn npy_descr_empty_non_ascii_or_unknown_is_a_message_not_a_panic() {
    for (descr, needle) in [
        ("", "empty dtype"),
        ("é", "not ASCII"),
        ("<é8", "not ASCII"),
        ("<", "unsupported dtype '<'"),
        ("f", "unsupported dtype 'f'"),
        ("<f99999999999999999999999", "unsupported dtype"),
        ("<c16", "unsupported dtype"),
        (">f8", "big-endian"),
    ] {
        let b = npy_with(descr, "(1,)", &[0; 16]);
        let m = refused(KIB, || parse_npy_bytes(&b, "d.npy"));
        assert!(m.contains(needle), "{descr:?}: {m}");
    }
    // a header that is not UTF-8 at all
    let mut b = npy_with("<f8", "(1,)", &[0; 8]);
    b[20] = 0xff;
    assert!(refused(KIB, || parse_npy_bytes(&b, "d.npy")).contains("not ASCII"));
    // ... and the valid forms still read
    let a = parse_npy_bytes(&npy_with("u1", "(2,)", &[3, 4]), "d.npy").unwrap();
    assert_eq!(a.data, vec![3.0, 4.0]);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_gzip_bomb_is_decompressed_no_further_than_its_header_declares() {
    // IDX declaring 10 bytes of data, followed by 64 MiB of zeros: 64 KiB compressed
    let mut plain = vec![0, 0, 8, 1, 0, 0, 0, 10];
    plain.extend(std::iter::repeat_n(7u8, 10));
    let declared = plain.len();
    plain.resize(64 << 20, 0);
    let bomb = gzip(&plain);
    assert!(bomb.len() < 100 * KIB, "{}", bomb.len());
    drop(plain);
    let m = refused(64 * KIB, || parse_idx_bytes(&bomb, "bomb.idx.gz"));
    assert!(
        m.contains("bomb.idx.gz") && m.contains(&format!("expands beyond the {declared} bytes")),
        "{m}"
    );
    // the same for .npy
    let mut plain = npy_with("|u1", "(4,)", &[1, 2, 3, 4]);
    let declared = plain.len();
    plain.resize(64 << 20, 0);
    let bomb = gzip(&plain);
    drop(plain);
    let m = refused(64 * KIB, || parse_npy_bytes(&bomb, "bomb.npy.gz"));
    assert!(
        m.contains(&format!("expands beyond the {declared} bytes")),
        "{m}"
    );
    // an exact stream reads, gzipped or not, to the same array
    let a = npy_with("|u1", "(4,)", &[1, 2, 3, 4]);
    assert_eq!(
        parse_npy_bytes(&gzip(&a), "a.npy.gz").unwrap(),
        parse_npy_bytes(&a, "a.npy").unwrap()
    );
    let i = [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 5, 6];
    let b = parse_idx_bytes(&gzip(&i), "i.gz").unwrap();
    assert_eq!((b.dims, b.data), (vec![2, 1], vec![5, 6]));
    // a truncated stream says so
    let g = gzip(&i);
    let m = refused(64 * KIB, || parse_idx_bytes(&g[..g.len() - 6], "t.gz"));
    assert!(m.contains("gzip") && m.contains("truncated"), "{m}");
}

#[test]
fn idx_dims_above_the_limit_are_refused_before_reading() {
    for dims in [
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        [0, 0, 0x80, 0, 0, 2, 0, 0],
    ] {
        let mut b = vec![0, 0, 8, 2];
        b.extend_from_slice(&dims);
        let m = refused(KIB, || parse_idx_bytes(&b, "x.idx"));
        assert!(
            m.contains("MAX_IDX_BYTES") && m.contains(&MAX_IDX_BYTES.to_string()),
            "{m}"
        );
        let g = gzip(&b);
        let m = refused(64 * KIB, || parse_idx_bytes(&g, "x.idx.gz"));
        assert!(m.contains("MAX_IDX_BYTES"), "{m}");
    }
}

#[test]
fn a_rudy_file_read_as_an_edge_list_and_the_reverse_name_the_right_format() {
    let gset = "% G-set\n4 3\n1 2 1\n2 3 1\n3 4 -1\n";
    let m = refused(KIB, || parse_edge_list(gset, "g.txt", false));
    assert!(
        m.contains("g.txt:2:") && m.contains("rudy") && m.contains("--format rudy"),
        "{m}"
    );
    let edges: GraphFormat = "edges".parse().unwrap();
    assert!(
        edges
            .parse(gset, "g.txt")
            .unwrap_err()
            .to_string()
            .contains("--format rudy")
    );
    assert_eq!(
        "rudy"
            .parse::<GraphFormat>()
            .unwrap()
            .parse(gset, "g")
            .unwrap()
            .n,
        4
    );
    // weighted edge list read as rudy: three-field "header"
    let m = refused(KIB, || parse_rudy("0 1 2.5\n1 2 1\n", "e.txt"));
    assert!(
        m.contains("e.txt:1:") && m.contains("--format edges"),
        "{m}"
    );
    // unweighted edge list read as rudy: two-field data lines
    let m = refused(KIB, || parse_rudy("1 2\n2 3\n3 4\n", "e.txt"));
    assert!(
        m.contains("e.txt:2:") && m.contains("--format edges"),
        "{m}"
    );
    // an edge list whose first line merely has two fields is still an edge list
    let g = parse_edge_list("0 1\n1 2\n2 3 1\n", "e", false).unwrap();
    assert_eq!((g.n, g.edges.len()), (4, 3));
}

#[test]
fn numbers_of_300_digits_are_refused_and_not_echoed_in_full() {
    let big = "9".repeat(300);
    type Reader = fn(&str) -> attractor::Result<usize>;
    let cases: Vec<(String, Reader)> = vec![
        (format!("{big} 1\n1 2 1\n"), |t| {
            parse_rudy(t, "g").map(|g| g.n)
        }),
        (format!("3 {big}\n1 2 1\n"), |t| {
            parse_qubo(t, "g").map(|q| q.n())
        }),
        (format!("3 1\n1 {big} 1\n"), |t| {
            parse_ising(t, "g").map(|m| m.n())
        }),
        (format!("0 {big}\n"), |t| {
            parse_edge_list(t, "g", false).map(|g| g.n)
        }),
        (format!("{big} 1\n"), |t| {
            parse_partition(t, "g", 1, false).map(|s| s.len())
        }),
        (format!("1 {big}\n"), |t| {
            parse_partition(t, "g", 1, false).map(|s| s.len())
        }),
        (format!("3 1\n1 2 x{big}\n"), |t| {
            parse_rudy(t, "g").map(|g| g.n)
        }),
        (format!("0 1 2 {big}\n"), |t| {
            parse_edge_list(t, "g", false).map(|g| g.n)
        }),
    ];
    for (text, f) in cases {
        let m = refused(16 * KIB, || f(&text));
        assert!(m.len() < 300, "{} chars: {m}", m.len());
        assert!(m.contains("characters)") || m.contains("fields"), "{m}");
    }
    let m = refused(KIB, || parse_rudy(&format!("{big} 1\n1 2 1\n"), "g"));
    assert!(m.contains("too large"), "{m}");
    // a 300-digit weight is a finite number and reads
    let g = parse_rudy(&format!("2 1\n1 2 {}\n", "1".repeat(300)), "g").unwrap();
    assert!(g.edges[0].2 > 1e299);
}

#[test]
fn line_numbers_are_one_based_and_never_zero() {
    let cases: Vec<(&str, attractor::Result<()>, usize)> = vec![
        ("", parse_rudy("", "f").map(drop), 1),
        ("\\n\\n", parse_rudy("\n\n", "f").map(drop), 2),
        ("edges ''", parse_edge_list("", "f", false).map(drop), 1),
        (
            "edges comments",
            parse_edge_list("# a\n# b\n", "f", false).map(drop),
            2,
        ),
        (
            "partition ''",
            parse_partition("", "f", 2, false).map(drop),
            1,
        ),
        (
            "partition huge n",
            parse_partition("", "f", usize::MAX, true).map(drop),
            1,
        ),
        ("qubo short", parse_qubo("3 2\n1 2 1\n", "f").map(drop), 2),
        ("ising 0", parse_ising("0 0\n", "f").map(drop), 1),
    ];
    for (what, r, want) in cases {
        match r {
            Err(Error::Parse { line, .. }) => assert_eq!(line, want, "{what}"),
            other => panic!("{what}: expected a parse error, got {other:?}"),
        }
    }
    // non-UTF-8 text names its line
    let e = text_from_bytes(b"3 1\n1 2 1\n\xff\n".to_vec(), "f").unwrap_err();
    assert!(
        e.to_string().starts_with("f:3:") && e.to_string().contains("UTF-8"),
        "{e}"
    );
}

#[test]
fn a_partition_longer_than_its_text_allocates_nothing_of_its_size() {
    let m = refused(KIB, || {
        parse_partition("1 1\n2 -1\n", "p", usize::MAX, false)
    });
    assert!(m.contains("node 3 has no line"), "{m}");
    let m = refused(KIB, || parse_partition("5 2\n", "p", 1 << 40, true));
    assert!(m.contains("not 0 or 1"), "{m}");
}

#[test]
fn size_products_that_wrap_are_errors_in_every_public_function() {
    let m = npy_bytes(&[usize::MAX, 2], &[]).unwrap_err().to_string();
    assert!(m.contains("overflows"), "{m}");
    // a shape whose header would not fit version 1's 16-bit length is refused, not truncated
    let m = npy_bytes(&[1; 30000], &[0.5]).unwrap_err().to_string();
    assert!(m.contains("30000 dimensions") && m.contains("65535"), "{m}");
    let m = "x"
        .repeat(300)
        .parse::<GraphFormat>()
        .unwrap_err()
        .to_string();
    assert!(m.len() < 300 && m.contains("(300 characters)"), "{m}");
    let a = IdxArray {
        dims: vec![1, usize::MAX, 4],
        data: vec![],
    };
    assert_eq!(a.item_len(), usize::MAX);
    let dir = std::env::temp_dir().join(format!("attractor-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let m = write_idx(dir.join("x.idx"), &a, false)
        .unwrap_err()
        .to_string();
    assert!(m.contains("overflows"), "{m}");
    // n_patterns × dim: a K × H × W array of K = 0 images whose H × W overflows
    let p = dir.join("zero.npy");
    std::fs::write(&p, npy_with("|u1", "(0, 4294967296, 4294967296)", &[])).unwrap();
    let m = ImagePatterns::read(&p, 1, 0.5).unwrap_err().to_string();
    assert!(m.contains("overflows"), "{m}");
    std::fs::remove_dir_all(&dir).unwrap();
}
