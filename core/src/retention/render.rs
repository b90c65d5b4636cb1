//! A plan for people and programs: Markdown (a CI job summary), a text table
//! (a terminal), JSON (the plan itself) and NDJSON (one line per action).

use std::fmt::Write;
use std::str::FromStr;

use serde_json::json;

use super::plan::{Action, PackagePlan, PackageStatus, Plan, Verdict};
use crate::error::{Error, Result};

/// A rendering of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Render {
    /// Markdown, ready for `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// A plain text table.
    Table,
    /// The plan as JSON (what `Plan::from_json` reads back).
    Json,
    /// JSON Lines: a `plan` line, one `action` line per version, `warning`
    /// lines and a `totals` line.
    Ndjson,
}

impl FromStr for Render {
    type Err = Error;
    fn from_str(s: &str) -> Result<Render> {
        match s.to_ascii_lowercase().as_str() {
            "markdown" | "md" => Ok(Render::Markdown),
            "table" | "text" => Ok(Render::Table),
            "json" => Ok(Render::Json),
            "ndjson" | "jsonl" => Ok(Render::Ndjson),
            _ => Err(Error::invalid(format!(
                "unknown rendering {s:?}; expected markdown, table, json or ndjson"
            ))),
        }
    }
}

impl Plan {
    /// The plan rendered as `how`.
    pub fn render(&self, how: Render) -> String {
        match how {
            Render::Markdown => markdown(self),
            Render::Table => table(self),
            Render::Json => self.to_json(),
            Render::Ndjson => ndjson(self),
        }
    }
}

fn short(digest: &str) -> String {
    match digest.strip_prefix("sha256:") {
        Some(hex) if hex.len() > 12 => format!("sha256:{}…", &hex[..12]),
        _ => digest.to_owned(),
    }
}

