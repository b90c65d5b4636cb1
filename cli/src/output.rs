//! Output: tables for people, JSON and NDJSON for programs.

use std::io::{BufWriter, Write};

use clap::ValueEnum;
use serde::Serialize;
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
/// dotted path each) for tables. JSON is written straight from the rows,
/// through a buffer, with no copy of the whole document in memory.
pub(crate) fn print<T: Serialize>(
    rows: &[T],
    format: Format,
    columns: &[(&str, &str)],
    single: bool,
) {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let _ = match format {
        Format::Json if single && rows.len() == 1 => {
            serde_json::to_writer_pretty(&mut out, &rows[0]).map_err(std::io::Error::from)
        }
        Format::Json => serde_json::to_writer_pretty(&mut out, rows).map_err(std::io::Error::from),
        Format::Ndjson => rows
            .iter()
            .try_for_each(|r| ndjson_line(&mut out, r).map_err(std::io::Error::from)),
        Format::Table => out.write_all(table(rows, columns).as_bytes()),
    }
    .and_then(|()| {
        if format == Format::Json {
            out.write_all(b"\n")?;
        }
        out.flush()
    });
}

/// One object as a line of NDJSON.
fn ndjson_line<T: Serialize>(out: &mut impl Write, row: &T) -> serde_json::Result<()> {
    serde_json::to_writer(&mut *out, row)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}

/// Prints a listing as `format`. NDJSON goes out page by page as the
/// pages arrive, so a consumer sees the first page while the rest is
/// fetched and no page is kept; after an error the lines already printed
/// stay, and the command exits 1: the listing is incomplete. When stdout is
/// closed (`| head`), the listing stops and fetches no more pages. JSON and
/// tables need the whole listing first, and print nothing after an error.
pub(crate) async fn print_listing<T: Serialize + Send + 'static>(
    mut listing: ghpkg::Listing<T>,
    format: Format,
    columns: &[(&str, &str)],
) -> ghpkg::Result<()> {
    if format != Format::Ndjson {
        print(&listing.collect_all().await?, format, columns, false);
        return Ok(());
    }
    while let Some(page) = listing.next_page().await {
        let mut lines = Vec::new();
        for item in &page? {
            // Writing to a Vec fails only if serializing does, which the
            // models never do.
            let _ = ndjson_line(&mut lines, item);
        }
        let mut out = std::io::stdout().lock();
        if out.write_all(&lines).and_then(|()| out.flush()).is_err() {
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

fn table<T: Serialize>(rows: &[T], columns: &[(&str, &str)]) -> String {
    let mut grid: Vec<Vec<String>> = vec![columns.iter().map(|(h, _)| (*h).to_owned()).collect()];
    for r in rows {
        let r = serde_json::to_value(r).unwrap_or(Value::Null);
        grid.push(columns.iter().map(|(_, p)| cell(&r, p)).collect());
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
