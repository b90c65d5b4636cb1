package ghpkg_test

// The cross-language scenarios of tests/scenarios.json, replayed through the
// Go binding. The Rust, Python and Node suites replay the same file, so every
// front door is held to the same behaviour. Each scenario runs against a
// fresh ghpkg-emulator process; each step checks the scenarioResult (core field
// names mapped onto the Go struct fields) or the *ghpkg.Error, and, where the
// scenario says so, the request that was sent (or that none was). The
// emulator process keeps its request log to itself, so the client talks to
// it through a recording reverse proxy that logs each request exactly as it
// arrived. The format is described in tests/README.md.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ghpkg "github.com/ghpkg/ghpkg/bindings-go"
)

var (
	packageArgs = []string{"owner", "package_type", "name"}
	versionArgs = []string{"owner", "package_type", "name", "version_id"}
	// Each operation: required args, optional args.
	scenarioOps = map[string][2][]string{
		"list_packages":    {{"owner", "package_type"}, {"visibility"}},
		"get_package":      {packageArgs, nil},
		"delete_package":   {packageArgs, nil},
		"restore_package":  {packageArgs, {"token"}},
		"list_versions":    {packageArgs, {"state"}},
		"get_version":      {versionArgs, nil},
		"delete_version":   {versionArgs, nil},
		"restore_version":  {versionArgs, nil},
		"docker_conflicts": {{"owner"}, nil},
		"catalog_select":   {{"resource", "params"}, nil},
		"catalog_delete":   {{"resource", "params"}, nil},
		"catalog_exec":     {{"resource", "method", "params"}, nil},
		"client":           {nil, {"token", "username", "anonymous", "base_url", "use_env"}},
	}
	// The variables a client may read, which a client step controls.
	envVars      = []string{"GITHUB_TOKEN", "GH_TOKEN", "STACKQL_GITHUB_USERNAME", "STACKQL_GITHUB_PASSWORD", "GITHUB_API_URL"}
	clientKeys   = []string{"base_url", "token_kind", "authorization"}
	scenarioKeys = []string{"name", "steps"}
	stepKeys     = []string{"op", "args", "token", "expect", "wire", "sends_nothing", "env"}
	errorKeys    = []string{"error", "status", "message"}
	successKeys  = []string{"ok", "fields", "count", "names", "ids", "tags"}
	wireKeys     = []string{"method", "path", "query_contains", "requests"}
	// The demo dataset's tokens by scenario name; "demo" is the emulator's own.
	scenarioTokens = map[string]string{
		"read_only":      readOnlyToken,
		"no_scopes":      "ghp_pP52NYaCD4P5cGB5737GAiLPcMKaGZlYQ6AP",
		"hubot":          hubotToken,
		"oauth":          "gho_nYYgYUkRO7FFuGLi72lLJvZHqM5pEIkOV4ES",
		"fine_grained":   fineGrainedToken,
		"app":            "ghs_uFZm5XfOI5DUwYK4KTkRBjOYjKG6UMbS5fMF",
		"actions":        "ghs_fMG43VaACyEWxBJnTVnXTxRK2VYcJHoI4tKO",
		"user_to_server": "ghu_iMSaULlW7mQUg2HiR2pNFfGQy6HzDYqHBlBQ",
	}
	tokenPrefixes = []string{"ghp_", "gho_", "ghs_", "ghu_", "github_pat_"}
)

type jsonObject = map[string]any

// scenarioItem is one object a call returned: a package, a version or a catalog row.
type scenarioItem struct {
	pkg *ghpkg.Package
	ver *ghpkg.Version
	row ghpkg.Row
}

// scenarioResult is what a call returned: nothing, one item, or a listing.
type scenarioResult struct {
	shape string // "unit", "one" or "many"
	one   scenarioItem
	many  []scenarioItem
}

