package ghpkg

/*
#include "ghpkg.h"
*/
import "C"

import (
	"fmt"
	"time"
)

// Kind is the category of an [Error]: the status numbers of the C ABI,
// the same table every ghpkg binding maps from.
type Kind uint32

const (
	// KindInvalidArgument: bad input (empty or unsafe name, unknown value,
	// bad option), caught before any request.
	KindInvalidArgument Kind = C.GHPKG_INVALID_ARGUMENT
	// KindAuthentication: 401, missing or bad credentials.
	KindAuthentication Kind = C.GHPKG_AUTHENTICATION
	// KindPermissionDenied: 403, missing scope, not an org admin, or a
	// token kind GitHub refuses.
	KindPermissionDenied Kind = C.GHPKG_PERMISSION_DENIED
	// KindNotFound: 404, also for private packages the token cannot see.
	KindNotFound Kind = C.GHPKG_NOT_FOUND
	// KindRejected: 400/409/422, GitHub refused by one of its rules (last
	// version, over 5,000 downloads, reused name, paging limit).
	KindRejected Kind = C.GHPKG_REJECTED
	// KindRateLimited: a primary or secondary rate limit not waited out.
	KindRateLimited Kind = C.GHPKG_RATE_LIMITED
	// KindServer: 5xx after the retries were spent.
	KindServer Kind = C.GHPKG_SERVER
	// KindTimeout: the connect or request timeout elapsed.
	KindTimeout Kind = C.GHPKG_TIMEOUT
	// KindTransport: the connection failed or dropped, a body was cut off.
	KindTransport Kind = C.GHPKG_TRANSPORT
	// KindDecode: the response could not be understood (malformed JSON, a
	// looping `next` link, a NUL byte in a string).
	KindDecode Kind = C.GHPKG_DECODE
	// KindNullArgument: a required argument was missing (a binding bug).
	KindNullArgument Kind = C.GHPKG_NULL_ARGUMENT
	// KindInvalidUTF8: a string argument was not valid UTF-8.
	KindInvalidUTF8 Kind = C.GHPKG_INVALID_UTF8
	// KindPanic: ghpkg panicked (a bug).
	KindPanic Kind = C.GHPKG_PANIC
	// KindRuntime: ghpkg's runtime could not start.
	KindRuntime Kind = C.GHPKG_RUNTIME
	// KindClosed: a call on a closed client; nothing was sent.
	KindClosed Kind = C.GHPKG_CLOSED
)

// String returns the stable code of the kind: "NOT_FOUND", "AUTHENTICATION", ...
func (k Kind) String() string {
	return C.GoString(C.ghpkg_status_code(C.ghpkg_status(k)))
}

// Retryable reports whether trying the same call later may succeed, by the
// core's table (rate limits, server errors, timeouts, transport failures).
func (k Kind) Retryable() bool {
	return bool(C.ghpkg_status_is_retryable(C.ghpkg_status(k)))
}

// closedError is the error of a call on a closed client, in the core's words.
func closedError() *Error {
	return localError(KindClosed, C.GoString(C.ghpkg_status_describe(C.GHPKG_CLOSED)))
}

// Sentinels for errors.Is: errors.Is(err, ghpkg.ErrNotFound) is true for
// every *Error of that kind.
var (
	ErrInvalidArgument  = &Error{Kind: KindInvalidArgument}
	ErrAuthentication   = &Error{Kind: KindAuthentication}
	ErrPermissionDenied = &Error{Kind: KindPermissionDenied}
	ErrNotFound         = &Error{Kind: KindNotFound}
	ErrRejected         = &Error{Kind: KindRejected}
	ErrRateLimited      = &Error{Kind: KindRateLimited}
	ErrServer           = &Error{Kind: KindServer}
	ErrTimeout          = &Error{Kind: KindTimeout}
	ErrTransport        = &Error{Kind: KindTransport}
	ErrDecode           = &Error{Kind: KindDecode}
	ErrClosed           = &Error{Kind: KindClosed}
)

// Error is a failed ghpkg call: a kind plus everything GitHub said about
// it. It never contains a token.
type Error struct {
	Kind Kind
	// Message is GitHub's message, or ghpkg's description of a local failure.
	Message string
	// HTTPStatus is the status of the failed response; 0 when none arrived.
	HTTPStatus int
	// DocumentationURL is GitHub's documentation_url, when it sent one.
	DocumentationURL string
	// RequestID is the x-github-request-id of the failed response.
	RequestID string
	// Hint explains a recognised cause (a token kind GitHub refuses, a
	// missing scope) and what to do instead.
	Hint string
	// RetryAfter is how long to wait before retrying; 0 when unknown.
	RetryAfter time.Duration
	// RateLimit is the failed response's x-ratelimit-* snapshot, if any.
	RateLimit *RateLimit

	description string
}

func (e *Error) Error() string {
	if e.description != "" {
		return "ghpkg: " + e.description
	}
	return fmt.Sprintf("ghpkg: %s: %s", e.Kind, e.Message)
}

// Is reports whether target is the sentinel of e's kind (ErrNotFound, ...).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Message == "" && t.description == ""
}

// RateLimit is a snapshot of GitHub's x-ratelimit-* headers.
type RateLimit struct {
	Limit     uint64
	Remaining uint64
	Used      uint64
	Reset     time.Time
}

func rateLimitFrom(rl *C.ghpkg_rate_limit) *RateLimit {
	return &RateLimit{
		Limit:     uint64(rl.limit),
		Remaining: uint64(rl.remaining),
		Used:      uint64(rl.used),
		Reset:     time.Unix(int64(rl.reset), 0).UTC(),
	}
}

func localError(kind Kind, message string) *Error {
	return &Error{Kind: kind, Message: message, description: kind.String() + ": " + message}
}

// errorFrom copies a failure out of C and frees the C error.
func errorFrom(status C.ghpkg_status, e *C.ghpkg_error) error {
	if e == nil {
		return localError(Kind(status), C.GoString(C.ghpkg_status_describe(status)))
	}
	defer C.ghpkg_error_free(e)
	out := &Error{
		Kind:             Kind(C.ghpkg_error_status(e)),
		Message:          goString(C.ghpkg_error_message(e)),
		HTTPStatus:       int(C.ghpkg_error_http_status(e)),
		DocumentationURL: goString(C.ghpkg_error_documentation_url(e)),
		RequestID:        goString(C.ghpkg_error_request_id(e)),
		Hint:             goString(C.ghpkg_error_hint(e)),
		description:      goString(C.ghpkg_error_describe(e)),
	}
	if ms := int64(C.ghpkg_error_retry_after_ms(e)); ms >= 0 {
		out.RetryAfter = time.Duration(ms) * time.Millisecond
	}
	var rl C.ghpkg_rate_limit
	if C.ghpkg_error_rate_limit(e, &rl) {
		out.RateLimit = rateLimitFrom(&rl)
	}
	return out
}
