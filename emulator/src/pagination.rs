//! `page`/`per_page` handling and GitHub-style `link` headers.

/// The most items any listing can reach by paging (list packages only).
pub(crate) const MAX_REACHABLE: u64 = 10_000;

/// Validated paging parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Paging {
    pub page: u64,
    pub per_page: u64,
}

/// Reads `page` (default 1) and `per_page` (default 30, clamped to 100).
/// `Err` carries a validation message for values that are not positive integers.
pub(crate) fn parse(query: &[(String, String)]) -> Result<Paging, String> {
    let mut paging = Paging {
        page: 1,
        per_page: 30,
    };
    for (k, v) in query {
        let target = match k.as_str() {
            "page" => &mut paging.page,
            "per_page" => &mut paging.per_page,
            _ => continue,
        };
        match v.trim().parse::<u64>() {
            Ok(n) if n >= 1 => *target = n,
            _ => {
                return Err(format!(
                "Invalid request.\n\nInvalid value for \"{k}\": {v:?} is not a positive integer."
            ))
            }
        }
    }
    paging.per_page = paging.per_page.min(100);
    Ok(paging)
}

/// The number of the last page for `total` items (at least 1), capped so that
/// `page * per_page` stays within `reachable` when given.
pub(crate) fn last_page(total: u64, per_page: u64, reachable: Option<u64>) -> u64 {
    let mut last = total.div_ceil(per_page).max(1);
    if let Some(limit) = reachable {
        last = last.min((limit / per_page).max(1));
    }
    last
}

/// The slice of `items` on the requested page.
pub(crate) fn slice<T>(items: &[T], p: Paging) -> &[T] {
    let start = (p.page - 1).saturating_mul(p.per_page);
    let start = usize::try_from(start)
        .unwrap_or(usize::MAX)
        .min(items.len());
    let end = start.saturating_add(p.per_page as usize).min(items.len());
    &items[start..end]
}

/// Builds a `link` header value, GitHub's order: prev, next, last, first.
/// Returns `None` when everything fits on page 1. With `loop_to_first`, `next`
/// always points at page 1 (a broken server that would make a client loop).
pub(crate) fn link_header(
    base: &str,
    raw_query: Option<&str>,
    p: Paging,
    last: u64,
    loop_to_first: bool,
) -> Option<String> {
    let url = |page: u64| page_url(base, raw_query, page);
    let mut parts = Vec::new();
    if p.page > 1 {
        parts.push(format!("<{}>; rel=\"prev\"", url(p.page - 1)));
    }
    if loop_to_first {
        parts.push(format!("<{}>; rel=\"next\"", url(1)));
    } else if p.page < last {
        parts.push(format!("<{}>; rel=\"next\"", url(p.page + 1)));
    }
    if p.page < last {
        parts.push(format!("<{}>; rel=\"last\"", url(last)));
    }
    if p.page > 1 {
        parts.push(format!("<{}>; rel=\"first\"", url(1)));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// `base` with the original query, its `page` parameter replaced by `page`.
fn page_url(base: &str, raw_query: Option<&str>, page: u64) -> String {
    let mut params: Vec<&str> = raw_query
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty() && kv.split('=').next() != Some("page"))
        .collect();
    let page_param = format!("page={page}");
    params.push(&page_param);
    format!("{base}?{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_and_clamping() {
        assert_eq!(
            parse(&[]).unwrap(),
            Paging {
                page: 1,
                per_page: 30
            }
        );
        assert_eq!(parse(&q(&[("per_page", "500")])).unwrap().per_page, 100);
        assert!(parse(&q(&[("page", "0")])).is_err());
        assert!(parse(&q(&[("per_page", "x")])).is_err());
    }

    #[test]
    fn last_page_respects_reachable_limit() {
        assert_eq!(last_page(0, 30, None), 1);
        assert_eq!(last_page(261, 100, None), 3);
        assert_eq!(last_page(20_000, 100, Some(10_000)), 100);
        assert_eq!(last_page(20_000, 30, Some(10_000)), 333);
    }

    #[test]
    fn links_keep_other_params() {
        let p = Paging {
            page: 2,
            per_page: 10,
        };
        let h = link_header(
            "http://h/x",
            Some("package_type=npm&page=2&per_page=10"),
            p,
            3,
            false,
        )
        .unwrap();
        assert_eq!(
            h,
            "<http://h/x?package_type=npm&per_page=10&page=1>; rel=\"prev\", \
             <http://h/x?package_type=npm&per_page=10&page=3>; rel=\"next\", \
             <http://h/x?package_type=npm&per_page=10&page=3>; rel=\"last\", \
             <http://h/x?package_type=npm&per_page=10&page=1>; rel=\"first\""
        );
        assert_eq!(
            link_header(
                "http://h/x",
                None,
                Paging {
                    page: 1,
                    per_page: 30
                },
                1,
                false
            ),
            None
        );
    }
}