fn reasons(a: &Action) -> String {
    a.reasons
        .iter()
        .map(|r| {
            let mut s = r.code.clone();
            if let Some(rule) = &r.rule {
                let _ = write!(s, " ({rule})");
            }
            if let Some(d) = &r.detail {
                let _ = write!(s, ": {d}");
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Keep => "keep",
        Verdict::Delete => "delete",
        Verdict::Untag => "untag",
    }
}

fn kind(a: &Action) -> String {
    let k = serde_json::to_value(a.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    match &a.platform {
        Some(p) => format!("{k} {p}"),
        None => k,
    }
}

fn status(p: &PackagePlan) -> String {
    match (&p.status, &p.blocked, &p.package_action) {
        (PackageStatus::Blocked, Some(r), _) => format!("blocked: {}", r.code),
        (_, _, Some(action)) => action.replace('_', " "),
        _ => "ok".into(),
    }
}

/// Escapes `|` so a cell cannot break a Markdown table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(plan: &Plan) -> String {
    let t = &plan.totals;
    let mut out = String::new();
    let owner = plan
        .target
        .owner
        .as_deref()
        .unwrap_or("the authenticated user");
    let _ = writeln!(out, "## ghpkg retention plan `{}`\n", plan.id);
    let _ = writeln!(
        out,
        "{} {} package{} of **{owner}** on {} at {} (policy `{}`{}).\n",
        t.packages,
        plan.policy.package_type,
        if t.packages == 1 { "" } else { "s" },
        plan.target.base_url,
        plan.now.format("%Y-%m-%d %H:%M:%S UTC"),
        &plan.policy_hash[..plan.policy_hash.len().min(19)],
        plan.target
            .registry
            .as_deref()
            .map(|r| format!(", registry {r}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "**{} to delete**, {} to untag, {} kept{}; about {} s to apply.\n",
        t.delete,
        t.untag,
        t.keep,
        if t.blocked > 0 {
            format!(
                ", **{} package{} blocked**",
                t.blocked,
                if t.blocked == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        },
        t.eta_seconds
    );
    out.push_str(
        "| package | versions | keep | delete | untag | status |\n|---|---:|---:|---:|---:|---|\n",
    );
    for p in &plan.packages {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&p.name),
            p.listing.versions,
            p.summary.keep,
            p.summary.delete,
            p.summary.untag,
            status(p)
        );
    }
    for p in &plan.packages {
        if let (PackageStatus::Blocked, Some(r)) = (&p.status, &p.blocked) {
            let _ = writeln!(
                out,
                "\n### {} is blocked: nothing in it is deleted\n\n`{}`: {}",
                cell(&p.name),
                r.code,
                cell(r.detail.as_deref().unwrap_or(""))
            );
            continue;
        }
        let (changed, kept): (Vec<&Action>, Vec<&Action>) =
            p.actions.iter().partition(|a| a.action != Verdict::Keep);
        if !changed.is_empty() {
            let _ = writeln!(
                out,
                "\n### {}: {} to change\n",
                cell(&p.name),
                changed.len()
            );
            out.push_str(
                "| # | version | tags | kind | action | why |\n|---:|---|---|---|---|---|\n",
            );
            for a in &changed {
                let _ = writeln!(
                    out,
                    "| {} | {} `{}` | {} | {} | {} | {} |",
                    a.order.map(|o| o.to_string()).unwrap_or_default(),
                    a.version_id,
                    short(&a.name),
                    cell(&a.tags.join(", ")),
                    kind(a),
                    verdict(a.action),
                    cell(&reasons(a))
                );
            }
        }
        if !kept.is_empty() {
            let _ = writeln!(
                out,
                "\n<details><summary>{}: {} kept</summary>\n\n| version | tags | kind | why |\n|---|---|---|---|",
                cell(&p.name),
                kept.len()
            );
            for a in &kept {
                let _ = writeln!(
                    out,
                    "| {} `{}` | {} | {} | {} |",
                    a.version_id,
                    short(&a.name),
                    cell(&a.tags.join(", ")),
                    kind(a),
                    cell(&reasons(a))
                );
            }
            out.push_str("\n</details>\n");
        }
    }
    if !plan.warnings.is_empty() {
        out.push_str("\n### Warnings\n\n");
        for w in &plan.warnings {
            let at = match (&w.package, w.version_id) {
                (Some(p), Some(v)) => format!(" ({p} {v})"),
                (Some(p), None) => format!(" ({p})"),
                _ => String::new(),
            };
            let _ = writeln!(out, "- `{}`{}: {}", w.code, cell(&at), cell(&w.detail));
        }
    }
    if !plan.edits.is_empty() {
        let _ = writeln!(
            out,
            "\n{} review edit(s) kept versions the policy would delete.",
            plan.edits.len()
        );
    }
    out
}

fn table(plan: &Plan) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "PACKAGE".into(),
        "VERSION".into(),
        "ACTION".into(),
        "KIND".into(),
        "TAGS".into(),
        "WHY".into(),
    ]];
    for p in &plan.packages {
        if let (PackageStatus::Blocked, Some(r)) = (&p.status, &p.blocked) {
            rows.push([
                p.name.clone(),
                "*".into(),
                "blocked".into(),
                String::new(),
                String::new(),
                format!("{}: {}", r.code, r.detail.as_deref().unwrap_or("")),
            ]);
            continue;
        }
        for a in &p.actions {
            rows.push([
                p.name.clone(),
                a.version_id.to_string(),
                match a.order {
                    Some(o) => format!("{} #{o}", verdict(a.action)),
                    None => verdict(a.action).into(),
                },
                kind(a),
                a.tags.join(","),
                reasons(a),
            ]);
        }
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        for (c, w) in widths.iter().enumerate() {
            let _ = write!(out, "{:<w$}  ", r[c], w = *w);
        }
        out.push_str(&r[5]);
        out.push('\n');
    }
    let t = &plan.totals;
    let _ = writeln!(
        out,
        "\n{} to delete, {} to untag, {} kept, {} of {} package{} blocked; plan {}",
        t.delete,
        t.untag,
        t.keep,
        t.blocked,
        t.packages,
        if t.packages == 1 { "" } else { "s" },
        plan.id
    );
    out
}

fn ndjson(plan: &Plan) -> String {
    let mut lines = vec![json!({
        "type": "plan", "id": plan.id, "now": plan.now, "policy_hash": plan.policy_hash,
        "target": plan.target,
    })];
    for p in &plan.packages {
        lines.push(json!({
            "type": "package", "package": p.name, "status": p.status, "blocked": p.blocked,
            "package_action": p.package_action, "summary": p.summary,
        }));
        for a in &p.actions {
            let mut v = serde_json::to_value(a).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("type".into(), json!("action"));
                o.insert("package".into(), json!(p.name));
            }
            lines.push(v);
        }
    }
    for w in &plan.warnings {
        let mut v = serde_json::to_value(w).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("type".into(), json!("warning"));
        }
        lines.push(v);
    }
    lines.push(json!({"type": "totals", "totals": plan.totals}));
    let mut out = String::new();
    for l in lines {
        out.push_str(&l.to_string());
        out.push('\n');
    }
    out
}