func checkKeys(v any, required, allowed []string, what string) error {
	o, ok := v.(jsonObject)
	if !ok {
		return fmt.Errorf("%s must be an object, got %v", what, v)
	}
	for k := range o {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("%s: unknown key %q (allowed: %v)", what, k, allowed)
		}
	}
	for _, k := range required {
		if _, ok := o[k]; !ok {
			return fmt.Errorf("%s: missing key %q", what, k)
		}
	}
	return nil
}

// scenarioToken resolves a step's token: a demo token's name, "anonymous"
// (ok with ""), or a literal token recognised by its prefix.
func scenarioToken(name, demoToken string) (string, error) {
	switch {
	case name == "anonymous":
		return "", nil
	case name == "demo":
		return demoToken, nil
	}
	if t, ok := scenarioTokens[name]; ok {
		return t, nil
	}
	for _, p := range tokenPrefixes {
		if strings.HasPrefix(name, p) {
			return name, nil
		}
	}
	return "", fmt.Errorf("unknown token name %q", name)
}

func validateStep(v any) error {
	if err := checkKeys(v, []string{"op", "args", "expect"}, stepKeys, "step"); err != nil {
		return err
	}
	step := v.(jsonObject)
	op, _ := step["op"].(string)
	spec, ok := scenarioOps[op]
	if !ok {
		return fmt.Errorf("unknown op %q", step["op"])
	}
	if err := checkKeys(step["args"], spec[0], append(slices.Clone(spec[0]), spec[1]...), "args"); err != nil {
		return err
	}
	if owner, ok := step["args"].(jsonObject)["owner"]; ok {
		if err := checkKeys(owner, nil, []string{"org", "user"}, "owner"); err != nil {
			return err
		}
		if len(owner.(jsonObject)) > 1 {
			return errors.New("owner: give org or user, not both")
		}
	}
	if op == "client" {
		return validateClientStep(step)
	}
	if _, ok := step["env"]; ok {
		return errors.New("env: only client steps take an environment")
	}
	if tok, ok := step["token"]; ok {
		name, _ := tok.(string)
		if _, err := scenarioToken(name, ""); err != nil {
			return err
		}
	}
	expect, _ := step["expect"].(jsonObject)
	if _, isErr := expect["error"]; isErr {
		if err := checkKeys(expect, []string{"error"}, errorKeys, "expect (error)"); err != nil {
			return err
		}
	} else {
		if err := checkKeys(step["expect"], nil, successKeys, "expect (success)"); err != nil {
			return err
		}
		if len(expect) == 0 {
			return errors.New(`expect: empty; use {"ok": true} for a bare success`)
		}
		if ok, has := expect["ok"]; has && ok != true {
			return errors.New("expect: ok must be true")
		}
	}
	wire, hasWire := step["wire"]
	nothing, hasNothing := step["sends_nothing"]
	if hasWire && hasNothing {
		return errors.New("wire and sends_nothing exclude each other")
	}
	if hasWire {
		if err := checkKeys(wire, nil, wireKeys, "wire"); err != nil {
			return err
		}
	}
	if hasNothing && nothing != true {
		return errors.New("sends_nothing must be true")
	}
	return nil
}

func validateClientStep(step jsonObject) error {
	for _, key := range []string{"token", "wire", "sends_nothing"} {
		if _, ok := step[key]; ok {
			return fmt.Errorf("%s: not taken by client steps", key)
		}
	}
	env, ok := step["env"]
	if !ok {
		return errors.New("client steps need env")
	}
	if err := checkKeys(env, nil, envVars, "env"); err != nil {
		return err
	}
	for k, v := range env.(jsonObject) {
		value, ok := v.(string)
		if !ok {
			return fmt.Errorf("env.%s must be a string", k)
		}
		if (strings.HasSuffix(k, "TOKEN") || k == "STACKQL_GITHUB_PASSWORD") && value != "" {
			if _, err := scenarioToken(value, ""); err != nil {
				return err
			}
		}
	}
	if tok, ok := step["args"].(jsonObject)["token"]; ok {
		name, _ := tok.(string)
		if _, err := scenarioToken(name, ""); err != nil {
			return err
		}
	}
	expect, _ := step["expect"].(jsonObject)
	if _, isErr := expect["error"]; isErr {
		return checkKeys(expect, []string{"error"}, errorKeys, "expect (error)")
	}
	return checkKeys(expect, []string{"base_url"}, clientKeys, "expect (client)")
}

