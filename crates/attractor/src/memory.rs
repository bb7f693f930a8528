//! The library's one memory policy: before an allocation whose size derives from numbers the
//! user controls (dimensions, counts, hidden units, chains, steps to record, images declared by
//! a file header), estimate its bytes with checked arithmetic and refuse it with an
//! [`Error::OutOfMemory`] naming the quantity, its size and the fix when it cannot fit; the
//! allocation itself then goes through a fallible path ([`try_vec`], [`try_zeros`]), so that a
//! request that passes the estimate but still fails is an error too, never an abort.
//!
//! **What "can fit" means.** The memory available to this process is the smallest of
//!
//! - the cap set by the caller: [`set_limit`] (Python's `attractor.set_memory_limit`) or the
//!   environment variable `ATTRACTOR_MAX_MEMORY` (`"8G"`, `"512M"`, `"1.5GiB"`, plain bytes),
//!   less what the process already holds (its resident set);
//! - the cgroup's limit (v2 `memory.max`, v1 `memory.limit_in_bytes`) less the cgroup's usage,
//!   as in a container;
//! - the address-space limit `RLIMIT_AS` (`ulimit -v`, `prlimit --as`) less the address space
//!   already mapped;
//! - else the machine's available memory (`MemAvailable + SwapFree` of `/proc/meminfo`).
//!
//! The system's figures are read from `/proc` and `/sys` at each check of a request of at least
//! [`SMALL_REQUEST`] bytes (smaller requests are only checked for overflow); on systems without
//! these files only the caller's cap applies. An estimate is a lower bound of what a call needs,
//! so a request near the limit may still fail when it is made: the fallible constructors turn
//! that into the same error.

use crate::{Error, Result};
use faer::Mat;
use std::sync::atomic::{AtomicU64, Ordering};

/// Requests below this many bytes (1 MiB) are only checked for overflow: they cannot be what
/// exhausts a process, and reading the system's limits costs a few file reads.
pub const SMALL_REQUEST: u64 = 1 << 20;

/// The environment variable that caps the memory the library will allocate.
pub const ENV_VAR: &str = "ATTRACTOR_MAX_MEMORY";

/// The caller's cap in bytes ([`set_limit`]); 0 means none.
static CAP: AtomicU64 = AtomicU64::new(0);

/// Cap the memory the library allocates at `bytes` (`None` removes the cap, leaving the
/// environment variable and the system's limits). Python's `attractor.set_memory_limit`.
pub fn set_limit(bytes: Option<u64>) {
    CAP.store(bytes.unwrap_or(0), Ordering::Relaxed);
}

/// The cap set with [`set_limit`], if any.
pub fn limit() -> Option<u64> {
    match CAP.load(Ordering::Relaxed) {
        0 => None,
        b => Some(b),
    }
}

/// The memory available to this process and what bounds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Available {
    /// Bytes that may still be allocated.
    pub bytes: u64,
    /// What sets the bound, as the user would change it (e.g. "the address-space limit
    /// (ulimit -v) of 2 GiB").
    pub source: String,
}

/// The memory this process may still allocate (see the module's documentation), or `None`
/// when no limit is known (no cap and no readable `/proc`).
///
/// # Errors
/// When `ATTRACTOR_MAX_MEMORY` is set but is not a size.
pub fn available() -> Result<Option<Available>> {
    let mut best: Option<Available> = None;
    let mut offer = |bytes: u64, source: String| {
        if best.as_ref().is_none_or(|b| bytes < b.bytes) {
            best = Some(Available { bytes, source });
        }
    };
    let rss = status_field("VmRSS:").unwrap_or(0);
    if let Some(cap) = limit() {
        offer(
            cap.saturating_sub(rss),
            format!(
                "the cap attractor.set_memory_limit({}) less the {} in use",
                cap,
                human(rss)
            ),
        );
    }
    if let Ok(text) = std::env::var(ENV_VAR) {
        let cap = parse_size(ENV_VAR, &text)?;
        offer(
            cap.saturating_sub(rss),
            format!("the cap {ENV_VAR}={text} less the {} in use", human(rss)),
        );
    }
    if let Some((max, used, version)) = cgroup() {
        offer(
            max.saturating_sub(used),
            format!(
                "the container's (cgroup {version}) limit of {} less the {} it uses",
                human(max),
                human(used)
            ),
        );
    }
    if let Some(max) = address_space_limit() {
        let mapped = status_field("VmSize:").unwrap_or(0);
        offer(
            max.saturating_sub(mapped),
            format!(
                "the address-space limit (ulimit -v) of {} less the {} mapped",
                human(max),
                human(mapped)
            ),
        );
    }
    if let Some(free) = meminfo_available() {
        offer(free, "the machine's available memory".to_string());
    }
    Ok(best)
}

