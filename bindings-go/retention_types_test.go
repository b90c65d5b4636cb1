package ghpkg_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	ghpkg "github.com/ghpkg/ghpkg/bindings-go"
)

// goldensDir is tests/goldens at the root of the repository.
func goldensDir() string {
	if d := os.Getenv("GHPKG_GOLDENS"); d != "" {
		return d
	}
	return filepath.Join("..", "tests", "goldens")
}

// strictDecode reads data into v refusing fields v's type lacks.
func strictDecode(t *testing.T, what string, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: a field the Go types do not have: %v", what, err)
	}
}

// sameJSONValue compares two JSON texts as values; timestamps compare as
// instants (chrono and Go write fractions of a second differently), and
// numbers as numbers ("150.0" is 150).
func sameJSONValue(t *testing.T, what string, want, got []byte) {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(want, &a); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := json.Unmarshal(got, &b); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if path, ok := equalJSON(a, b, "$"); !ok {
		t.Errorf("%s: re-encoded JSON differs at %s\nwant %s\ngot  %s", what, path, want, got)
	}
}

func equalJSON(a, b any, path string) (string, bool) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return path, false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok {
				return path + "." + k, false
			}
			if p, ok := equalJSON(v, w, path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return path, false
		}
		for i := range x {
			if p, ok := equalJSON(x[i], y[i], path+"[]"); !ok {
				return p, false
			}
		}
		return "", true
	case string:
		y, ok := b.(string)
		if !ok {
			return path, false
		}
		if x == y {
			return "", true
		}
		ta, err1 := time.Parse(time.RFC3339Nano, x)
		tb, err2 := time.Parse(time.RFC3339Nano, y)
		if err1 == nil && err2 == nil && ta.Equal(tb) {
			return "", true
		}
		return path, false
	}
	return path, reflect.DeepEqual(a, b)
}

// roundTrip decodes data strictly into a new T, encodes it again and
// compares: a field the core writes that T lacks, or writes differently,
// fails.
func roundTrip[T any](t *testing.T, what string, data []byte) *T {
	t.Helper()
	v := new(T)
	strictDecode(t, what, data, v)
	again, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	sameJSONValue(t, what, data, again)
	return v
}

// roundTripEvent is roundTrip for an event: decoded by its "type".
func roundTripEvent(t *testing.T, data []byte) ghpkg.Event {
	t.Helper()
	ev, err := ghpkg.DecodeEventStrict(data)
	if err != nil {
		t.Fatalf("event %s: %v", data, err)
	}
	again, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	sameJSONValue(t, "event "+ev.EventType(), data, again)
	return ev
}

