package ghpkg

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// The retention formats as Go values: a plan, the events of a run and its
// report. They mirror the core's JSON (schemas/*.schema.json at the root of
// the repository) field for field, with the same snake_case names; a test
// decodes the golden plans and sample events and reports with unknown
// fields disallowed and checks every schema property against these
// structs. Optional values the core leaves out are zero here ("", 0, nil,
// the zero time).

// Plan is a reviewable retention plan: what applying it would delete and
// why, for every version of every covered package. Make one with
// [Retention.Plan] or read a saved one with [ParsePlan]; its methods
// ([Plan.Render], [Plan.JSON], [Plan.Deletions], [Plan.WithoutVersions],
// [Plan.OnlyPackages]) hand the plan to the core, which checks it first.
type Plan struct {
	// PlanVersion is the format: 1.
	PlanVersion uint32 `json:"plan_version"`
	// ID is "pln_" and 16 hex digits derived from the plan's inputs.
	ID string `json:"id"`
	// Now is the instant ages were judged at.
	Now time.Time `json:"now"`
	// Policy is the policy with every default written out, as JSON
	// (schemas/policy.schema.json). Editing it makes the plan invalid.
	Policy json.RawMessage `json:"policy"`
	// PolicyHash is "sha256:" of the policy's canonical JSON.
	PolicyHash string `json:"policy_hash"`
	// Target is where the plan was made; it is applied nowhere else.
	Target Target `json:"target"`
	// Edits are the review edits, in order.
	Edits []Edit `json:"edits"`
	// Packages has one entry per covered package, by name.
	Packages []PackagePlan `json:"packages"`
	// Warnings are things a reviewer should know that change nothing.
	Warnings []Warning `json:"warnings"`
	// Totals are the counts and the estimated cost of applying.
	Totals Totals `json:"totals"`
}

// Target is the API and registry a plan was made against.
type Target struct {
	BaseURL string `json:"base_url"`
	// Registry is the container registry read for manifests, nil when none was.
	Registry *string `json:"registry"`
	// Owner is the owner's login the policy names (nil for "me").
	Owner *string `json:"owner"`
	// Login is the user whose token made the plan (nil when the token
	// cannot tell, e.g. an Actions token).
	Login *string `json:"login"`
}

// Edit is a review edit: a deletion turned into a keep.
type Edit struct {
	Op        string `json:"op"` // always "keep"
	Package   string `json:"package"`
	VersionID uint64 `json:"version_id"`
}

// PackageStatus tells whether a package is planned or blocked.
type PackageStatus string

const (
	// PackageOK: its actions will be applied.
	PackageOK PackageStatus = "ok"
	// PackageBlocked: nothing in it will be deleted; PackagePlan.Blocked says why.
	PackageBlocked PackageStatus = "blocked"
)

// PackagePlan is one package's part of a plan.
type PackagePlan struct {
	// Owner is the owner as the policy names it.
	Owner       Owner          `json:"owner"`
	PackageType PackageType    `json:"package_type"`
	Name        string         `json:"name"`
	PackageID   uint64         `json:"package_id"`
	Listing     ListingSummary `json:"listing"`
	Status      PackageStatus  `json:"status"`
	// Blocked says why the package is blocked.
	Blocked *Reason `json:"blocked,omitempty"`
	// PackageAction is "delete_package" when the whole package is deleted
	// instead of its versions.
	PackageAction string `json:"package_action,omitempty"`
	// Actions has one action per active version: keeps first by id, then
	// deletions in order.
	Actions []Action `json:"actions"`
	Summary Summary  `json:"summary"`
}

// ListingSummary describes the version listing a package plan was made from.
type ListingSummary struct {
	// Versions is the number of active versions listed.
	Versions int `json:"versions"`
	// Complete tells whether the listing was complete (else the package is blocked).
	Complete bool `json:"complete"`
	// Fingerprint changes when any version's id, name, tags or updated_at does.
	Fingerprint string `json:"fingerprint"`
}

// Verdict is what happens to one version.
type Verdict string

const (
	Keep   Verdict = "keep"   // left alone
	Delete Verdict = "delete" // deleted (restorable for 30 days)
	Untag  Verdict = "untag"  // some tags removed, the image kept
)

// Role is a version's place in the image graph.
type Role string

const (
	// RoleRoot: an image rules judge (tagged, or nothing points at it).
	RoleRoot Role = "root"
	// RoleChild: a manifest an index lists.
	RoleChild Role = "child"
	// RoleReferrer: a signature, attestation or other artifact about another manifest.
	RoleReferrer Role = "referrer"
)