/// The bytes of `factors` elements of `elem_bytes` each, or an [`Error::OutOfMemory`] when the
/// product overflows `u64` (which is itself a size no process can hold).
///
/// # Errors
/// When the product overflows.
pub fn bytes_of(what: &str, factors: &[usize], elem_bytes: usize, fix: &str) -> Result<u64> {
    factors
        .iter()
        .try_fold(elem_bytes as u64, |acc, &f| acc.checked_mul(f as u64))
        .ok_or_else(|| too_large(what, factors, None, None, fix))
}

/// Refuse `factors` elements of `elem_bytes` each (the product of `factors` is the count, e.g.
/// `[rows, cols]`) that would overflow or exceed [`available`] memory; `what` names the
/// quantity and `fix` says what to change.
///
/// # Errors
/// [`Error::OutOfMemory`] naming `what`, its shape, its size, the memory available and `fix`.
///
/// ```
/// use attractor::memory;
/// let e = memory::check("Gram matrix", &[usize::MAX, 2], 8, "use fewer atoms").unwrap_err();
/// assert!(e.to_string().contains("Gram matrix"));
/// memory::check("a small vector", &[10], 8, "").unwrap();
/// ```
pub fn check(what: &str, factors: &[usize], elem_bytes: usize, fix: &str) -> Result<()> {
    let bytes = bytes_of(what, factors, elem_bytes, fix)?;
    check_bytes(what, factors, bytes, fix)
}

/// [`check`] for a request already counted in bytes (the sum of an operation's buffers);
/// `factors` are only shown in the message.
///
/// # Errors
/// [`Error::OutOfMemory`] when `bytes` exceeds the memory available.
pub fn check_bytes(what: &str, factors: &[usize], bytes: u64, fix: &str) -> Result<()> {
    if bytes < SMALL_REQUEST {
        return Ok(());
    }
    match available()? {
        Some(avail) if bytes > avail.bytes => {
            Err(too_large(what, factors, Some(bytes), Some(avail), fix))
        }
        _ => Ok(()),
    }
}

/// A `Vec` of `n` copies of `value`, checked against [`available`] memory and allocated with
/// `try_reserve`, so that a failed allocation is an error and not an abort.
///
/// # Errors
/// [`Error::OutOfMemory`] when the request cannot fit or the allocation fails.
pub fn try_vec<T: Clone>(what: &str, n: usize, value: T, fix: &str) -> Result<Vec<T>> {
    let mut v = try_with_capacity(what, n, fix)?;
    v.resize(n, value);
    Ok(v)
}

/// An empty `Vec` with room for `n` elements, checked and reserved as in [`try_vec`].
///
/// # Errors
/// [`Error::OutOfMemory`] when the request cannot fit or the allocation fails.
pub fn try_with_capacity<T>(what: &str, n: usize, fix: &str) -> Result<Vec<T>> {
    check(what, &[n], std::mem::size_of::<T>().max(1), fix)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| failed(what, &[n], std::mem::size_of::<T>(), fix))?;
    Ok(v)
}

/// A `rows × cols` matrix of zeros, checked against [`available`] memory and allocated through
/// faer's fallible `try_reserve`.
///
/// # Errors
/// [`Error::OutOfMemory`] when the request cannot fit or the allocation fails.
pub fn try_zeros(what: &str, rows: usize, cols: usize, fix: &str) -> Result<Mat<f64>> {
    check(what, &[rows, cols], 8, fix)?;
    let mut m = Mat::<f64>::new();
    m.try_reserve(rows, cols)
        .map_err(|_| failed(what, &[rows, cols], 8, fix))?;
    m.resize_with(rows, cols, |_, _| 0.0);
    Ok(m)
}

/// The error for an allocation of `factors` elements of `elem_bytes` each that failed when it
/// was made (after passing [`check`]): the same [`Error::OutOfMemory`], with the memory now
/// available.
pub fn failed(what: &str, factors: &[usize], elem_bytes: usize, fix: &str) -> Error {
    let bytes = factors
        .iter()
        .fold(elem_bytes as u64, |acc, &f| acc.saturating_mul(f as u64));
    too_large(what, factors, Some(bytes), available().ok().flatten(), fix)
}

/// Parse a size as people write it: plain bytes (`"1048576"`), or a number with a suffix `K`,
/// `M`, `G`, `T` (powers of 1024; `KB`/`KiB` and lower case accepted), e.g. `"8G"`, `"1.5GiB"`.
///
/// # Errors
/// When `text` is not such a size or is zero; the message names `name`.
///
/// ```
/// use attractor::memory::parse_size;
/// assert_eq!(parse_size("cap", "8G").unwrap(), 8 << 30);
/// assert_eq!(parse_size("cap", "512m").unwrap(), 512 << 20);
/// assert!(parse_size("cap", "lots").is_err());
/// ```
pub fn parse_size(name: &str, text: &str) -> Result<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => u32::MAX,
    };
    let value: Option<f64> = num.parse().ok();
    match value {
        Some(v) if shift != u32::MAX && v.is_finite() && v > 0.0 => {
            let bytes = v * (1u64 << shift) as f64;
            if bytes >= 1.0 && bytes < u64::MAX as f64 {
                return Ok(bytes as u64);
            }
        }
        _ => {}
    }
    Err(Error::invalid(
        name,
        format!("{text:?}"),
        "give a size in bytes, optionally with a suffix K, M, G or T (powers of 1024), e.g. \"8G\"",
    ))
}