// loadScenarios reads and validates the whole file, so a typo fails the
// run before any scenario starts.
func loadScenarios(t *testing.T) []jsonObject {
	t.Helper()
	path, _ := filepath.Abs(filepath.Join("..", "tests", "scenarios.json"))
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("cannot read the scenario file: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var all []any
	if err := dec.Decode(&all); err != nil || len(all) == 0 {
		t.Fatalf("%s must hold a non-empty JSON list (%v)", path, err)
	}
	var out []jsonObject
	var problems []string
	names := map[string]bool{}
	for i, s := range all {
		err := checkKeys(s, scenarioKeys, scenarioKeys, "scenario")
		if err == nil {
			sc := s.(jsonObject)
			name, _ := sc["name"].(string)
			steps, _ := sc["steps"].([]any)
			switch {
			case names[name]:
				err = fmt.Errorf("duplicate scenario name %q", name)
			case len(steps) == 0:
				err = errors.New("steps must be a non-empty list")
			}
			names[name] = true
			for j, step := range steps {
				if err == nil {
					if e := validateStep(step); e != nil {
						err = fmt.Errorf("step %d: %w", j+1, e)
					}
				}
			}
			out = append(out, sc)
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("scenario %d: %v", i+1, err))
		}
	}
	if len(problems) > 0 {
		t.Fatalf("bad scenario file:\n%s", strings.Join(problems, "\n"))
	}
	return out
}

// loggedRequest is one request as it reached the emulator, still encoded.
type loggedRequest struct {
	method, path  string
	query         *string
	authorization *string
}

// wireRecorder is a reverse proxy in front of an emulator process that logs
// every request's method, raw path and raw query before forwarding it
// byte for byte.
type wireRecorder struct {
	mu   sync.Mutex
	log  []loggedRequest
	srv  *httptest.Server
	base string
}

func newRecorder(t *testing.T, target string) *wireRecorder {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rec := &wireRecorder{}
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(u)
		rawPath, rawQuery, _ := strings.Cut(pr.In.RequestURI, "?")
		pr.Out.URL.Opaque = rawPath // sent as received, never re-encoded
		pr.Out.URL.RawQuery = rawQuery
		pr.Out.Host = pr.In.Host // so the emulator's link headers point back here
	}}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rawPath, rawQuery, hasQuery := strings.Cut(r.RequestURI, "?")
		entry := loggedRequest{method: r.Method, path: rawPath}
		if hasQuery {
			entry.query = &rawQuery
		}
		if auth, ok := r.Header["Authorization"]; ok && len(auth) > 0 {
			entry.authorization = &auth[0]
		}
		rec.mu.Lock()
		rec.log = append(rec.log, entry)
		rec.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(rec.srv.Close)
	rec.base = rec.srv.URL
	return rec
}

func (r *wireRecorder) requests() []loggedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

func scenarioOwner(args jsonObject) ghpkg.Owner {
	o, _ := args["owner"].(jsonObject)
	if org, ok := o["org"].(string); ok {
		return ghpkg.Org(org)
	}
	if user, ok := o["user"].(string); ok {
		return ghpkg.User(user)
	}
	return ghpkg.AuthenticatedUser
}

func argString(args jsonObject, key string) string {
	s, _ := args[key].(string)
	return s
}

func drainListing[T any](seq func(func(T, error) bool), wrap func(T) scenarioItem) (scenarioResult, error) {
	r := scenarioResult{shape: "many", many: []scenarioItem{}}
	for v, err := range seq {
		if err != nil {
			return scenarioResult{}, err
		}
		r.many = append(r.many, wrap(v))
	}
	return r, nil
}

