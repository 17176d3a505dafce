//! Address ranges in `ipRanges`: `iPv4Range` / `iPv6Range`, a lower and an upper address.
//! Older tools wrote them and Graph still returns them, but named locations take CIDR ranges
//! only (the scope note on `iPv4Range` in graph-metadata.json). The state shows one as
//! `lower-upper` in `ip_ranges`, so that a configuration can keep it as it is and plan clean;
//! the provider never writes one: an update leaves `ipRanges` out while the ranges stay the
//! same, and a plan that changes them must give these as CIDRs instead.

use crate::graph::models::{IpRange, NamedLocation};
use crate::plugin::diag::Diagnostics;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The smallest prefix length Entra takes ("greater than /8").
const MIN_PREFIX: u32 = 9;

/// How the state shows an `ipRanges` item: the CIDR, or `lower-upper` for an address range.
pub(crate) fn render(r: &IpRange) -> String {
    match &r.cidr_address {
        Some(cidr) => cidr.clone(),
        None => format!(
            "{}-{}",
            r.lower_address.as_deref().unwrap_or_default(),
            r.upper_address.as_deref().unwrap_or_default()
        ),
    }
}

/// An `ip_ranges` entry written `lower-upper`: `None` when `s` is no address range (it has no
/// `-`), else its two addresses or why they make no range.
pub(crate) fn parse(s: &str) -> Option<Result<(IpAddr, IpAddr), String>> {
    let (lower, upper) = s.split_once('-')?;
    let address = |a: &str| {
        a.parse::<IpAddr>()
            .map_err(|_| format!("{s:?}: {a:?} is not an IPv4 or IPv6 address."))
    };
    Some((|| {
        let (l, u) = (address(lower)?, address(upper)?);
        if l.is_ipv4() != u.is_ipv4() {
            return Err(format!(
                "{s:?}: an address range must be IPv4 at both ends or IPv6 at both ends."
            ));
        }
        if l > u {
            return Err(format!(
                "{s:?}: the lower address comes after the upper one."
            ));
        }
        Ok((l, u))
    })())
}

/// The address ranges among `ip_ranges` entries.
pub(crate) fn address_ranges<'a>(entries: &[&'a str]) -> Vec<&'a str> {
    entries
        .iter()
        .copied()
        .filter(|e| parse(e).is_some())
        .collect()
}

/// The fewest CIDR ranges Entra takes (prefixes from /9) that cover `lower..=upper` exactly:
/// what to write instead of an address range.
pub(crate) fn as_cidrs(lower: IpAddr, upper: IpAddr) -> Vec<String> {
    let (bits, mut start, end) = match (lower, upper) {
        (IpAddr::V4(l), IpAddr::V4(u)) => (32, u128::from(u32::from(l)), u128::from(u32::from(u))),
        (IpAddr::V6(l), IpAddr::V6(u)) => (128, u128::from(l), u128::from(u)),
        // Mixed families make no range (`parse` refuses them).
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    loop {
        // The largest block that starts at `start`, aligned, within the range and Entra's /9.
        let mut size = start.trailing_zeros().min(bits - MIN_PREFIX);
        while size > 0 && start + ((1u128 << size) - 1) > end {
            size -= 1;
        }
        let address = if bits == 32 {
            IpAddr::V4(Ipv4Addr::from(start as u32))
        } else {
            IpAddr::V6(Ipv6Addr::from(start))
        };
        out.push(format!("{address}/{}", bits - size));
        let last = start + ((1u128 << size) - 1);
        if last >= end {
            return out;
        }
        start = last + 1;
    }
}

/// What to write instead of the `lower-upper` entry `s`, for messages.
pub(crate) fn suggestion(s: &str) -> String {
    match parse(s) {
        Some(Ok((l, u))) => format!("{s} as {}", as_cidrs(l, u).join(", ")),
        _ => s.to_string(),
    }
}

/// What a refresh tells the user about a location holding address ranges; nothing otherwise.
pub(crate) fn warning(loc: &NamedLocation) -> Diagnostics {
    let mut d = Diagnostics::default();
    let found: Vec<String> = loc
        .ip_ranges
        .iter()
        .flatten()
        .filter(|r| r.cidr_address.is_none())
        .map(render)
        .collect();
    if found.is_empty() {
        return d;
    }
    let instead: Vec<String> = found.iter().map(|r| suggestion(r)).collect();
    d.push_warning(
        format!(
            "Named location \"{}\" holds address ranges",
            loc.display_name.as_deref().unwrap_or(&loc.id)
        ),
        format!(
            "Graph returns {} as address ranges (iPv4Range/iPv6Range), which older tools wrote; named locations take CIDR ranges only. The state shows each as lower-upper in ip_ranges: keep it so in the configuration and the location plans clean, and updates leave the ranges as they are. To change the ranges, write each as CIDRs instead: {}.",
            found.join(", "),
            instead.join("; ")
        ),
    );
    d
}
