package ghpkg

/*
#include <stdlib.h>
#include "ghpkg.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"os"
	"time"
	"unsafe"
)

// Retention cleans up a registry by policy, safely: [Retention.Plan] reads
// the registry and says what would go and why; [Retention.Apply] executes a
// reviewed plan, re-checking everything first and journaling every delete,
// so a run can be resumed and undone ([Retention.Undo]) within GitHub's
// 30-day restore window. The core owns the formats, the option names and
// defaults, and every check; this type converts. Get one with
// [Client.Retention]; it is safe for concurrent use.
type Retention struct {
	client *Client
}

// Retention is retention with this client's credentials, base URL,
// retries and rate-limit handling.
func (c *Client) Retention() *Retention { return &Retention{client: c} }

// PlanOptions say how a plan is made. The zero value is the default.
type PlanOptions struct {
	// Now is the instant ages are judged at (default: now). Pin it to make
	// the same plan again.
	Now time.Time `json:"now,omitzero"`
	// RegistryURL is the container registry to read manifests from
	// (default: the API host's, https://ghcr.io for github.com).
	RegistryURL string `json:"registry_url,omitempty"`
	// ManifestCache is a JSON Lines file that keeps manifests between plans.
	ManifestCache string `json:"manifest_cache,omitempty"`
}

// VerifyFailure is what a failed verify after a run does.
type VerifyFailure string

const (
	// VerifyFailureReport reports it (the run's status is failed); the default.
	VerifyFailureReport VerifyFailure = "report"
	// VerifyFailureUndoRun undoes the run, then reports.
	VerifyFailureUndoRun VerifyFailure = "undo_run"
)

// ApplyOptions say how a plan is applied. Journal is required; the rest
// has the core's defaults when zero.
type ApplyOptions struct {
	// Journal is the run's journal (JSON Lines): created if absent; an
	// existing journal of the same plan is resumed.
	Journal string `json:"journal"`
	// Deadline stops starting deletes after this long (whole seconds,
	// rounded up); the rest is deferred. 0: none.
	Deadline time.Duration `json:"deadline,omitzero"`
	// MaxDeletes deletes at most this many versions in this run (0 deletes
	// none); the rest is deferred. nil: no limit.
	MaxDeletes *int `json:"max_deletes,omitempty"`
	// DeletesPerMinute is the most deletes a minute (default 150; GitHub allows 180).
	DeletesPerMinute uint32 `json:"deletes_per_minute,omitempty"`
	// MaxPlanAge refuses a plan older than this (default 1h; whole seconds,
	// rounded up).
	MaxPlanAge time.Duration `json:"max_plan_age,omitzero"`
	// Verify checks afterwards that every kept tag still resolves with all
	// its children (nil: on for container packages).
	Verify *bool `json:"verify,omitempty"`
	// OnVerifyFailure is what a failed verify does (default VerifyFailureReport).
	OnVerifyFailure VerifyFailure `json:"on_verify_failure,omitempty"`
	// RequireFullBudget refuses to start when the primary rate limit cannot
	// cover every delete, instead of deferring what does not fit.
	RequireFullBudget bool `json:"require_full_budget,omitempty"`
	// RegistryURL is the container registry (default: the plan's).
	RegistryURL string `json:"registry_url,omitempty"`
}

// span writes a duration the way the core reads one: whole seconds,
// rounded up ("" for zero). The core refuses a negative one, naming the field.
func span(d time.Duration) string {
	if d == 0 {
		return ""
	}
	secs := d / time.Second
	if d%time.Second > 0 {
		secs++
	}
	return fmt.Sprintf("%ds", int64(secs))
}

// MarshalJSON writes the options as the core reads them (durations as "90s").
func (o ApplyOptions) MarshalJSON() ([]byte, error) {
	type plain ApplyOptions
	return json.Marshal(struct {
		plain
		Deadline   string `json:"deadline,omitempty"`
		MaxPlanAge string `json:"max_plan_age,omitempty"`
	}{plain(o), span(o.Deadline), span(o.MaxPlanAge)})
}

// UndoOptions say how a run is undone. The zero value is the default.
type UndoOptions struct {
	// DryRun only reports what would be restored (restorable, not_deleted,
	// expired) and changes nothing.
	DryRun bool `json:"dry_run,omitempty"`
	// Journal is the undo's own journal (default: the run's journal path
	// with ".undo.jsonl" appended).
	Journal string `json:"journal,omitempty"`
	// Packages restores only these packages (nil or empty: all).
	Packages []string `json:"packages,omitempty"`
	// VersionIDs restores only these versions (nil or empty: all).
	VersionIDs []uint64 `json:"version_ids,omitempty"`
	// RestoresPerMinute is the most restores a minute (default 150).
	RestoresPerMinute uint32 `json:"restores_per_minute,omitempty"`
	// RegistryURL is the container registry to push removed tags back to
	// (default: the one the plan read).
	RegistryURL string `json:"registry_url,omitempty"`
}

// RenderFormat is a rendering of a plan.
type RenderFormat string

const (
	// RenderMarkdown is Markdown, ready for $GITHUB_STEP_SUMMARY.
	RenderMarkdown RenderFormat = "markdown"
	// RenderTable is a plain text table for a terminal.
	RenderTable RenderFormat = "table"
	// RenderJSON is the plan's JSON, what [ParsePlan] reads back.
	RenderJSON RenderFormat = "json"
	// RenderNDJSON is JSON Lines: a plan line, one action line per version,
	// warning lines and a totals line.
	RenderNDJSON RenderFormat = "ndjson"
)

// jsonText encodes v for the core; an error is the caller's (InvalidArgument).
func jsonText(what string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", localError(KindInvalidArgument, what+" cannot be encoded as JSON: "+err.Error())
	}
	return string(b), nil
}

// policyText is a policy as JSON text: a string, []byte or json.RawMessage
// is JSON already; anything else (a map, a struct) is encoded.
func policyText(policy any) (string, error) {
	switch p := policy.(type) {
	case nil:
		return "", localError(KindInvalidArgument, "the policy is nil")
	case string:
		return p, nil
	case []byte:
		return string(p), nil
	case json.RawMessage:
		return string(p), nil
	}
	return jsonText("the policy", policy)
}

// ReadPolicyFile reads a policy (JSON) from a file, for [Retention.Plan].
// The core checks it when planning. A file that cannot be read is a
// KindInvalidArgument error.
func ReadPolicyFile(path string) (json.RawMessage, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, localError(KindInvalidArgument, "cannot read the policy: "+err.Error())
	}
	return json.RawMessage(b), nil
}

// takeString copies a string the library handed out and frees it.
func takeString(p *C.char) string {
	defer C.ghpkg_string_free(p)
	return C.GoString(p)
}

// cjson calls f with the C copies of its string arguments and returns the
// JSON string f hands out.
func cjson(args []string, f func(cargs []*C.char, out **C.char, cerr **C.ghpkg_error) C.ghpkg_status) (string, error) {
	var cs cstrings
	defer cs.free()
	cargs := make([]*C.char, len(args))
	for i, a := range args {
		var err error
		if cargs[i], err = cs.add("argument", a); err != nil {
			return "", err
		}
	}
	var out *C.char
	var cerr *C.ghpkg_error
	if st := f(cargs, &out, &cerr); st != C.GHPKG_OK {
		return "", errorFrom(st, cerr)
	}
	return takeString(out), nil
}

// parsePlan decodes the plan JSON the core wrote.
func parsePlan(text string) (*Plan, error) {
	p := &Plan{}
	if err := json.Unmarshal([]byte(text), p); err != nil {
		return nil, localError(KindDecode, "the plan: "+err.Error())
	}
	return p, nil
}

// ParsePlan reads a saved plan (its JSON, e.g. from [Plan.JSON] or `ghpkg
// retention plan --out`). The core checks it: something that is not a plan,
// another format version, or a plan whose policy was edited by hand (it no
// longer matches policy_hash) is a KindInvalidArgument error.
func ParsePlan(data []byte) (*Plan, error) {
	text, err := cjson([]string{string(data), string(RenderJSON)}, func(a []*C.char, out **C.char, e **C.ghpkg_error) C.ghpkg_status {
		return C.ghpkg_retention_plan_render(a[0], a[1], out, e)
	})
	if err != nil {
		return nil, err
	}
	return parsePlan(text)
}

// Plan makes a plan: reads the packages the policy covers, their complete
// version listings and, for containers, every manifest. It sends only
// reads. policy is JSON (a string, []byte or json.RawMessage, e.g. from
// [ReadPolicyFile]) or a value encoded as JSON (a map or struct); opts may
// be nil.
//
// A policy the core refuses (an unknown field, a bad pattern or duration)
// is a KindInvalidArgument error naming the field, before any request. A
// package whose listing or manifests cannot all be read is blocked in the
// plan (Status PackageBlocked), not an error. When ctx ends first, Plan
// returns ctx.Err() at once and planning finishes in the background.
func (r *Retention) Plan(ctx context.Context, policy any, opts *PlanOptions) (*Plan, error) {
	ptext, err := policyText(policy)
	if err != nil {
		return nil, err
	}
	var o PlanOptions
	if opts != nil {
		o = *opts
	}
	if !o.Now.IsZero() {
		o.Now = o.Now.UTC()
	}
	otext, err := jsonText("the plan options", o)
	if err != nil {
		return nil, err
	}
	return blocking(ctx, func() (*Plan, error) {
		var text string
		err := r.client.use(func(p *C.ghpkg_client) error {
			var err error
			text, err = cjson([]string{ptext, otext}, func(a []*C.char, out **C.char, e **C.ghpkg_error) C.ghpkg_status {
				return C.ghpkg_retention_plan(p, a[0], a[1], out, e)
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		return parsePlan(text)
	})
}

// text is the plan as JSON for the core.
func (p *Plan) text() (string, error) {
	if p == nil {
		return "", localError(KindInvalidArgument, "the plan is nil")
	}
	return jsonText("the plan", p)
}

// Render renders the plan as format. The core checks the plan first.
func (p *Plan) Render(format RenderFormat) (string, error) {
	text, err := p.text()
	if err != nil {
		return "", err
	}
	return cjson([]string{text, string(format)}, func(a []*C.char, out **C.char, e **C.ghpkg_error) C.ghpkg_status {
		return C.ghpkg_retention_plan_render(a[0], a[1], out, e)
	})
}

// JSON is the plan as the core writes it: the same bytes in every
// language (two-space indented, no trailing newline).
func (p *Plan) JSON() ([]byte, error) {
	s, err := p.Render(RenderJSON)
	return []byte(s), err
}

// Deletion is one planned change: a delete or an untag of a version of a package.
type Deletion struct {
	Package *PackagePlan
	Action  *Action
}

// Deletions are the plan's planned changes, deletions and untags, in apply
// order (the core's order), pointing into p.
func (p *Plan) Deletions() ([]Deletion, error) {
	text, err := p.text()
	if err != nil {
		return nil, err
	}
	list, err := cjson([]string{text}, func(a []*C.char, out **C.char, e **C.ghpkg_error) C.ghpkg_status {
		return C.ghpkg_retention_plan_deletions(a[0], out, e)
	})
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Package string `json:"package"`
		Action  struct {
			VersionID uint64 `json:"version_id"`
		} `json:"action"`
	}
	if err := json.Unmarshal([]byte(list), &rows); err != nil {
		return nil, localError(KindDecode, "the plan's deletions: "+err.Error())
	}
	out := make([]Deletion, 0, len(rows))
	for _, row := range rows {
		d, ok := p.find(row.Package, row.Action.VersionID)
		if !ok {
			return nil, localError(KindDecode, fmt.Sprintf("the plan has no version %d of %s", row.Action.VersionID, row.Package))
		}
		out = append(out, d)
	}
	return out, nil
}

func (p *Plan) find(pkg string, id uint64) (Deletion, bool) {
	for i := range p.Packages {
		pp := &p.Packages[i]
		if pp.Name != pkg {
			continue
		}
		for j := range pp.Actions {
			if pp.Actions[j].VersionID == id {
				return Deletion{Package: pp, Action: &pp.Actions[j]}, true
			}
		}
	}
	return Deletion{}, false
}

// WithoutVersions is a review edit: the plan with the deletions of ids
// turned into keeps, and what those versions hold alive (an index's
// children, an image's signatures) kept too; each edit is recorded. An id
// that is not a planned deletion is a KindInvalidArgument error: a review
// can only keep more.
func (p *Plan) WithoutVersions(ids ...uint64) (*Plan, error) {
	text, err := p.text()
	if err != nil {
		return nil, err
	}
	out, err := cjson([]string{text}, func(a []*C.char, out **C.char, e **C.ghpkg_error) C.ghpkg_status {
		if len(ids) == 0 {
			return C.ghpkg_retention_plan_without_versions(a[0], nil, 0, out, e)
		}
		cids := C.malloc(C.size_t(len(ids)) * C.size_t(unsafe.Sizeof(C.uint64_t(0))))
		defer C.free(cids)
		arr := unsafe.Slice((*C.uint64_t)(cids), len(ids))
		for i, id := range ids {
			arr[i] = C.uint64_t(id)
		}
		return C.ghpkg_retention_plan_without_versions(a[0], (*C.uint64_t)(cids), C.size_t(len(ids)), out, e)
	})
	if err != nil {
		return nil, err
	}
	return parsePlan(out)
}

// OnlyPackages is a review edit: the plan with every deletion outside
// packages turned into a keep, recorded as edits.
func (p *Plan) OnlyPackages(packages ...string) (*Plan, error) {
	text, err := p.text()
	if err != nil {
		return nil, err
	}
	out, err := cjson(append([]string{text}, packages...), func(a []*C.char, out **C.char, e **C.ghpkg_error) C.ghpkg_status {
		names := a[1:]
		if len(names) == 0 {
			return C.ghpkg_retention_plan_only_packages(a[0], nil, 0, out, e)
		}
		arr := C.malloc(C.size_t(len(names)) * C.size_t(unsafe.Sizeof(uintptr(0))))
		defer C.free(arr)
		ptrs := unsafe.Slice((**C.char)(arr), len(names))
		copy(ptrs, names)
		return C.ghpkg_retention_plan_only_packages(a[0], (**C.char)(arr), C.size_t(len(names)), out, e)
	})
	if err != nil {
		return nil, err
	}
	return parsePlan(out)
}

// ApplyEvents applies a reviewed plan and yields its events as they come:
// phases, progress, waits, one *[OutcomeEvent] per unit, and a
// *[ReportEvent] last. Every delete is journaled before it is sent (see
// [ApplyOptions.Journal]).
//
// A plan or options the core refuses, and the run's preconditions (a plan
// older than MaxPlanAge, made against another host or with another user's
// token, a token that cannot delete, a journal of another plan or not a
// journal), are yielded as a KindInvalidArgument or KindPermissionDenied
// error, and nothing is deleted.
//
// When ctx ends, the run is asked to stop: it starts no new delete (one
// already waiting for its pace still goes), settles the rest as
// not_attempted and ends with its report (status partial), which is
// yielded, followed by ctx.Err(). Applying the same plan with the same
// journal resumes it. Breaking out of the loop stops the run the same way,
// in the background.
func (r *Retention) ApplyEvents(ctx context.Context, plan *Plan, opts ApplyOptions) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for text, err := range r.applyRaw(ctx, plan, opts) {
			var ev Event
			if err == nil {
				ev, err = ParseEvent([]byte(text))
			}
			if !yield(ev, err) {
				return
			}
		}
	}
}

// applyRaw is ApplyEvents with each event as the JSON the core wrote.
func (r *Retention) applyRaw(ctx context.Context, plan *Plan, opts ApplyOptions) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := ctx.Err(); err != nil {
			yield("", err)
			return
		}
		ptext, err := plan.text()
		if err != nil {
			yield("", err)
			return
		}
		otext, err := jsonText("the apply options", opts)
		if err != nil {
			yield("", err)
			return
		}
		it, err := r.startApply(ptext, otext)
		if err != nil {
			yield("", err)
			return
		}
		defer C.ghpkg_apply_events_free(it)
		stopped := false
		for {
			var s step
			if ctx.Done() == nil || stopped {
				s = nextEvent(it)
			} else {
				ch := make(chan step, 1)
				go func() { ch <- nextEvent(it) }()
				select {
				case s = <-ch:
				case <-ctx.Done():
					// The run stops between deletes and still reports.
					C.ghpkg_apply_events_stop(it)
					stopped = true
					s = <-ch
				}
			}
			if s.err != nil {
				yield("", s.err)
				return
			}
			if s.done {
				if stopped {
					yield("", ctx.Err())
				}
				return
			}
			if !yield(s.text, nil) {
				C.ghpkg_apply_events_stop(it)
				return
			}
		}
	}
}

func (r *Retention) startApply(plan, opts string) (*C.ghpkg_apply_events, error) {
	var it *C.ghpkg_apply_events
	err := r.client.use(func(p *C.ghpkg_client) error {
		var cs cstrings
		defer cs.free()
		cplan, err := cs.add("the plan", plan)
		if err != nil {
			return err
		}
		copts, err := cs.add("the apply options", opts)
		if err != nil {
			return err
		}
		var cerr *C.ghpkg_error
		if st := C.ghpkg_retention_apply(p, cplan, copts, &it, &cerr); st != C.GHPKG_OK {
			return errorFrom(st, cerr)
		}
		return nil
	})
	return it, err
}

// step is one result of ghpkg_apply_events_next: an event's JSON, the
// end (done), or the run's error.
type step struct {
	text string
	done bool
	err  error
}

// nextEvent waits for the run's next event.
func nextEvent(it *C.ghpkg_apply_events) step {
	var out *C.char
	var cerr *C.ghpkg_error
	if st := C.ghpkg_apply_events_next(it, &out, &cerr); st != C.GHPKG_OK {
		return step{err: errorFrom(st, cerr)}
	}
	if out == nil {
		return step{done: true}
	}
	return step{text: takeString(out)}
}

// Apply applies a reviewed plan and returns its report: [Retention.ApplyEvents]
// without the events. When ctx ends, the run stops between deletes and
// Apply returns its partial report together with ctx.Err().
func (r *Retention) Apply(ctx context.Context, plan *Plan, opts ApplyOptions) (*Report, error) {
	var report *Report
	for ev, err := range r.ApplyEvents(ctx, plan, opts) {
		if err != nil {
			return report, err
		}
		if e, ok := ev.(*ReportEvent); ok {
			report = e.Report
		}
	}
	if report == nil {
		return nil, localError(KindDecode, "the run ended without a report")
	}
	return report, nil
}

// Undo restores what the run recorded in journal deleted, within GitHub's
// 30-day window: children first, then images, then signatures; tags an
// untag removed are pushed back. opts may be nil. Undo writes a journal of
// its own, so it can itself be resumed. A file that is not a ghpkg journal
// is a KindInvalidArgument error and nothing is restored. When ctx ends
// first, Undo returns ctx.Err() at once and the undo goes on in the
// background to its end.
func (r *Retention) Undo(ctx context.Context, journal string, opts *UndoOptions) (*Report, error) {
	text, err := r.undoRaw(ctx, journal, opts)
	if err != nil {
		return nil, err
	}
	report := &Report{}
	if err := json.Unmarshal([]byte(text), report); err != nil {
		return nil, localError(KindDecode, "the undo report: "+err.Error())
	}
	return report, nil
}

// undoRaw is Undo with the report as the JSON the core wrote.
func (r *Retention) undoRaw(ctx context.Context, journal string, opts *UndoOptions) (string, error) {
	var o UndoOptions
	if opts != nil {
		o = *opts
	}
	otext, err := jsonText("the undo options", o)
	if err != nil {
		return "", err
	}
	return blocking(ctx, func() (string, error) {
		var text string
		err := r.client.use(func(p *C.ghpkg_client) error {
			var err error
			text, err = cjson([]string{journal, otext}, func(a []*C.char, out **C.char, e **C.ghpkg_error) C.ghpkg_status {
				return C.ghpkg_retention_undo(p, a[0], a[1], out, e)
			})
			return err
		})
		return text, err
	})
}

// Recover is for a run whose journal is lost: it writes to journal (which
// must not exist, or be empty) an undo set for the versions of one package
// deleted since since, from GitHub's list of deleted versions, and returns
// how many it found; [Retention.Undo] with that journal restores them.
func (r *Retention) Recover(ctx context.Context, owner Owner, t PackageType, pkg string, since time.Time, journal string) (int, error) {
	return blocking(ctx, func() (int, error) {
		var n C.size_t
		err := r.client.run(owner, t, pkg, func(p *C.ghpkg_client, tg *target) error {
			csince, err := tg.cs.add("since", since.UTC().Format(time.RFC3339Nano))
			if err != nil {
				return err
			}
			cjournal, err := tg.cs.add("journal", journal)
			if err != nil {
				return err
			}
			var cerr *C.ghpkg_error
			st := C.ghpkg_retention_recover(p, tg.kind, tg.owner, tg.ptype, tg.name, csince, cjournal, &n, &cerr)
			if st != C.GHPKG_OK {
				return errorFrom(st, cerr)
			}
			return nil
		})
		return int(n), err
	})
}

// Verify checks that every image the plan keeps still resolves whole: each
// tag of each kept version of the plan's container packages and every
// manifest it reaches (HEAD requests, which GitHub does not count as
// downloads). It sends only reads. registryURL "" is the plan's registry.
func (r *Retention) Verify(ctx context.Context, plan *Plan, registryURL string) (*VerifyReport, error) {
	ptext, err := plan.text()
	if err != nil {
		return nil, err
	}
	return blocking(ctx, func() (*VerifyReport, error) {
		var text string
		err := r.client.use(func(p *C.ghpkg_client) error {
			var cs cstrings
			defer cs.free()
			cplan, err := cs.add("the plan", ptext)
			if err != nil {
				return err
			}
			curl, err := cs.optional("registry URL", registryURL)
			if err != nil {
				return err
			}
			var out *C.char
			var cerr *C.ghpkg_error
			if st := C.ghpkg_retention_verify(p, cplan, curl, &out, &cerr); st != C.GHPKG_OK {
				return errorFrom(st, cerr)
			}
			text = takeString(out)
			return nil
		})
		if err != nil {
			return nil, err
		}
		v := &VerifyReport{}
		if err := json.Unmarshal([]byte(text), v); err != nil {
			return nil, localError(KindDecode, "the verify report: "+err.Error())
		}
		return v, nil
	})
}

// ImportPolicy translates another cleanup tool's inputs (its `with:`
// block) into a ghpkg policy: from is "crp" (snok/container-retention-policy),
// "dataaxiom" (dataaxiom/ghcr-cleanup-action), "dpv"
// (actions/delete-package-versions) or "vlaurin" (vlaurin/action-ghcr-prune).
// An input the tool does not have, or a value the core cannot translate,
// is a KindInvalidArgument error.
func ImportPolicy(from string, inputs map[string]string) (json.RawMessage, error) {
	if inputs == nil {
		inputs = map[string]string{}
	}
	itext, err := jsonText("the inputs", inputs)
	if err != nil {
		return nil, err
	}
	text, err := cjson([]string{from, itext}, func(a []*C.char, out **C.char, e **C.ghpkg_error) C.ghpkg_status {
		return C.ghpkg_retention_policy_import(a[0], a[1], out, e)
	})
	return json.RawMessage(text), err
}

// RetentionSchemas are the JSON Schemas of the retention formats by file
// name (policy.schema.json, plan.schema.json, event.schema.json,
// report.schema.json, journal.schema.json and the options of plan, apply
// and undo): the repository's schemas/ files.
func RetentionSchemas() (map[string]json.RawMessage, error) {
	text, err := cjson(nil, func(_ []*C.char, out **C.char, e **C.ghpkg_error) C.ghpkg_status {
		return C.ghpkg_retention_schemas(out, e)
	})
	if err != nil {
		return nil, err
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, localError(KindDecode, "the schemas: "+err.Error())
	}
	return out, nil
}