/// `bytes` as people read it ("7.2 GiB", "512 MiB", "300 B").
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// The error for a request of `bytes` (or more than 2^64 bytes when `None`) that cannot fit.
fn too_large(
    what: &str,
    factors: &[usize],
    bytes: Option<u64>,
    avail: Option<Available>,
    fix: &str,
) -> Error {
    let shape = factors
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join(" x ");
    let needs = bytes.map_or("more than 2^64 bytes".to_string(), human);
    let room = match avail {
        Some(a) => format!("{} is available ({})", human(a.bytes), a.source),
        None => "no process can hold that".to_string(),
    };
    let fix = if fix.is_empty() {
        "use a smaller problem".to_string()
    } else {
        fix.to_string()
    };
    Error::OutOfMemory {
        what: what.to_string(),
        shape: crate::error::shorten(&shape, 64),
        needs,
        room,
        fix,
    }
}

/// The process's own figure `key` (in kB) from `/proc/self/status`, in bytes.
fn status_field(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    kb_field(&text, key)
}

/// `key  N kB` from a `/proc` table, in bytes.
fn kb_field(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line[key.len()..].split_whitespace().next()?.parse().ok()?;
    kb.checked_mul(1024)
}

/// `MemAvailable + SwapFree` of `/proc/meminfo`.
fn meminfo_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let avail = kb_field(&text, "MemAvailable:").or_else(|| kb_field(&text, "MemFree:"))?;
    Some(avail.saturating_add(kb_field(&text, "SwapFree:").unwrap_or(0)))
}

/// The soft `RLIMIT_AS` from `/proc/self/limits`, when set.
fn address_space_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max address space"))?;
    line["Max address space".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The cgroup's memory limit and usage, and the cgroup version, when a limit is set.
fn cgroup() -> Option<(u64, u64, &'static str)> {
    let read = |p: &str| -> Option<u64> { std::fs::read_to_string(p).ok()?.trim().parse().ok() };
    // v2: the process's own group (from /proc/self/cgroup), else the root of the mount
    let own = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("0::")
                    .map(|p| p.trim_end_matches('/').to_string())
            })
        })
        .unwrap_or_default();
    for dir in [format!("/sys/fs/cgroup{own}"), "/sys/fs/cgroup".to_string()] {
        if let Some(max) = read(&format!("{dir}/memory.max")) {
            let used = read(&format!("{dir}/memory.current")).unwrap_or(0);
            return Some((max, used, "v2"));
        }
    }
    let max = read("/sys/fs/cgroup/memory/memory.limit_in_bytes")?;
    // v1 reports "no limit" as a number near 2^63
    if max >= 1 << 60 {
        return None;
    }
    let used = read("/sys/fs/cgroup/memory/memory.usage_in_bytes").unwrap_or(0);
    Some((max, used, "v1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_size("x", "1024").unwrap(), 1024);
        assert_eq!(parse_size("x", "1.5GiB").unwrap(), 3 << 29);
        assert_eq!(parse_size("x", " 2 t ").unwrap(), 2 << 40);
        for bad in ["", "0", "-1G", "1Q", "inf", "G"] {
            let e = parse_size("ATTRACTOR_MAX_MEMORY", bad)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("ATTRACTOR_MAX_MEMORY") && e.contains("8G"),
                "{e}"
            );
        }
        assert_eq!(human(300), "300 B");
        assert_eq!(human(7_200_000_000), "6.7 GiB");
    }

    #[test]
    fn overflow_is_an_error_naming_the_quantity() {
        let e = check("Gram matrix", &[1 << 40, 1 << 40], 8, "use fewer atoms")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Gram matrix") && e.contains("2^64") && e.contains("use fewer atoms"),
            "{e}"
        );
    }

    #[test]
    fn a_request_larger_than_the_machine_is_refused() {
        // 2^60 bytes fit no machine this test runs on
        let e = try_zeros("W", 1 << 30, 1 << 27, "use fewer units").unwrap_err();
        assert!(matches!(e, Error::OutOfMemory { .. }), "{e:?}");
        let m = e.to_string();
        assert!(
            m.contains("W (1073741824 x 134217728)") && m.contains("available"),
            "{m}"
        );
        assert_eq!(try_vec("v", 3, 1.0, "").unwrap(), vec![1.0; 3]);
        assert_eq!(try_zeros("m", 2, 3, "").unwrap().ncols(), 3);
    }
}