func rowsResult(rows []ghpkg.Row, err error) (scenarioResult, error) {
	if err != nil {
		return scenarioResult{}, err
	}
	r := scenarioResult{shape: "many", many: []scenarioItem{}}
	for _, row := range rows {
		r.many = append(r.many, scenarioItem{row: row})
	}
	return r, nil
}

func pkgItem(p *ghpkg.Package) scenarioItem        { return scenarioItem{pkg: p} }
func verItem(v *ghpkg.Version) scenarioItem        { return scenarioItem{ver: v} }
func unitResult(err error) (scenarioResult, error) { return scenarioResult{shape: "unit"}, err }

// scenarioCall runs one step's call through the Go API.
func scenarioCall(ctx context.Context, c *ghpkg.Client, op string, args jsonObject) (scenarioResult, error) {
	params, _ := args["params"].(jsonObject)
	switch op {
	case "catalog_select":
		return rowsResult(c.CatalogSelect(ctx, argString(args, "resource"), params))
	case "catalog_delete":
		return unitResult(c.CatalogDelete(ctx, argString(args, "resource"), params))
	case "catalog_exec":
		return rowsResult(c.CatalogExec(ctx, argString(args, "resource"), argString(args, "method"), params))
	}
	owner := scenarioOwner(args)
	ty := ghpkg.PackageType(argString(args, "package_type"))
	name := argString(args, "name")
	var id uint64
	if n, ok := args["version_id"].(json.Number); ok {
		var err error
		if id, err = strconv.ParseUint(n.String(), 10, 64); err != nil {
			return scenarioResult{}, fmt.Errorf("version_id %s: %w", n, err)
		}
	}
	switch op {
	case "list_packages":
		return drainListing(c.ListPackages(ctx, owner, ty, ghpkg.Visibility(argString(args, "visibility"))), pkgItem)
	case "docker_conflicts":
		return drainListing(c.DockerConflicts(ctx, owner), pkgItem)
	case "list_versions":
		return drainListing(c.ListVersions(ctx, owner, ty, name, ghpkg.VersionState(argString(args, "state"))), verItem)
	case "get_package":
		p, err := c.GetPackage(ctx, owner, ty, name)
		return scenarioResult{shape: "one", one: scenarioItem{pkg: p}}, err
	case "get_version":
		v, err := c.GetVersion(ctx, owner, ty, name, id)
		return scenarioResult{shape: "one", one: scenarioItem{ver: v}}, err
	case "delete_package":
		return unitResult(c.DeletePackage(ctx, owner, ty, name))
	case "restore_package":
		return unitResult(c.RestorePackage(ctx, owner, ty, name, argString(args, "token")))
	case "delete_version":
		return unitResult(c.DeleteVersion(ctx, owner, ty, name, id))
	case "restore_version":
		return unitResult(c.RestoreVersion(ctx, owner, ty, name, id))
	}
	return scenarioResult{}, fmt.Errorf("unknown op %q", op)
}

