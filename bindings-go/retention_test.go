package ghpkg_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ghpkg "github.com/ghpkg/ghpkg/bindings-go"
)

// Old releases of acme's multi-arch api/server and the broken leftovers a
// registry collects: 7 versions go, every kept image stays whole.
const oldReleases = `{"owner": {"org": "acme"}, "package_type": "container",
	"packages": {"include": ["api/server"]},
	"delete": [{"id": "old", "tags": ["1.1.0", "1.0.0"]}, {"index": "ghost"},
	           {"index": "partial"}, {"orphaned_referrer": true}]}`

// freshEmulator is a demo emulator of the test's own, for runs that delete.
func freshEmulator(t *testing.T) *emulator {
	t.Helper()
	emu, err := startEmulator(binary("GHPKG_EMULATOR", "../target/debug/ghpkg-emulator"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.stop)
	return emu
}

// versionIDs are the ids of api/server's versions in state.
func versionIDs(t *testing.T, c *ghpkg.Client, state ghpkg.VersionState) []uint64 {
	t.Helper()
	var ids []uint64
	for v, err := range c.ListVersions(context.Background(), ghpkg.Org("acme"), ghpkg.Container, "api/server", state) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return ids
}

func wantKind(t *testing.T, what string, err error, kind ghpkg.Kind, contains string) {
	t.Helper()
	var gerr *ghpkg.Error
	if !errors.As(err, &gerr) || gerr.Kind != kind || !strings.Contains(gerr.Message, contains) {
		t.Errorf("%s: want %s containing %q, got %v", what, kind, contains, err)
	}
}

func TestRetentionGoldenPlansReplayed(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(goldensDir(), "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name   string          `json:"name"`
		About  string          `json:"about"`
		Now    time.Time       `json:"now"`
		Policy json.RawMessage `json:"policy"`
	}
	strictDecode(t, "cases.json", data, &cases)
	if len(cases) < 5 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			emu := freshEmulator(t)
			c := newClient(t, emu)
			plan, err := c.Retention().Plan(context.Background(), tc.Policy,
				&ghpkg.PlanOptions{Now: tc.Now, RegistryURL: emu.RegistryURL})
			if err != nil {
				t.Fatal(err)
			}
			out, err := plan.JSON()
			if err != nil {
				t.Fatal(err)
			}
			got := strings.NewReplacer(emu.URL, "http://api.invalid",
				emu.RegistryURL, "http://registry.invalid",
				plan.ID, "pln_0000000000000000").Replace(string(out)) + "\n"
			want, err := os.ReadFile(filepath.Join(goldensDir(), tc.Name+".plan.json"))
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("the plan differs from its golden:\n%s", got)
			}
		})
	}
}