// VersionKind is what a version is.
type VersionKind string

const (
	VersionKindIndex       VersionKind = "index"       // an image index or manifest list
	VersionKindImage       VersionKind = "image"       // a platform image
	VersionKindAttestation VersionKind = "attestation" // a buildx attestation
	VersionKindSignature   VersionKind = "signature"   // a signature
	VersionKindArtifact    VersionKind = "artifact"    // another artifact
	VersionKindMissing     VersionKind = "missing"     // the registry does not have its manifest
	VersionKindUnreadable  VersionKind = "unreadable"  // its manifest could not be read
	VersionKindVersion     VersionKind = "version"     // a version of a registry without manifests
)

// Action is the plan for one version.
type Action struct {
	VersionID uint64 `json:"version_id"`
	// Name is the version name: the manifest digest for containers.
	Name      string      `json:"name"`
	Tags      []string    `json:"tags"`
	UpdatedAt time.Time   `json:"updated_at"`
	Kind      VersionKind `json:"kind"`
	// Platform is "os/arch" of a platform image, when an index says.
	Platform string `json:"platform,omitempty"`
	Role     Role   `json:"role"`
	// Parents are the digests of the indexes that list it.
	Parents []string `json:"parents,omitempty"`
	// Subject is the digest of the manifest it refers to.
	Subject string `json:"subject,omitempty"`
	// Verdict is keep, delete or untag (the JSON's "action").
	Verdict Verdict `json:"action"`
	// UntagTags are the tags an untag removes.
	UntagTags []string `json:"untag_tags,omitempty"`
	// Order is the position of a delete or untag in the package's run,
	// from 1; 0 for a keep.
	Order uint32 `json:"order,omitempty"`
	// Reasons say why, with stable codes.
	Reasons []Reason `json:"reasons"`
}

// Reason is a stable reason code, the rule behind it and a human detail.
type Reason struct {
	Code string `json:"code"`
	// Rule is the rule, e.g. "protect.tags[0]" or the rule's id.
	Rule   string `json:"rule,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Summary counts a package plan's actions.
type Summary struct {
	Keep           int `json:"keep"`
	Delete         int `json:"delete"`
	Untag          int `json:"untag"`
	DeleteTagged   int `json:"delete_tagged"`
	DeleteUntagged int `json:"delete_untagged"`
}

// Warning is a note for the reviewer.
type Warning struct {
	Code      string `json:"code"`
	Package   string `json:"package,omitempty"`
	VersionID uint64 `json:"version_id,omitempty"`
	Detail    string `json:"detail"`
}

// Totals are the counts and cost of a whole plan.
type Totals struct {
	Packages int `json:"packages"`
	Blocked  int `json:"blocked"`
	Keep     int `json:"keep"`
	// Delete counts versions deleted (a package delete counts its versions).
	Delete   int      `json:"delete"`
	Untag    int      `json:"untag"`
	Requests Requests `json:"requests"`
	// EtaSeconds estimates applying at the default pace (150 deletes a minute).
	EtaSeconds uint64 `json:"eta_seconds"`
}

// Requests are the requests a plan took and applying it sends.
type Requests struct {
	// Delete is the number of DELETE requests applying sends.
	Delete int `json:"delete"`
	// RegistryGet is the number of manifests the plan read from the registry.
	RegistryGet int `json:"registry_get"`
}

// Outcome is what happened to one unit of a run, a stable code.
type Outcome string

const (
	OutcomeDeleted             Outcome = "deleted"               // restorable for 30 days
	OutcomeUntagged            Outcome = "untagged"              // its matching tags removed, the image kept
	OutcomePackageDeleted      Outcome = "package_deleted"       // the whole package deleted
	OutcomeAlreadyGone         Outcome = "already_gone"          // it was gone already (404)
	OutcomeSkippedDrift        Outcome = "skipped_drift"         // the registry changed since the plan
	OutcomeSkippedProtectedNow Outcome = "skipped_protected_now" // a protected tag moved onto it
	OutcomeRefusedLastVersion  Outcome = "refused_last_version"  // GitHub refused: the last (tagged) version
	OutcomeRefusedDownloads    Outcome = "refused_downloads"     // GitHub refused: over 5,000 downloads
	OutcomeForbidden           Outcome = "forbidden"             // GitHub refused the token (403)
	OutcomeFailed              Outcome = "failed"                // the request failed after retries
	OutcomeDeferred            Outcome = "deferred"              // left for a later run (deadline, max_deletes, budget)
	OutcomeNotAttempted        Outcome = "not_attempted"         // an earlier refusal, or the run was stopped
	OutcomeRestored            Outcome = "restored"              // restored (undo)
	OutcomeExpired             Outcome = "expired"               // past GitHub's 30-day window (undo)
	OutcomeNotDeleted          Outcome = "not_deleted"           // active already (undo)
	OutcomeNamespaceTaken      Outcome = "namespace_taken"       // a new package took its name (undo)
	OutcomeRestorable          Outcome = "restorable"            // would be restored (undo's dry run)
)

// Status is how a run ended.
type Status string

const (
	// StatusComplete: every unit is settled and nothing failed.
	StatusComplete Status = "complete"
	// StatusPartial: some units were deferred or not attempted; applying
	// the same plan with the same journal resumes.
	StatusPartial Status = "partial"
	// StatusFailed: a unit failed, GitHub refused the token, or a kept
	// image no longer resolves.
	StatusFailed Status = "failed"
)

// Report is the result of applying a plan or undoing a run.
type Report struct {
	ReportVersion uint32 `json:"report_version"`
	// Kind is "apply" or "undo".
	Kind       string    `json:"kind"`
	PlanID     string    `json:"plan_id,omitempty"`
	RunID      string    `json:"run_id"`
	Journal    string    `json:"journal,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Status     Status    `json:"status"`
	// Counts are the units by outcome.
	Counts map[Outcome]int `json:"counts"`
	// Items are every unit, in the order they were settled.
	Items []Item `json:"items"`
	// Resume says where to resume a partial run.
	Resume *Resume `json:"resume,omitempty"`
	// Verify is what verifying kept images found.
	Verify *VerifyReport `json:"verify,omitempty"`
	// Undo is the undo that followed a failed verify (on_verify_failure: undo_run).
	Undo *Report `json:"undo,omitempty"`
}