// absent maps Go's "" for a missing optional string to the core's null.
func absent(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// scenarioField maps a core field name onto the Go scenarioResult: struct fields of typed
// results (repository.full_name is pkg.Repository.FullName), keys of rows.
func scenarioField(it scenarioItem, path string) (any, error) {
	switch {
	case it.pkg != nil:
		p := it.pkg
		switch path {
		case "id":
			return p.ID, nil
		case "name":
			return p.Name, nil
		case "package_type":
			return string(p.PackageType), nil
		case "visibility":
			return string(p.Visibility), nil
		case "version_count":
			return p.VersionCount, nil
		case "url":
			return p.URL, nil
		case "html_url":
			return p.HTMLURL, nil
		case "owner.login", "owner.type":
			if p.Owner == nil {
				return nil, nil
			}
			if path == "owner.login" {
				return p.Owner.Login, nil
			}
			return p.Owner.Type, nil
		case "repository.full_name":
			if p.Repository == nil {
				return nil, nil
			}
			return p.Repository.FullName, nil
		}
		return nil, fmt.Errorf("fields: %q is not a package field", path)
	case it.ver != nil:
		v := it.ver
		switch path {
		case "id":
			return v.ID, nil
		case "name":
			return v.Name, nil
		case "url":
			return v.URL, nil
		case "package_html_url":
			return v.PackageHTMLURL, nil
		case "html_url":
			return absent(v.HTMLURL), nil
		case "license":
			return absent(v.License), nil
		case "description":
			return absent(v.Description), nil
		case "metadata.package_type":
			return absent(string(v.PackageType)), nil
		}
		return nil, fmt.Errorf("fields: %q is not a version field", path)
	}
	var cur any = map[string]any(it.row)
	for _, part := range strings.Split(path, ".") {
		if cur == nil {
			return nil, nil
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("fields: %q does not resolve", path)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("fields: the row has no %q", path)
		}
	}
	return cur, nil
}

func (it scenarioItem) nameAndID() (any, any) {
	switch {
	case it.pkg != nil:
		return it.pkg.Name, it.pkg.ID
	case it.ver != nil:
		return it.ver.Name, it.ver.ID
	}
	return it.row["name"], it.row["id"]
}

// sameJSON compares as JSON, so a uint64 id equals the file's number.
func sameJSON(have, want any) (bool, string) {
	h, err1 := json.Marshal(have)
	w, err2 := json.Marshal(want)
	return err1 == nil && err2 == nil && bytes.Equal(h, w), string(h)
}

func checkSuccess(expect jsonObject, r scenarioResult) error {
	listing := func(key string) ([]scenarioItem, error) {
		if r.shape != "many" {
			return nil, fmt.Errorf("%s: the result is not a listing", key)
		}
		return r.many, nil
	}
	for key, want := range expect {
		var have any
		switch key {
		case "ok":
			continue
		case "count":
			items, err := listing(key)
			if err != nil {
				return err
			}
			have = len(items)
		case "names", "ids":
			items, err := listing(key)
			if err != nil {
				return err
			}
			values := []any{}
			for _, it := range items {
				name, id := it.nameAndID()
				if key == "names" {
					values = append(values, name)
				} else {
					values = append(values, id)
				}
			}
			have = values
		case "fields":
			var it scenarioItem
			switch {
			case r.shape == "unit":
				return errors.New("fields: the call returns nothing")
			case r.shape == "one":
				it = r.one
			case len(r.many) == 0:
				return errors.New("fields: the listing is empty")
			default:
				it = r.many[0]
			}
			for path, wanted := range want.(jsonObject) {
				got, err := scenarioField(it, path)
				if err != nil {
					return err
				}
				if ok, shown := sameJSON(got, wanted); !ok {
					return fmt.Errorf("fields.%s: expected %v, got %s", path, wanted, shown)
				}
			}
			continue
		case "tags":
			if r.shape != "one" || r.one.ver == nil {
				return errors.New("tags: the result is not a version")
			}
			have = r.one.ver.Tags
		default:
			return fmt.Errorf("unknown expectation %q", key)
		}
		if ok, shown := sameJSON(have, want); !ok {
			return fmt.Errorf("%s: expected %v, got %s", key, want, shown)
		}
	}
	return nil
}

func checkError(expect jsonObject, err error) error {
	var e *ghpkg.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("not a *ghpkg.Error: %v", err)
	}
	if e.Kind.String() != expect["error"] {
		return fmt.Errorf("expected error %v, got %s: %v", expect["error"], e.Kind, err)
	}
	if want, ok := expect["status"]; ok {
		var have any
		if e.HTTPStatus != 0 {
			have = e.HTTPStatus
		}
		if same, shown := sameJSON(have, want); !same {
			return fmt.Errorf("status: expected %v, got %s (%v)", want, shown, err)
		}
	}
	if want, ok := expect["message"]; ok && e.Message != want {
		return fmt.Errorf("message: expected %q, got %q", want, e.Message)
	}
	return nil
}