func TestGoldenPlansDecodeIntoTheGoTypes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldensDir(), "*.plan.json"))
	if err != nil || len(files) < 5 {
		t.Fatalf("golden plans: %v %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		plan := roundTrip[ghpkg.Plan](t, filepath.Base(f), data)
		if len(plan.Packages) == 0 || plan.PlanVersion != 1 {
			t.Errorf("%s: %+v", f, plan)
		}
		// The core reads the Go value back to the same bytes.
		parsed, err := ghpkg.ParsePlan(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out, err := parsed.JSON()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if string(out)+"\n" != string(data) {
			t.Errorf("%s: the core's JSON of the Go plan differs from the golden", f)
		}
	}
}

// The Go types against the schemas the library itself publishes: every
// property of every object is a field, and every field a property; every
// enum value has a constant.
func TestTheGoTypesMatchTheSchemas(t *testing.T) {
	schemas, err := ghpkg.RetentionSchemas()
	if err != nil {
		t.Fatal(err)
	}
	// The committed schemas/ files are what the library publishes.
	for name, schema := range schemas {
		committed, err := os.ReadFile(filepath.Join(goldensDir(), "..", "..", "schemas", name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameJSONValue(t, name, committed, schema)
	}
	type object struct {
		Type       string                     `json:"type"`
		Properties map[string]json.RawMessage `json:"properties"`
		OneOf      []json.RawMessage          `json:"oneOf"`
		Ref        string                     `json:"$ref"`
	}
	type document struct {
		object
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	read := func(name string) document {
		var d document
		if err := json.Unmarshal(schemas[name], &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return d
	}
	checkObject := func(where string, props map[string]json.RawMessage, goType reflect.Type) {
		t.Helper()
		var want, have []string
		for k := range props {
			want = append(want, k)
		}
		have = jsonFields(goType)
		sort.Strings(want)
		sort.Strings(have)
		if !slices.Equal(want, have) {
			t.Errorf("%s: schema properties %v, Go %s fields %v", where, want, goType, have)
		}
	}
	checkEnum := func(where string, oneOf []json.RawMessage, values any) {
		t.Helper()
		var want []string
		for _, raw := range oneOf {
			var c struct {
				Const string `json:"const"`
			}
			_ = json.Unmarshal(raw, &c)
			want = append(want, c.Const)
		}
		var have []string
		v := reflect.ValueOf(values)
		for i := 0; i < v.Len(); i++ {
			have = append(have, v.Index(i).String())
		}
		sort.Strings(want)
		sort.Strings(have)
		if !slices.Equal(want, have) {
			t.Errorf("%s: schema values %v, Go constants %v", where, want, have)
		}
	}
	types := map[string]reflect.Type{
		"Plan": reflect.TypeFor[ghpkg.Plan](), "Target": reflect.TypeFor[ghpkg.Target](),
		"Edit": reflect.TypeFor[ghpkg.Edit](), "PackagePlan": reflect.TypeFor[ghpkg.PackagePlan](),
		"ListingSummary": reflect.TypeFor[ghpkg.ListingSummary](), "Reason": reflect.TypeFor[ghpkg.Reason](),
		"Action": reflect.TypeFor[ghpkg.Action](), "Summary": reflect.TypeFor[ghpkg.Summary](),
		"Warning": reflect.TypeFor[ghpkg.Warning](), "Totals": reflect.TypeFor[ghpkg.Totals](),
		"Requests": reflect.TypeFor[ghpkg.Requests](), "Report": reflect.TypeFor[ghpkg.Report](),
		"Item": reflect.TypeFor[ghpkg.Item](), "ErrorInfo": reflect.TypeFor[ghpkg.ErrorInfo](),
		"Resume": reflect.TypeFor[ghpkg.Resume](), "VerifyReport": reflect.TypeFor[ghpkg.VerifyReport](),
		"Broken": reflect.TypeFor[ghpkg.Broken](),
	}
	enums := map[string]any{
		"PackageStatus": []ghpkg.PackageStatus{ghpkg.PackageOK, ghpkg.PackageBlocked},
		"Verdict":       []ghpkg.Verdict{ghpkg.Keep, ghpkg.Delete, ghpkg.Untag},
		"Role":          []ghpkg.Role{ghpkg.RoleRoot, ghpkg.RoleChild, ghpkg.RoleReferrer},
		"VersionKind": []ghpkg.VersionKind{ghpkg.VersionKindIndex, ghpkg.VersionKindImage,
			ghpkg.VersionKindAttestation, ghpkg.VersionKindSignature, ghpkg.VersionKindArtifact,
			ghpkg.VersionKindMissing, ghpkg.VersionKindUnreadable, ghpkg.VersionKindVersion},
		"Status": []ghpkg.Status{ghpkg.StatusComplete, ghpkg.StatusPartial, ghpkg.StatusFailed},
		"Outcome": []ghpkg.Outcome{ghpkg.OutcomeDeleted, ghpkg.OutcomeUntagged,
			ghpkg.OutcomePackageDeleted, ghpkg.OutcomeAlreadyGone, ghpkg.OutcomeSkippedDrift,
			ghpkg.OutcomeSkippedProtectedNow, ghpkg.OutcomeRefusedLastVersion,
			ghpkg.OutcomeRefusedDownloads, ghpkg.OutcomeForbidden, ghpkg.OutcomeFailed,
			ghpkg.OutcomeDeferred, ghpkg.OutcomeNotAttempted, ghpkg.OutcomeRestored,
			ghpkg.OutcomeExpired, ghpkg.OutcomeNotDeleted, ghpkg.OutcomeNamespaceTaken,
			ghpkg.OutcomeRestorable},
		"VerifyFailure": []ghpkg.VerifyFailure{ghpkg.VerifyFailureReport, ghpkg.VerifyFailureUndoRun},
	}
	// The policy's own definitions are not typed in Go: a policy is JSON.
	policyDefs := read("policy.schema.json").Defs
	seen := map[string]bool{}
	for _, name := range []string{"plan.schema.json", "report.schema.json", "event.schema.json", "apply-options.schema.json"} {
		doc := read(name)
		for def, raw := range doc.Defs {
			if _, ok := policyDefs[def]; ok || def == "Policy" {
				continue
			}
			var o object
			_ = json.Unmarshal(raw, &o)
			switch {
			case o.Type == "object":
				goType, ok := types[def]
				if !ok {
					t.Errorf("%s: no Go type for the object %s", name, def)
					continue
				}
				checkObject(name+" "+def, o.Properties, goType)
			case len(o.OneOf) > 0:
				values, ok := enums[def]
				if !ok {
					t.Errorf("%s: no Go constants for the enum %s", name, def)
					continue
				}
				checkEnum(name+" "+def, o.OneOf, values)
			default:
				t.Errorf("%s: %s is neither an object nor an enum", name, def)
			}
			seen[def] = true
		}
	}
	checkObject("plan.schema.json", read("plan.schema.json").Properties, types["Plan"])
	checkObject("report.schema.json", read("report.schema.json").Properties, types["Report"])
	for name, goType := range map[string]reflect.Type{
		"plan-options.schema.json":  reflect.TypeFor[ghpkg.PlanOptions](),
		"apply-options.schema.json": reflect.TypeFor[ghpkg.ApplyOptions](),
		"undo-options.schema.json":  reflect.TypeFor[ghpkg.UndoOptions](),
	} {
		checkObject(name, read(name).Properties, goType)
	}
	// Each event variant: its properties besides "type" (an outcome's are an Item's).
	variants := map[string]reflect.Type{
		"phase": reflect.TypeFor[ghpkg.PhaseEvent](), "progress": reflect.TypeFor[ghpkg.ProgressEvent](),
		"waiting": reflect.TypeFor[ghpkg.WaitingEvent](), "outcome": reflect.TypeFor[ghpkg.OutcomeEvent](),
		"report": reflect.TypeFor[ghpkg.ReportEvent](),
	}
	events := read("event.schema.json")
	if len(events.OneOf) != len(variants) {
		t.Errorf("event.schema.json has %d variants, Go %d", len(events.OneOf), len(variants))
	}
	for _, raw := range events.OneOf {
		var v object
		_ = json.Unmarshal(raw, &v)
		var typ struct {
			Const string `json:"const"`
		}
		_ = json.Unmarshal(v.Properties["type"], &typ)
		props := map[string]json.RawMessage{}
		for k, p := range v.Properties {
			if k != "type" {
				props[k] = p
			}
		}
		if v.Ref == "#/$defs/Item" {
			var item object
			_ = json.Unmarshal(events.Defs["Item"], &item)
			props = item.Properties
		}
		goType, ok := variants[typ.Const]
		if !ok {
			t.Errorf("no Go type for the event %q", typ.Const)
			continue
		}
		checkObject("event "+typ.Const, props, goType)
	}
	for def := range types {
		if !seen[def] && def != "Plan" && def != "Report" {
			t.Errorf("the Go type %s matches no schema definition", def)
		}
	}
}

// jsonFields are the JSON names of a struct's fields, embedded structs flattened.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

func TestEventsEncodeAsTheCoreWritesThem(t *testing.T) {
	samples := []string{
		`{"type":"phase","phase":"preflight"}`,
		`{"type":"phase","phase":"revalidate","package":"api/server"}`,
		`{"type":"progress","phase":"delete","done":3,"total":7,"rate_per_min":150.0,"eta_seconds":2}`,
		`{"type":"waiting","reason":"secondary_rate_limit","until":"2026-06-01T00:01:00.5Z","request_id":"ABCD:1"}`,
		`{"type":"outcome","package":"ui-kit","version_id":20021,"digest":"2.0.0","outcome":"failed","http_status":502,"attempts":3,"request_id":"R1","at":"2026-06-01T00:00:00.123456Z","detail":"x","error":{"kind":"SERVER","message":"bad gateway","status":502,"request_id":"R1"}}`,
		`{"type":"outcome","package":"ui-kit","outcome":"package_deleted","attempts":1}`,
	}
	for _, s := range samples {
		roundTripEvent(t, []byte(s))
	}
	if _, err := ghpkg.ParseEvent([]byte(`{"type":"party"}`)); err == nil {
		t.Error("an unknown event type is an error")
	}
	if _, err := ghpkg.DecodeEventStrict([]byte(`{"type":"phase","phase":"x","colour":"red"}`)); err == nil {
		t.Error("a field the Go types lack is refused when strict")
	}
	if ev, err := ghpkg.ParseEvent([]byte(`{"type":"phase","phase":"x","colour":"red"}`)); err != nil || ev.(*ghpkg.PhaseEvent).Phase != "x" {
		t.Errorf("ParseEvent reads what it knows: %v %v", ev, err)
	}
	// Owners as policies name them.
	for _, s := range []string{`"me"`, `{"org":"acme"}`, `{"user":"octocat"}`} {
		var o ghpkg.Owner
		if err := json.Unmarshal([]byte(s), &o); err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(o); string(b) != s {
			t.Errorf("owner %s -> %s", s, b)
		}
	}
	var o ghpkg.Owner
	for _, bad := range []string{`"you"`, `{"team":"x"}`, `{"org":"a","user":"b"}`, `3`} {
		if err := json.Unmarshal([]byte(bad), &o); err == nil {
			t.Errorf("owner %s accepted", bad)
		}
	}
}
