package ghpkg_test

import (
	"context"
	"errors"
	"iter"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	ghpkg "github.com/ghpkg/ghpkg/bindings-go"
)

func isKind(err error, kind ghpkg.Kind) bool {
	var e *ghpkg.Error
	return errors.As(err, &e) && e.Kind == kind
}

// The linked core tells its version: the workspace's, which test-go.sh
// passes in GHPKG_EXPECTED_VERSION.
func TestLibraryVersion(t *testing.T) {
	got := ghpkg.LibraryVersion()
	if want := os.Getenv("GHPKG_EXPECTED_VERSION"); want != "" && got != want {
		t.Fatalf("LibraryVersion() = %q, want %q", got, want)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+`).MatchString(got) {
		t.Fatalf("LibraryVersion() = %q, not a version", got)
	}
}

func TestKindTable(t *testing.T) {
	want := map[ghpkg.Kind]string{
		ghpkg.KindInvalidArgument: "INVALID_ARGUMENT", ghpkg.KindAuthentication: "AUTHENTICATION",
		ghpkg.KindPermissionDenied: "PERMISSION_DENIED", ghpkg.KindNotFound: "NOT_FOUND",
		ghpkg.KindRejected: "REJECTED", ghpkg.KindRateLimited: "RATE_LIMITED",
		ghpkg.KindServer: "SERVER", ghpkg.KindTimeout: "TIMEOUT",
		ghpkg.KindTransport: "TRANSPORT", ghpkg.KindDecode: "DECODE",
		ghpkg.KindNullArgument: "NULL_ARGUMENT", ghpkg.KindInvalidUTF8: "INVALID_UTF8",
		ghpkg.KindPanic: "PANIC", ghpkg.KindRuntime: "RUNTIME", ghpkg.KindClosed: "CLOSED",
	}
	for k, code := range want {
		if k.String() != code {
			t.Errorf("%d: %s, want %s", k, k, code)
		}
	}
	for n := ghpkg.Kind(1); n <= 11; n++ {
		if _, ok := want[n]; !ok {
			t.Errorf("kind %d is missing", n)
		}
	}
	for k := range want {
		retryable := k == ghpkg.KindRateLimited || k == ghpkg.KindServer || k == ghpkg.KindTimeout || k == ghpkg.KindTransport
		if k.Retryable() != retryable {
			t.Errorf("%s: Retryable() = %v", k, k.Retryable())
		}
	}
}

func TestGitHubErrors(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, demo)
	_, err := c.GetPackage(ctx, ghpkg.Org("acme"), ghpkg.Container, "no-such-package")
	var e *ghpkg.Error
	if !errors.As(err, &e) || e.Kind != ghpkg.KindNotFound || e.HTTPStatus != 404 || e.RequestID == "" ||
		e.DocumentationURL == "" || !errors.Is(err, ghpkg.ErrNotFound) || errors.Is(err, ghpkg.ErrRejected) {
		t.Errorf("not found: %#v", err)
	}
	if !strings.Contains(err.Error(), e.RequestID) {
		t.Errorf("the message names the request id: %v", err)
	}

	bad := newClient(t, demo, ghpkg.WithToken("ghp_0000000000000000000000000000000000ff"))
	_, err = bad.GetPackage(ctx, ghpkg.AuthenticatedUser, ghpkg.Container, "my app")
	if !errors.Is(err, ghpkg.ErrAuthentication) || strings.Contains(err.Error(), "ghp_0000") {
		t.Errorf("bad token: %v", err)
	}
	fg := newClient(t, demo, ghpkg.WithToken(fineGrainedToken))
	_, err = fg.GetPackage(ctx, ghpkg.AuthenticatedUser, ghpkg.Container, "my app")
	if !errors.As(err, &e) || e.Kind != ghpkg.KindPermissionDenied || !strings.Contains(e.Hint, "fine-grained") {
		t.Errorf("fine-grained token: %v", err)
	}
	hubot := newClient(t, demo, ghpkg.WithToken(hubotToken))
	if err := hubot.DeletePackage(ctx, ghpkg.Org("acme"), ghpkg.Npm, "ui-kit"); !errors.Is(err, ghpkg.ErrPermissionDenied) {
		t.Errorf("not an admin: %v", err)
	}
	err = c.DeleteVersion(ctx, ghpkg.User("octocat"), ghpkg.Npm, "hello-world", 10011)
	if !errors.As(err, &e) || e.Kind != ghpkg.KindRejected || e.HTTPStatus != 400 {
		t.Errorf("over 5,000 downloads: %v", err)
	}
	if _, err := c.GetVersion(ctx, ghpkg.AuthenticatedUser, ghpkg.Container, "x", 0); !errors.Is(err, ghpkg.ErrInvalidArgument) {
		t.Errorf("version id 0: %v", err)
	}
	if _, err := c.GetPackage(ctx, ghpkg.AuthenticatedUser, "containers", "x"); !errors.Is(err, ghpkg.ErrInvalidArgument) {
		t.Errorf("unknown package type: %v", err)
	}
	for _, err := range c.ListVersions(ctx, ghpkg.AuthenticatedUser, ghpkg.Container, "x", "purged") {
		if !errors.Is(err, ghpkg.ErrInvalidArgument) {
			t.Errorf("unknown state: %v", err)
		}
	}
	if _, err := ghpkg.NewClient(ghpkg.WithBaseURL("http://ghe.example.com/api/v3")); !errors.Is(err, ghpkg.ErrInvalidArgument) {
		t.Errorf("plain http to a remote host: %v", err)
	}
	if _, err := ghpkg.NewClient(ghpkg.WithPerPage(0)); !errors.Is(err, ghpkg.ErrInvalidArgument) {
		t.Errorf("per page 0: %v", err)
	}
	if _, err := ghpkg.NewClient(ghpkg.WithTimeout(-time.Second)); !errors.Is(err, ghpkg.ErrInvalidArgument) {
		t.Errorf("negative timeout: %v", err)
	}
	if _, err := ghpkg.NewClient(ghpkg.WithToken("ghp_a\x00b")); !errors.Is(err, ghpkg.ErrInvalidArgument) {
		t.Errorf("NUL in a token: %v", err)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, faults, ghpkg.WithMaxRateLimitWait(0))
	acme := ghpkg.Org("acme")
	var e *ghpkg.Error
	_, err := c.GetPackage(ctx, acme, ghpkg.Npm, "ui-kit")
	if !errors.As(err, &e) || e.Kind != ghpkg.KindServer || e.HTTPStatus != 502 || !e.Kind.Retryable() {
		t.Errorf("502: %v", err)
	}
	if _, err := c.GetPackage(ctx, acme, ghpkg.Maven, "com.acme.core"); !errors.Is(err, ghpkg.ErrDecode) {
		t.Errorf("malformed JSON: %v", err)
	}
	_, err = c.GetPackage(ctx, acme, ghpkg.Docker, "legacy-worker")
	if !errors.As(err, &e) || e.Kind != ghpkg.KindRateLimited || e.RetryAfter != 42*time.Second {
		t.Errorf("secondary rate limit: %v", err)
	}
	slow := newClient(t, faults, ghpkg.WithTimeout(200*time.Millisecond))
	if _, err := slow.GetPackage(ctx, acme, ghpkg.Container, "only-tag"); !errors.Is(err, ghpkg.ErrTimeout) {
		t.Errorf("timeout: %v", err)
	}
}

func TestContextEndsCallsEarly(t *testing.T) {
	c := newClient(t, faults)
	acme := ghpkg.Org("acme")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.GetPackage(cancelled, acme, ghpkg.Npm, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before the call: %v", err)
	}
	// The only-tag route answers after 3 s; the deadline is 300 ms.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetPackage(ctx, acme, ghpkg.Container, "only-tag")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("deadline: %v after %v", err, time.Since(start))
	}
	// Every acme page takes 200 ms and there are 27 of ten: the listing
	// stops when the context ends.
	paged := newClient(t, faults, ghpkg.WithPerPage(10), ghpkg.WithReadAhead(1))
	ctx, cancel = context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start = time.Now()
	n := 0
	var last error
	for _, err := range paged.ListPackages(ctx, acme, ghpkg.Container, ghpkg.AnyVisibility) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if !errors.Is(last, context.DeadlineExceeded) || n >= 264 || time.Since(start) > 3*time.Second {
		t.Errorf("listing: %d items, %v after %v", n, last, time.Since(start))
	}
}

func TestOneClientManyGoroutines(t *testing.T) {
	c := newClient(t, demo)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 3; r++ {
				n := 0
				for _, err := range c.ListPackages(ctx, ghpkg.Org("acme"), ghpkg.Container, ghpkg.AnyVisibility) {
					if err != nil {
						errs <- err
						return
					}
					n++
				}
				if n != 264 {
					errs <- errors.New("short listing")
				}
				if p, err := c.GetPackage(ctx, ghpkg.Org("acme"), ghpkg.Npm, "ui-kit"); err != nil || p.ID != 2002 {
					errs <- err
				}
				if _, err := c.GetPackage(ctx, ghpkg.Org("acme"), ghpkg.Npm, "missing"); !errors.Is(err, ghpkg.ErrNotFound) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCloseAndFinalizer(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, demo)
	seq := c.ListPackages(ctx, ghpkg.Org("acme"), ghpkg.Npm, ghpkg.AnyVisibility)
	next, stop := iter.Pull2(seq)
	defer stop()
	if _, err, ok := next(); !ok || err != nil {
		t.Fatalf("first item: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal("a second Close fails")
	}
	// A listing started before Close keeps working.
	if _, err, ok := next(); !ok || err != nil {
		t.Errorf("listing after Close: %v", err)
	}
	if _, err := c.GetPackage(ctx, ghpkg.Org("acme"), ghpkg.Npm, "ui-kit"); !errors.Is(err, ghpkg.ErrClosed) {
		t.Errorf("call after Close: %v", err)
	}
	// Clients that are never closed are freed by the garbage collector.
	for i := 0; i < 50; i++ {
		if _, err := ghpkg.NewClient(ghpkg.WithBaseURL(demo.URL)); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.GC()
}