func checkWire(wire jsonObject, sent []loggedRequest) error {
	if n, ok := wire["requests"]; ok {
		if same, _ := sameJSON(len(sent), n); !same {
			return fmt.Errorf("wire: expected %v requests, got %d", n, len(sent))
		}
	}
	if len(sent) == 0 {
		return errors.New("wire: the step sent no request")
	}
	last := sent[len(sent)-1]
	if m, ok := wire["method"]; ok && last.method != m {
		return fmt.Errorf("wire.method: expected %v, got %s", m, last.method)
	}
	if p, ok := wire["path"]; ok && last.path != p {
		return fmt.Errorf("wire.path: expected %v, got %s", p, last.path)
	}
	query := ""
	if last.query != nil {
		query = *last.query
	}
	pairs := strings.Split(query, "&")
	wanted, _ := wire["query_contains"].([]any)
	for _, w := range wanted {
		if s, ok := w.(string); !ok || !slices.Contains(pairs, s) {
			return fmt.Errorf("wire.query_contains: %v not in %q", w, query)
		}
	}
	return nil
}

// resolve maps a value of a client step: a token name is the token,
// "emulator" the (recorded) emulator URL, anything else itself.
func resolve(rec *wireRecorder, demoToken, key, value string) (string, error) {
	if value == "emulator" && strings.HasSuffix(key, "URL") {
		return rec.base, nil
	}
	if value != "" && (strings.HasSuffix(key, "TOKEN") || key == "STACKQL_GITHUB_PASSWORD" || key == "token") {
		return scenarioToken(value, demoToken)
	}
	return value, nil
}

// runClientStep builds a client with exactly the step's environment and
// options, then checks what it resolved to and the Authorization it sends.
func runClientStep(rec *wireRecorder, demoToken string, step jsonObject) error {
	expect := step["expect"].(jsonObject)
	saved := map[string]*string{}
	for _, k := range envVars {
		if v, ok := os.LookupEnv(k); ok {
			saved[k] = &v
		}
		os.Unsetenv(k)
	}
	defer func() {
		for _, k := range envVars {
			if v := saved[k]; v != nil {
				os.Setenv(k, *v)
			} else {
				os.Unsetenv(k)
			}
		}
	}()
	for k, v := range step["env"].(jsonObject) {
		value, err := resolve(rec, demoToken, k, v.(string))
		if err != nil {
			return err
		}
		os.Setenv(k, value)
	}
	args := step["args"].(jsonObject)
	var opts []ghpkg.Option
	token, _ := resolve(rec, demoToken, "token", argString(args, "token"))
	switch user := argString(args, "username"); {
	case user != "" && token != "":
		opts = append(opts, ghpkg.WithBasicAuth(user, token))
	case user != "":
		opts = append(opts, ghpkg.WithBasicAuth(user, ""))
	case token != "":
		opts = append(opts, ghpkg.WithToken(token))
	}
	if args["anonymous"] == true {
		opts = append(opts, ghpkg.WithAnonymous())
	}
	if args["use_env"] == false {
		opts = append(opts, ghpkg.WithoutEnv())
	}
	if u := argString(args, "base_url"); u != "" {
		base, _ := resolve(rec, demoToken, "base_URL", u)
		opts = append(opts, ghpkg.WithBaseURL(base))
	}
	c, err := ghpkg.NewClient(opts...)
	if _, wantErr := expect["error"]; wantErr {
		if err == nil {
			c.Close()
			return fmt.Errorf("expected error %v, but it built", expect["error"])
		}
		return checkError(expect, err)
	}
	if err != nil {
		return fmt.Errorf("expected a client, got %w", err)
	}
	defer c.Close()
	wantURL, _ := resolve(rec, demoToken, "base_URL", expect["base_url"].(string))
	if c.BaseURL() != wantURL {
		return fmt.Errorf("base_url: expected %s, got %s", wantURL, c.BaseURL())
	}
	if kind, ok := expect["token_kind"]; ok && c.TokenKind() != kind {
		return fmt.Errorf("token_kind: expected %v, got %s", kind, c.TokenKind())
	}
	want, ok := expect["authorization"]
	if !ok {
		return nil
	}
	before := len(rec.requests())
	_, _ = c.GetPackage(context.Background(), ghpkg.Org("acme"), ghpkg.Container, "api/server")
	sent := rec.requests()[before:]
	if len(sent) == 0 {
		return errors.New("authorization: no request reached the emulator")
	}
	var wantHeader *string
	if w, ok := want.(string); ok {
		scheme, rest, _ := strings.Cut(w, " ")
		var header string
		if scheme == "Basic" {
			user, name, _ := strings.Cut(rest, ":")
			tok, err := resolve(rec, demoToken, "token", name)
			if err != nil {
				return err
			}
			header = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+tok))
		} else {
			tok, err := resolve(rec, demoToken, "token", rest)
			if err != nil {
				return err
			}
			header = "Bearer " + tok
		}
		wantHeader = &header
	}
	have := sent[len(sent)-1].authorization
	if (have == nil) != (wantHeader == nil) || (have != nil && *have != *wantHeader) {
		return fmt.Errorf("authorization: expected %v, got %v", deref(wantHeader), deref(have))
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}

