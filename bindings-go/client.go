package ghpkg

/*
#include "ghpkg.h"
*/
import "C"

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// Option configures a [Client]. Every setting has a default, and the rules
// (the defaults, the environment, what is refused) are the core's: what an
// option sets wins, and the environment fills what is left unset unless
// [WithoutEnv] is given.
type Option func(*settings) error

type settings struct {
	opts    C.ghpkg_client_options
	strings map[string]string
}

func (s *settings) set(field, value string) error {
	s.strings[field] = value
	return nil
}

func millis(what string, d time.Duration) (C.uint64_t, error) {
	if d < 0 {
		return 0, localError(KindInvalidArgument, what+" must not be negative")
	}
	return C.uint64_t(d / time.Millisecond), nil
}

// WithToken authenticates with a token sent as `Authorization: Bearer`.
func WithToken(token string) Option {
	return func(s *settings) error { return s.set("token", token) }
}

// WithBasicAuth authenticates with HTTP Basic username:token (StackQL's
// scheme). An empty token is no token, which the core refuses with a
// username.
func WithBasicAuth(username, token string) Option {
	return func(s *settings) error {
		s.strings["username"] = username
		if token == "" {
			delete(s.strings, "token")
			return nil
		}
		return s.set("token", token)
	}
}

// WithBaseURL sets the API root: https://api.github.com (default) or a
// GitHub Enterprise Server's https://HOST/api/v3.
func WithBaseURL(url string) Option {
	return func(s *settings) error { return s.set("base_url", url) }
}

// WithUserAgent sets the User-Agent (default ghpkg/VERSION).
func WithUserAgent(ua string) Option {
	return func(s *settings) error { return s.set("user_agent", ua) }
}

// WithoutEnv stops the client from reading the environment. By default
// what no option sets comes from it: the credentials from GITHUB_TOKEN,
// GH_TOKEN, or STACKQL_GITHUB_USERNAME + STACKQL_GITHUB_PASSWORD (when no
// token, username or anonymous is given), the base URL from GITHUB_API_URL.
func WithoutEnv() Option {
	return func(s *settings) error {
		s.opts.use_env = false
		return nil
	}
}

// WithAnonymous sends no credentials, even when the environment has a
// token. It excludes [WithToken] and [WithBasicAuth].
func WithAnonymous() Option {
	return func(s *settings) error {
		s.opts.anonymous = true
		return nil
	}
}

// WithConnectTimeout limits opening a connection (default 10s).
func WithConnectTimeout(d time.Duration) Option {
	return func(s *settings) (err error) {
		s.opts.connect_timeout_ms, err = millis("connect timeout", d)
		return err
	}
}

// WithTimeout limits one whole request, body included (default 30s).
func WithTimeout(d time.Duration) Option {
	return func(s *settings) (err error) {
		s.opts.timeout_ms, err = millis("timeout", d)
		return err
	}
}

// WithRetries sets how often connection errors and 5xx answers to reads
// are retried, with jittered exponential backoff (default 3; 0 disables).
func WithRetries(n uint32) Option {
	return func(s *settings) error {
		s.opts.max_retries = C.uint32_t(n)
		return nil
	}
}

// WithRetryBackoff sets the first retry's delay before jitter; it doubles
// each time (default 250ms).
func WithRetryBackoff(d time.Duration) Option {
	return func(s *settings) (err error) {
		s.opts.retry_backoff_ms, err = millis("retry backoff", d)
		return err
	}
}

// WithMaxRateLimitWait sets the longest the client sleeps for a rate limit
// before failing with KindRateLimited (default 2m; 0 never waits).
func WithMaxRateLimitWait(d time.Duration) Option {
	return func(s *settings) (err error) {
		s.opts.max_rate_limit_wait_ms, err = millis("rate-limit wait", d)
		return err
	}
}

// WithReadAhead sets how many pages a listing may fetch concurrently
// (default 4; 1 fetches one page at a time).
func WithReadAhead(pages uint32) Option {
	return func(s *settings) error {
		s.opts.read_ahead = C.uint32_t(pages)
		return nil
	}
}