func TestRetentionPlanApplyVerifyUndo(t *testing.T) {
	emu := freshEmulator(t)
	c := newClient(t, emu)
	r := c.Retention()
	ctx := context.Background()
	deletedBefore := versionIDs(t, c, ghpkg.DeletedVersions)
	started := time.Now()

	plan, err := r.Plan(ctx, oldReleases, &ghpkg.PlanOptions{RegistryURL: emu.RegistryURL})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Packages[0].Status != ghpkg.PackageOK || plan.Totals.Delete != 7 {
		t.Fatalf("plan: %+v", plan.Totals)
	}
	deletions, err := plan.Deletions()
	if err != nil {
		t.Fatal(err)
	}
	var planned []uint64
	for _, d := range deletions {
		if d.Action.Verdict != ghpkg.Delete || d.Package.Name != "api/server" {
			t.Errorf("deletion %+v", d.Action)
		}
		planned = append(planned, d.Action.VersionID)
	}
	if deletions[0].Action.Order != 1 || len(planned) != 7 {
		t.Errorf("deletions in apply order: %v", planned)
	}
	for _, f := range []ghpkg.RenderFormat{ghpkg.RenderTable, ghpkg.RenderMarkdown, ghpkg.RenderNDJSON} {
		if s, err := plan.Render(f); err != nil || !strings.Contains(s, "api/server") {
			t.Errorf("render %s: %v %q", f, err, s)
		}
	}
	if _, err := plan.Render("pdf"); !errors.Is(err, ghpkg.ErrInvalidArgument) {
		t.Errorf("render pdf: %v", err)
	}
	// A review keeps 1.0.0 (20016); the edit is recorded.
	reviewed, err := plan.WithoutVersions(20016)
	if err != nil || len(reviewed.Edits) != 1 || reviewed.Totals.Delete != 6 || reviewed.ID == plan.ID {
		t.Errorf("WithoutVersions: %v %+v", err, reviewed)
	}
	if _, err := plan.OnlyPackages("ui-kit"); err != nil {
		t.Errorf("OnlyPackages: %v", err)
	}

	// Apply with progress events; each raw event decodes strictly into the Go types.
	journal := filepath.Join(t.TempDir(), "run.jsonl")
	var report *ghpkg.Report
	types := map[string]int{}
	var deleted []uint64
	for text, err := range r.ApplyRaw(ctx, plan, ghpkg.ApplyOptions{Journal: journal}) {
		if err != nil {
			t.Fatal(err)
		}
		switch e := roundTripEvent(t, []byte(text)).(type) {
		case *ghpkg.OutcomeEvent:
			if e.Outcome == ghpkg.OutcomeDeleted {
				deleted = append(deleted, e.VersionID)
			}
		case *ghpkg.ReportEvent:
			report = e.Report
		}
		types[strings.SplitN(strings.SplitN(text, `"type":"`, 2)[1], `"`, 2)[0]]++
	}
	if report == nil || report.Status != ghpkg.StatusComplete || report.Counts[ghpkg.OutcomeDeleted] != 7 {
		t.Fatalf("report: %+v", report)
	}
	if types["phase"] == 0 || types["progress"] == 0 || types["outcome"] != 7 || types["report"] != 1 {
		t.Errorf("events by type: %v", types)
	}
	if !slices.Equal(deleted, planned) {
		t.Errorf("deleted in order %v, planned %v", deleted, planned)
	}
	if report.Verify == nil || len(report.Verify.Broken) != 0 || report.Verify.CheckedTags != 3 {
		t.Errorf("the run's verify: %+v", report.Verify)
	}
	want := slices.Sorted(slices.Values(append(slices.Clone(deletedBefore), planned...)))
	if got := versionIDs(t, c, ghpkg.DeletedVersions); !slices.Equal(got, want) {
		t.Errorf("deleted now %v, want %v", got, want)
	}
	// Every version the plan keeps is still there, and every kept image
	// resolves with all its children.
	active := versionIDs(t, c, ghpkg.ActiveVersions)
	for _, a := range plan.Packages[0].Actions {
		if a.Verdict == ghpkg.Keep && !slices.Contains(active, a.VersionID) {
			t.Errorf("kept version %d is gone", a.VersionID)
		}
	}
	v, err := r.Verify(ctx, plan, "")
	if err != nil || v.CheckedTags != 3 || len(v.Broken) != 0 {
		t.Errorf("Verify: %v %+v", err, v)
	}

	// Recover finds the run's deletions without its journal.
	recovered := filepath.Join(t.TempDir(), "recovered.jsonl")
	n, err := r.Recover(ctx, ghpkg.Org("acme"), ghpkg.Container, "api/server", started.Add(-time.Minute), recovered)
	if err != nil || n != 7 {
		t.Errorf("Recover: %d %v", n, err)
	}
	dry, err := r.Undo(ctx, recovered, &ghpkg.UndoOptions{DryRun: true})
	if err != nil || dry.Counts[ghpkg.OutcomeRestorable] != 7 {
		t.Errorf("dry-run undo: %v %+v", err, dry)
	}

	// Undo brings back exactly the deleted versions.
	text, err := r.UndoRaw(ctx, journal, nil)
	if err != nil {
		t.Fatal(err)
	}
	undo := roundTrip[ghpkg.Report](t, "undo report", []byte(text))
	if undo.Status != ghpkg.StatusComplete || undo.Counts[ghpkg.OutcomeRestored] != 7 || len(undo.WithOutcome(ghpkg.OutcomeRestored)) != 7 {
		t.Errorf("undo: %+v", undo)
	}
	if got := versionIDs(t, c, ghpkg.DeletedVersions); !slices.Equal(got, deletedBefore) {
		t.Errorf("deleted after undo %v, before %v", got, deletedBefore)
	}
	if v, err := r.Verify(ctx, plan, ""); err != nil || len(v.Broken) != 0 {
		t.Errorf("Verify after undo: %v %+v", err, v)
	}
}