// WithOutcome returns the report's units with outcome o.
func (r *Report) WithOutcome(o Outcome) []Item {
	var out []Item
	for _, it := range r.Items {
		if it.Outcome == o {
			out = append(out, it)
		}
	}
	return out
}

// Item is one unit's result.
type Item struct {
	Package string `json:"package"`
	// VersionID is 0 for a package operation.
	VersionID uint64 `json:"version_id,omitempty"`
	// Digest is the version name (a digest for containers).
	Digest  string   `json:"digest,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	Role    Role     `json:"role,omitempty"`
	Outcome Outcome  `json:"outcome"`
	// HTTPStatus is the status of the last attempt.
	HTTPStatus int `json:"http_status,omitempty"`
	// Attempts is the number of requests sent for it.
	Attempts  uint32 `json:"attempts"`
	RequestID string `json:"request_id,omitempty"`
	// At is when it was settled.
	At time.Time `json:"at,omitzero"`
	// RestorableUntil is until when a deletion can be restored.
	RestorableUntil time.Time  `json:"restorable_until,omitzero"`
	Detail          string     `json:"detail,omitempty"`
	Error           *ErrorInfo `json:"error,omitempty"`
}

// ErrorInfo is an error as reports carry it.
type ErrorInfo struct {
	// Kind is the core's error code: SERVER, PERMISSION_DENIED, ... (see [Kind.String]).
	Kind       string `json:"kind"`
	Message    string `json:"message"`
	HTTPStatus int    `json:"status,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
}

// Resume says where a partial run resumes.
type Resume struct {
	// Journal is the journal to apply the same plan with.
	Journal string `json:"journal"`
	// Remaining is the number of units left.
	Remaining int `json:"remaining"`
}

// VerifyReport is what verifying kept images found.
type VerifyReport struct {
	CheckedTags int      `json:"checked_tags"`
	Broken      []Broken `json:"broken"`
}

// Broken is a kept image that no longer resolves with all its children.
type Broken struct {
	Package string `json:"package"`
	Tag     string `json:"tag"`
	// Missing are the digests that do not resolve.
	Missing []string `json:"missing"`
}

// Event is one event of an apply run: a *[PhaseEvent], *[ProgressEvent],
// *[WaitingEvent], *[OutcomeEvent] or *[ReportEvent] (the last one).
type Event interface {
	// EventType is the event's "type": phase, progress, waiting, outcome or report.
	EventType() string
	isEvent()
}

