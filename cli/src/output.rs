//! Output: tables for people, JSON and NDJSON for programs.

use std::io::Write;

use clap::ValueEnum;
use serde_json::Value;

/// How listings and objects are printed.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Format {
    /// Aligned columns.
    #[default]
    Table,
    /// One JSON document (an array for listings).
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// Prints `rows` (GitHub's JSON objects) as `format`, with `columns` (a
/// dotted path each) for tables.
pub(crate) fn print(rows: &[Value], format: Format, columns: &[(&str, &str)], single: bool) {
    let mut out = std::io::stdout().lock();
    let _ = match format {
        Format::Json if single && rows.len() == 1 => {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&rows[0]).unwrap_or_default()
            )
        }
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(rows).unwrap_or_default()
        ),
        Format::Ndjson => rows.iter().try_for_each(|r| writeln!(out, "{r}")),
        Format::Table => write!(out, "{}", table(rows, columns)),
    };
}

/// Prints a listing as `format`. NDJSON goes out page by page as the
/// pages arrive, so a consumer sees the first page while the rest is
/// fetched and no page is kept; after an error the lines already printed
/// stay, and the command exits 1: the listing is incomplete. When stdout is
/// closed (`| head`), the listing stops and fetches no more pages. JSON and
/// tables need the whole listing first, and print nothing after an error.
pub(crate) async fn print_listing<T: Send + 'static>(
    mut listing: ghpkg::Listing<T>,
    format: Format,
    columns: &[(&str, &str)],
    json: fn(&T) -> Value,
    json_text: fn(&T) -> String,
) -> ghpkg::Result<()> {
    if format != Format::Ndjson {
        let rows: Vec<Value> = listing.collect_all().await?.iter().map(json).collect();
        print(&rows, format, columns, false);
        return Ok(());
    }
    while let Some(page) = listing.next_page().await {
        let mut lines = String::new();
        for item in &page? {
            lines.push_str(&json_text(item));
            lines.push('\n');
        }
        let mut out = std::io::stdout().lock();
        if out
            .write_all(lines.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            break;
        }
    }
    Ok(())
}

fn cell(v: &Value, path: &str) -> String {
    let mut cur = v;
    for part in path.split('.') {
        match cur.get(part) {
            Some(next) => cur = next,
            None => return String::new(),
        }
    }
    match cur {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

fn table(rows: &[Value], columns: &[(&str, &str)]) -> String {
    let mut grid: Vec<Vec<String>> = vec![columns.iter().map(|(h, _)| (*h).to_owned()).collect()];
    for r in rows {
        grid.push(columns.iter().map(|(_, p)| cell(r, p)).collect());
    }
    let widths: Vec<usize> = (0..columns.len())
        .map(|c| {
            grid.iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for row in grid {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}", w = *w))
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_align_and_read_nested_fields() {
        let rows = vec![
            json!({"id": 1, "name": "api/server", "owner": {"login": "acme"}, "tags": ["a", "b"]}),
            json!({"id": 22, "name": "web", "owner": null, "tags": []}),
        ];
        let t = table(
            &rows,
            &[
                ("ID", "id"),
                ("NAME", "name"),
                ("OWNER", "owner.login"),
                ("TAGS", "tags"),
            ],
        );
        assert_eq!(
            t,
            "ID  NAME        OWNER  TAGS\n1   api/server  acme   a,b\n22  web\n"
        );
    }
}