func TestRetentionCancelledRunResumes(t *testing.T) {
	emu := freshEmulator(t)
	c := newClient(t, emu)
	r := c.Retention()
	plan, err := r.Plan(context.Background(), oldReleases, &ghpkg.PlanOptions{RegistryURL: emu.RegistryURL})
	if err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(t.TempDir(), "run.jsonl")
	opts := ghpkg.ApplyOptions{Journal: journal, DeletesPerMinute: 60}

	// Cancelled after the first delete: the run stops between deletes and reports.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var report *ghpkg.Report
	var last error
	first := 0
	for ev, err := range r.ApplyEvents(ctx, plan, opts) {
		if err != nil {
			last = err
			continue
		}
		switch e := ev.(type) {
		case *ghpkg.OutcomeEvent:
			if e.Outcome == ghpkg.OutcomeDeleted {
				first++
				cancel()
			}
		case *ghpkg.ReportEvent:
			report = e.Report
		}
	}
	if !errors.Is(last, context.Canceled) {
		t.Errorf("the last item is ctx.Err(): %v", last)
	}
	// The stop cuts the pace's wait short: nothing after the first delete goes.
	if report == nil || report.Status != ghpkg.StatusPartial || first != 1 ||
		report.Counts[ghpkg.OutcomeNotAttempted] != 7-first || report.Resume == nil {
		t.Fatalf("stopped run (%d deleted): %+v", first, report)
	}
	if report.Resume.Journal != journal || report.Resume.Remaining != 7-first {
		t.Errorf("resume: %+v", report.Resume)
	}

	// The same plan and journal resume it; nothing is deleted twice.
	rest, err := r.Apply(context.Background(), plan, ghpkg.ApplyOptions{Journal: journal})
	if err != nil {
		t.Fatal(err)
	}
	if rest.Status != ghpkg.StatusComplete || len(rest.WithOutcome(ghpkg.OutcomeDeleted)) != 7 {
		t.Errorf("resumed: %v", rest.Counts)
	}
	deletions, _ := plan.Deletions()
	for _, d := range deletions {
		if !slices.Contains(versionIDs(t, c, ghpkg.DeletedVersions), d.Action.VersionID) {
			t.Errorf("%d was not deleted", d.Action.VersionID)
		}
	}

	// Apply with a context already cancelled starts nothing.
	if _, err := r.Apply(ctx, plan, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: %v", err)
	}
}

func TestRetentionBreakingOutStopsTheRun(t *testing.T) {
	emu := freshEmulator(t)
	c := newClient(t, emu)
	r := c.Retention()
	ctx := context.Background()
	before := len(versionIDs(t, c, ghpkg.DeletedVersions))
	plan, err := r.Plan(ctx, oldReleases, &ghpkg.PlanOptions{RegistryURL: emu.RegistryURL})
	if err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(t.TempDir(), "run.jsonl")
	for ev, err := range r.ApplyEvents(ctx, plan, ghpkg.ApplyOptions{Journal: journal, DeletesPerMinute: 60}) {
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := ev.(*ghpkg.OutcomeEvent); ok && e.Outcome == ghpkg.OutcomeDeleted {
			break
		}
	}
	time.Sleep(3 * time.Second) // a run still going at 60 a minute would delete 3 more
	gone := len(versionIDs(t, c, ghpkg.DeletedVersions)) - before
	if gone < 1 || gone > 2 {
		t.Errorf("%d deleted after the loop was left", gone)
	}
	rest, err := r.Apply(ctx, plan, ghpkg.ApplyOptions{Journal: journal})
	if err != nil || rest.Status != ghpkg.StatusComplete || rest.Counts[ghpkg.OutcomeDeleted] != 7 {
		t.Errorf("resumed: %v %+v", err, rest)
	}
}