// PhaseEvent says a phase starts: preflight, revalidate, delete, verify, undo.
type PhaseEvent struct {
	Phase string `json:"phase"`
	// Package is the package the phase is about, if any.
	Package string `json:"package,omitempty"`
}

// ProgressEvent says how far the run is.
type ProgressEvent struct {
	Phase string `json:"phase"`
	// Done is the number of units settled, of Total.
	Done  int `json:"done"`
	Total int `json:"total"`
	// RatePerMin is the units a minute lately.
	RatePerMin float64 `json:"rate_per_min"`
	// EtaSeconds is the seconds left at that rate.
	EtaSeconds uint64 `json:"eta_seconds"`
}

// WaitingEvent says the run waits: for its pace, or a secondary or primary
// rate limit.
type WaitingEvent struct {
	// Reason is pace, secondary_rate_limit or primary_rate_limit.
	Reason string    `json:"reason"`
	Until  time.Time `json:"until"`
	// RequestID is the request that was refused, when one was.
	RequestID string `json:"request_id,omitempty"`
}

// OutcomeEvent says one unit is settled.
type OutcomeEvent struct {
	Item
}

// ReportEvent is the last event of a run: its report.
type ReportEvent struct {
	Report *Report `json:"report"`
}

func (*PhaseEvent) EventType() string    { return "phase" }
func (*ProgressEvent) EventType() string { return "progress" }
func (*WaitingEvent) EventType() string  { return "waiting" }
func (*OutcomeEvent) EventType() string  { return "outcome" }
func (*ReportEvent) EventType() string   { return "report" }

func (*PhaseEvent) isEvent()    {}
func (*ProgressEvent) isEvent() {}
func (*WaitingEvent) isEvent()  {}
func (*OutcomeEvent) isEvent()  {}
func (*ReportEvent) isEvent()   {}

// withType encodes v (a plain struct) with "type" first, as the core writes events.
func withType(kind string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	head := `{"type":` + strconv.Quote(kind)
	if string(body) == "{}" {
		return []byte(head + "}"), nil
	}
	return append([]byte(head+","), body[1:]...), nil
}

// MarshalJSON writes the event as the core does, with its "type".
func (e PhaseEvent) MarshalJSON() ([]byte, error) {
	type plain PhaseEvent
	return withType("phase", plain(e))
}

// MarshalJSON writes the event as the core does, with its "type".
func (e ProgressEvent) MarshalJSON() ([]byte, error) {
	type plain ProgressEvent
	return withType("progress", plain(e))
}

// MarshalJSON writes the event as the core does, with its "type".
func (e WaitingEvent) MarshalJSON() ([]byte, error) {
	type plain WaitingEvent
	return withType("waiting", plain(e))
}

// MarshalJSON writes the event as the core does, with its "type".
func (e OutcomeEvent) MarshalJSON() ([]byte, error) {
	return withType("outcome", e.Item)
}

// MarshalJSON writes the event as the core does, with its "type".
func (e ReportEvent) MarshalJSON() ([]byte, error) {
	type plain ReportEvent
	return withType("report", plain(e))
}

// ParseEvent reads one event as the core writes it (one line of `ghpkg
// retention apply --events`, or what the C ABI hands out).
func ParseEvent(data []byte) (Event, error) {
	return decodeEvent(data, false)
}

// decodeEvent reads an event; strict refuses fields the Go types lack.
func decodeEvent(data []byte, strict bool) (Event, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, localError(KindDecode, "not a retention event: "+err.Error())
	}
	var kind string
	_ = json.Unmarshal(fields["type"], &kind)
	var ev Event
	var target any
	switch kind {
	case "phase":
		e := &PhaseEvent{}
		ev, target = e, e
	case "progress":
		e := &ProgressEvent{}
		ev, target = e, e
	case "waiting":
		e := &WaitingEvent{}
		ev, target = e, e
	case "outcome":
		e := &OutcomeEvent{}
		ev, target = e, &e.Item
	case "report":
		e := &ReportEvent{}
		ev, target = e, e
	default:
		return nil, localError(KindDecode, "unknown retention event type "+strconv.Quote(kind))
	}
	delete(fields, "type")
	body, _ := json.Marshal(fields)
	if err := decodeJSON(body, target, strict); err != nil {
		return nil, localError(KindDecode, "retention event "+kind+": "+err.Error())
	}
	return ev, nil
}

// decodeJSON reads one JSON value into v; strict refuses unknown fields.
func decodeJSON(data []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	return dec.Decode(v)
}