func runScenarioStep(rec *wireRecorder, demoToken string, step jsonObject) error {
	if step["op"] == "client" {
		return runClientStep(rec, demoToken, step)
	}
	name, _ := step["token"].(string)
	if name == "" {
		name = "demo"
	}
	token, err := scenarioToken(name, demoToken)
	if err != nil {
		return err
	}
	opts := []ghpkg.Option{ghpkg.WithBaseURL(rec.base), ghpkg.WithTimeout(20 * time.Second), ghpkg.WithoutEnv()}
	if token != "" {
		opts = append(opts, ghpkg.WithToken(token))
	} else {
		opts = append(opts, ghpkg.WithAnonymous())
	}
	c, err := ghpkg.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("NewClient: %w", err)
	}
	defer c.Close()
	expect := step["expect"].(jsonObject)
	before := len(rec.requests())
	r, err := scenarioCall(context.Background(), c, step["op"].(string), step["args"].(jsonObject))
	_, wantErr := expect["error"]
	switch {
	case err != nil && wantErr:
		if e := checkError(expect, err); e != nil {
			return e
		}
	case err != nil:
		return fmt.Errorf("expected success, got %w", err)
	case wantErr:
		return fmt.Errorf("expected error %v, but it succeeded", expect["error"])
	default:
		if e := checkSuccess(expect, r); e != nil {
			return e
		}
	}
	sent := rec.requests()[before:]
	if _, ok := step["sends_nothing"]; ok && len(sent) > 0 {
		var shown []string
		for _, s := range sent {
			shown = append(shown, s.method+" "+s.path)
		}
		return fmt.Errorf("expected no request, sent %v", shown)
	}
	if wire, ok := step["wire"].(jsonObject); ok {
		return checkWire(wire, sent)
	}
	return nil
}

func TestScenarios(t *testing.T) {
	for _, sc := range loadScenarios(t) {
		name := sc["name"].(string)
		t.Run(name, func(t *testing.T) {
			emu, err := startEmulator(binary("GHPKG_EMULATOR", "../target/debug/ghpkg-emulator"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(emu.stop)
			rec := newRecorder(t, emu.URL)
			for i, step := range sc["steps"].([]any) {
				s := step.(jsonObject)
				if err := runScenarioStep(rec, emu.Token, s); err != nil {
					t.Fatalf("[%s] step %d (%s): %v", name, i+1, s["op"], err)
				}
			}
		})
	}
}