// WithPerPage sets the page size of listings, 1 to 100 (default 100).
func WithPerPage(n uint32) Option {
	return func(s *settings) error {
		s.opts.per_page = C.uint32_t(n)
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// base URL on a host other than
// loopback, which sends the token in clear text.
func WithInsecureHTTP() Option {
	return func(s *settings) error {
		s.opts.allow_insecure_http = true
		return nil
	}
}

// Client is a GitHub Packages client. It is safe for concurrent use by
// many goroutines. Close it when done; a finalizer frees it otherwise.
type Client struct {
	mu      sync.RWMutex
	ptr     *C.ghpkg_client
	cleanup runtime.Cleanup
}

// NewClient builds a client. It sends nothing. Bad settings (an empty
// token, a bad base URL, plain http to a remote host, a page size outside
// 1..100) are KindInvalidArgument errors.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{opts: C.ghpkg_client_options_default(), strings: map[string]string{}}
	for _, o := range opts {
		if err := o(&s); err != nil {
			return nil, err
		}
	}
	var cs cstrings
	defer cs.free()
	fields := []struct {
		name string
		dst  **C.char
	}{
		{"token", &s.opts.token},
		{"username", &s.opts.username},
		{"base_url", &s.opts.base_url},
		{"user_agent", &s.opts.user_agent},
	}
	for _, f := range fields {
		if v, ok := s.strings[f.name]; ok {
			p, err := cs.add(f.name, v)
			if err != nil {
				return nil, err
			}
			*f.dst = p
		}
	}
	var ptr *C.ghpkg_client
	var cerr *C.ghpkg_error
	if st := C.ghpkg_client_new(&s.opts, &ptr, &cerr); st != C.GHPKG_OK {
		return nil, errorFrom(st, cerr)
	}
	return wrap(ptr), nil
}

// NewClientFromEnv builds a client from the environment only (what
// [NewClient] does without options); anonymous when no variable is set.
func NewClientFromEnv() (*Client, error) { return NewClient() }

func wrap(ptr *C.ghpkg_client) *Client {
	c := &Client{ptr: ptr}
	c.cleanup = runtime.AddCleanup(c, func(p *C.ghpkg_client) { C.ghpkg_client_free(p) }, ptr)
	return c
}

// Close frees the client after the calls in progress return. Later calls
// fail with ErrClosed; listings already started keep working. Closing
// twice is harmless.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr != nil {
		c.cleanup.Stop()
		C.ghpkg_client_free(c.ptr)
		c.ptr = nil
	}
	return nil
}

// use runs f with the C client, holding it open for f's duration.
func (c *Client) use(f func(*C.ghpkg_client) error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return closedError()
	}
	return f(c.ptr)
}

// BaseURL is the API root requests go to.
func (c *Client) BaseURL() string {
	var url string
	_ = c.use(func(p *C.ghpkg_client) error {
		url = goString(C.ghpkg_client_base_url(p))
		return nil
	})
	return url
}

// TokenKind is the kind of the configured token, from its prefix: classic,
// oauth, fine_grained, app, user_to_server, unknown, or none when
// anonymous; "" once closed.
func (c *Client) TokenKind() string {
	var kind string
	_ = c.use(func(p *C.ghpkg_client) error {
		kind = goString(C.ghpkg_client_token_kind(p))
		return nil
	})
	return kind
}

// RateLimit is the x-ratelimit-* snapshot of the client's latest response,
// or nil before any response carried one.
func (c *Client) RateLimit() *RateLimit {
	var out *RateLimit
	_ = c.use(func(p *C.ghpkg_client) error {
		var rl C.ghpkg_rate_limit
		if C.ghpkg_client_rate_limit(p, &rl) {
			out = rateLimitFrom(&rl)
		}
		return nil
	})
	return out
}

// Scopes is what a token may do with GitHub Packages.
type Scopes struct {
	// TokenKind is classic, oauth, fine_grained, app, user_to_server, unknown or none.
	TokenKind string
	// Scopes are the scopes GitHub reported; nil when it reported none
	// (tokens other than classic and OAuth), which leaves delete and
	// restore unconfirmed.
	Scopes     []string
	CanRead    bool
	CanDelete  bool
	CanRestore bool
	// HasRepo: whether the token has `repo`, which maven and docker packages also need.
	HasRepo bool
	// Problem says why reading failed, when it did.
	Problem string
}

// Scopes checks the token with one cheap request. Bad credentials are a
// KindAuthentication error; a token GitHub refuses for packages gives
// CanRead false and a Problem.
func (c *Client) Scopes(ctx context.Context) (*Scopes, error) {
	return blocking(ctx, func() (*Scopes, error) {
		var out *Scopes
		err := c.use(func(p *C.ghpkg_client) error {
			var s *C.ghpkg_scopes
			var cerr *C.ghpkg_error
			if st := C.ghpkg_client_scopes(p, &s, &cerr); st != C.GHPKG_OK {
				return errorFrom(st, cerr)
			}
			defer C.ghpkg_scopes_free(s)
			out = &Scopes{
				TokenKind:  goString(C.ghpkg_scopes_token_kind(s)),
				CanRead:    bool(C.ghpkg_scopes_can_read(s)),
				CanDelete:  bool(C.ghpkg_scopes_can_delete(s)),
				CanRestore: bool(C.ghpkg_scopes_can_restore(s)),
				HasRepo:    bool(C.ghpkg_scopes_has_repo(s)),
				Problem:    goString(C.ghpkg_scopes_problem(s)),
			}
			if C.ghpkg_scopes_reported(s) {
				n := int(C.ghpkg_scopes_scope_count(s))
				out.Scopes = make([]string, 0, n)
				for i := 0; i < n; i++ {
					out.Scopes = append(out.Scopes, goString(C.ghpkg_scopes_scope(s, C.size_t(i))))
				}
			}
			return nil
		})
		return out, err
	})
}

// blocking runs f, a blocking call that copies its result into Go values.
// If ctx ends first, it returns ctx.Err() at once and lets f finish in the
// background (its result is dropped).
func blocking[T any](ctx context.Context, f func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if ctx.Done() == nil {
		return f()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// LibraryVersion is the version of the ghpkg core linked into the program
// ("0.1.0"): the release of the module archive it came from.
func LibraryVersion() string { return C.GoString(C.ghpkg_library_version()) }
