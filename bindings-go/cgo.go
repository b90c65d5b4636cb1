// Package ghpkg is the Go binding of ghpkg, a client for the GitHub Packages
// REST API: list, inspect, delete and restore packages and package versions
// for the authenticated user, an organization or any user, and clean up a
// registry by policy with a reviewable plan ([Client.Retention]).
//
// It wraps the C ABI of libghpkg (include/ghpkg.h) through cgo and links its
// static library. The released module archive carries the library prebuilt
// for each platform it was built for (lib/GOOS_GOARCH/libghpkg.a), so a
// program builds with Go and a C compiler alone. In the source tree the
// library comes from the Rust workspace: build it first with
//
//	cargo build --release -p ghpkg-c
//
// (a debug build works too: set CGO_LDFLAGS=-L<workspace>/target/debug).
//
// A [Client] is safe for concurrent use. Calls block the calling goroutine
// until GitHub answers, but not an OS thread: the single-object calls go
// through the C ABI's calls that do not block and wait on a channel, so
// thousands of goroutines can have reads in flight on a few threads (the
// client keeps at most 100 requests in flight, GitHub's limit, and queues
// the rest). A context that ends first makes the call return ctx.Err() at
// once and cancels the request (a delete already sent may still happen;
// listings and retention runs stop between requests). Listings
// are iterators ([iter.Seq2]) that fetch pages as they are consumed. Failures
// are [*Error] values carrying a [Kind], usable with errors.As and errors.Is.
// Results are plain Go values: nothing returned refers to C memory.
package ghpkg

/*
#cgo CFLAGS: -I${SRCDIR}/include
#cgo linux,amd64 LDFLAGS: -L${SRCDIR}/lib/linux_amd64
#cgo linux,arm64 LDFLAGS: -L${SRCDIR}/lib/linux_arm64
#cgo darwin,amd64 LDFLAGS: -L${SRCDIR}/lib/darwin_amd64
#cgo darwin,arm64 LDFLAGS: -L${SRCDIR}/lib/darwin_arm64
#cgo CFLAGS: -I${SRCDIR}/../include
#cgo LDFLAGS: -L${SRCDIR}/../target/release
#cgo linux LDFLAGS: -Wl,-Bstatic -lghpkg -Wl,-Bdynamic -lgcc_s -lutil -lrt -lpthread -lm -ldl
#cgo darwin LDFLAGS: -lghpkg -framework Security -framework CoreFoundation
#include <stdlib.h>
#include "ghpkg.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// cstrings holds the C copies of a call's string arguments until it returns.
type cstrings []unsafe.Pointer

// add copies s to C memory. A NUL byte cannot cross into C (it would cut
// the string short and name something else), so it is an InvalidArgument
// error.
func (cs *cstrings) add(what, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, localError(KindInvalidArgument, what+" contains a NUL byte")
	}
	p := C.CString(s)
	*cs = append(*cs, unsafe.Pointer(p))
	return p, nil
}

// optional is add, with "" passed as NULL.
func (cs *cstrings) optional(what, s string) (*C.char, error) {
	if s == "" {
		return nil, nil
	}
	return cs.add(what, s)
}

func (cs *cstrings) free() {
	for _, p := range *cs {
		C.free(p)
	}
	*cs = nil
}

// goString copies a C string owned by a handle; NULL becomes "".
func goString(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}