// Bad input: a typed error, and nothing changes on the emulator.
func TestRetentionBadInput(t *testing.T) {
	c := newClient(t, demo)
	r := c.Retention()
	ctx := context.Background()
	deletedBefore := versionIDs(t, c, ghpkg.DeletedVersions)
	dir := t.TempDir()
	opts := ghpkg.ApplyOptions{Journal: filepath.Join(dir, "run.jsonl")}

	_, err := r.Plan(ctx, map[string]any{"owner": "me", "package_type": "npm", "keep_forever": true}, nil)
	wantKind(t, "an unknown policy field", err, ghpkg.KindInvalidArgument, "keep_forever")
	_, err = r.Plan(ctx, `{"owner": "me", "package_type": "container", "delete": [{"tags": ["re:(["]}]}`, nil)
	wantKind(t, "a bad pattern", err, ghpkg.KindInvalidArgument, "delete[0]")
	_, err = r.Plan(ctx, "{\"owner\": \"me\x00\"}", nil)
	wantKind(t, "a NUL byte", err, ghpkg.KindInvalidArgument, "NUL")
	_, err = r.Plan(ctx, nil, nil)
	wantKind(t, "no policy", err, ghpkg.KindInvalidArgument, "nil")
	_, err = ghpkg.ReadPolicyFile(filepath.Join(dir, "missing.json"))
	wantKind(t, "a missing policy file", err, ghpkg.KindInvalidArgument, "missing.json")

	plan, err := r.Plan(ctx, oldReleases, &ghpkg.PlanOptions{RegistryURL: demo.RegistryURL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Apply(ctx, plan, ghpkg.ApplyOptions{Journal: opts.Journal, Deadline: -time.Second})
	wantKind(t, "a negative deadline", err, ghpkg.KindInvalidArgument, "deadline")
	_, err = r.Apply(ctx, nil, opts)
	wantKind(t, "no plan", err, ghpkg.KindInvalidArgument, "nil")
	_, err = plan.WithoutVersions(5000000001)
	wantKind(t, "keeping a kept version", err, ghpkg.KindInvalidArgument, "not a planned deletion")

	// A plan edited by hand: its policy no longer matches its hash.
	edited := *plan
	edited.Policy = json.RawMessage(strings.Replace(string(plan.Policy), `"1.0.0"`, `"0.9.0"`, 1))
	_, err = edited.Render(ghpkg.RenderJSON)
	wantKind(t, "an edited plan", err, ghpkg.KindInvalidArgument, "edited by hand")
	_, err = r.Apply(ctx, &edited, opts)
	wantKind(t, "applying an edited plan", err, ghpkg.KindInvalidArgument, "edited by hand")
	text, _ := plan.JSON()
	_, err = ghpkg.ParsePlan([]byte(strings.Replace(string(text), `"1.0.0"`, `"0.9.0"`, 1)))
	wantKind(t, "parsing an edited plan", err, ghpkg.KindInvalidArgument, "edited by hand")
	_, err = ghpkg.ParsePlan([]byte(`{"plan_version": 1}`))
	wantKind(t, "not a plan", err, ghpkg.KindInvalidArgument, "not a ghpkg plan")

	// A plan for another host, or made with another user's token.
	_, err = newClient(t, faults).Retention().Apply(ctx, plan, opts)
	wantKind(t, "another host", err, ghpkg.KindInvalidArgument, "was made against")
	_, err = newClient(t, demo, ghpkg.WithToken(hubotToken)).Retention().Apply(ctx, plan, opts)
	wantKind(t, "another user", err, ghpkg.KindInvalidArgument, "octocat")
	_, err = newClient(t, demo, ghpkg.WithToken(readOnlyToken)).Retention().Apply(ctx, plan, opts)
	wantKind(t, "a token that cannot delete", err, ghpkg.KindPermissionDenied, "delete:packages")

	// A journal that is not one.
	garbage := filepath.Join(dir, "notes.jsonl")
	if err := os.WriteFile(garbage, []byte("{\"hello\": \"world\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = r.Undo(ctx, garbage, nil)
	wantKind(t, "undo of a journal that is not one", err, ghpkg.KindInvalidArgument, "not a ghpkg journal")
	_, err = r.Apply(ctx, plan, ghpkg.ApplyOptions{Journal: garbage})
	wantKind(t, "apply with a journal that is not one", err, ghpkg.KindInvalidArgument, "not a ghpkg journal")
	_, err = r.Recover(ctx, ghpkg.Org("acme"), ghpkg.Container, "api/server", time.Now(), garbage)
	wantKind(t, "recover over a journal", err, ghpkg.KindInvalidArgument, "exists")

	if got := versionIDs(t, c, ghpkg.DeletedVersions); !slices.Equal(got, deletedBefore) {
		t.Errorf("bad input changed the registry: %v, before %v", got, deletedBefore)
	}
}

func TestRetentionImportAndSchemas(t *testing.T) {
	policy, err := ghpkg.ImportPolicy("dpv", map[string]string{
		"owner": "acme", "package-name": "ui-kit", "package-type": "npm", "min-versions-to-keep": "2",
	})
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(policy, &p); err != nil || p["package_type"] != "npm" {
		t.Errorf("imported policy: %v %s", err, policy)
	}
	_, err = ghpkg.ImportPolicy("dpv", map[string]string{"colour": "red"})
	wantKind(t, "an input the tool lacks", err, ghpkg.KindInvalidArgument, "colour")
	_, err = ghpkg.ImportPolicy("cleanup-bot", nil)
	wantKind(t, "an unknown tool", err, ghpkg.KindInvalidArgument, "cleanup-bot")
	schemas, err := ghpkg.RetentionSchemas()
	if err != nil {
		t.Fatal(err)
	}
	names := slices.Sorted(maps.Keys(schemas))
	if len(names) != 8 || !slices.Contains(names, "event.schema.json") {
		t.Errorf("schemas: %v", names)
	}
}
