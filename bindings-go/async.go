package ghpkg

// Single-object calls go through libghpkg's calls that do not block
// (ghpkg_client_*_async): the cgo call only starts the request and returns,
// and the goroutine then waits on a channel that the call's callback
// signals. No OS thread is held while GitHub answers, so thousands of
// goroutines can have calls in flight on a handful of threads. A context
// that ends first cancels the call.

/*
#include <stdint.h>
#include "ghpkg.h"

extern void ghpkgGoCallDone(void *user_data, ghpkg_status status);

// The channel's cgo.Handle travels as user_data; it becomes a pointer here,
// in C, never in Go.
static ghpkg_status go_get_package(const ghpkg_client *c, ghpkg_owner_kind k, const char *o,
                                   ghpkg_package_type t, const char *n, uintptr_t h,
                                   ghpkg_call **out, ghpkg_error **err) {
    return ghpkg_client_get_package_async(c, k, o, t, n, ghpkgGoCallDone, (void *)h, out, err);
}
static ghpkg_status go_delete_package(const ghpkg_client *c, ghpkg_owner_kind k, const char *o,
                                      ghpkg_package_type t, const char *n, uintptr_t h,
                                      ghpkg_call **out, ghpkg_error **err) {
    return ghpkg_client_delete_package_async(c, k, o, t, n, ghpkgGoCallDone, (void *)h, out, err);
}
static ghpkg_status go_restore_package(const ghpkg_client *c, ghpkg_owner_kind k, const char *o,
                                       ghpkg_package_type t, const char *n, const char *token,
                                       uintptr_t h, ghpkg_call **out, ghpkg_error **err) {
    return ghpkg_client_restore_package_async(c, k, o, t, n, token, ghpkgGoCallDone, (void *)h, out, err);
}
static ghpkg_status go_get_version(const ghpkg_client *c, ghpkg_owner_kind k, const char *o,
                                   ghpkg_package_type t, const char *n, uint64_t id, uintptr_t h,
                                   ghpkg_call **out, ghpkg_error **err) {
    return ghpkg_client_get_version_async(c, k, o, t, n, id, ghpkgGoCallDone, (void *)h, out, err);
}
static ghpkg_status go_delete_version(const ghpkg_client *c, ghpkg_owner_kind k, const char *o,
                                      ghpkg_package_type t, const char *n, uint64_t id, uintptr_t h,
                                      ghpkg_call **out, ghpkg_error **err) {
    return ghpkg_client_delete_version_async(c, k, o, t, n, id, ghpkgGoCallDone, (void *)h, out, err);
}
static ghpkg_status go_restore_version(const ghpkg_client *c, ghpkg_owner_kind k, const char *o,
                                       ghpkg_package_type t, const char *n, uint64_t id, uintptr_t h,
                                       ghpkg_call **out, ghpkg_error **err) {
    return ghpkg_client_restore_version_async(c, k, o, t, n, id, ghpkgGoCallDone, (void *)h, out, err);
}
*/
import "C"

import (
	"context"
	"runtime/cgo"
)

// starter starts one C call with the callback's handle h, or fails with
// nothing started.
type starter func(p *C.ghpkg_client, tg *target, h C.uintptr_t, out **C.ghpkg_call) error

// started turns a start's status into an error.
func started(st C.ghpkg_status, cerr *C.ghpkg_error) error {
	if st != C.GHPKG_OK {
		return errorFrom(st, cerr)
	}
	return nil
}

// await starts a call about one package and waits for it without holding
// an OS thread. It returns the done call, which the caller takes the
// outcome of and frees; or the start's error; or ctx.Err() when ctx ends
// first, after cancelling the call.
func (c *Client) await(ctx context.Context, owner Owner, t PackageType, name string, start starter) (*C.ghpkg_call, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	done := make(chan struct{}, 1)
	var call *C.ghpkg_call
	err := c.run(owner, t, name, func(p *C.ghpkg_client, tg *target) error {
		h := cgo.NewHandle(done)
		if err := start(p, tg, C.uintptr_t(h), &call); err != nil {
			// Nothing started: the callback will not run.
			h.Delete()
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	select {
	case <-done:
		return call, nil
	case <-ctx.Done():
		// Cancels the call; its callback still runs and releases the handle.
		C.ghpkg_call_free(call)
		return nil, ctx.Err()
	}
}

// finish takes the outcome of a done call that returns nothing, and frees it.
func finish(call *C.ghpkg_call) error {
	defer C.ghpkg_call_free(call)
	var cerr *C.ghpkg_error
	if st := C.ghpkg_call_result(call, &cerr); st != C.GHPKG_OK {
		return errorFrom(st, cerr)
	}
	return nil
}

// The starters of the single-object calls.

func startGetPackage(p *C.ghpkg_client, tg *target, h C.uintptr_t, out **C.ghpkg_call) error {
	var cerr *C.ghpkg_error
	return started(C.go_get_package(p, tg.kind, tg.owner, tg.ptype, tg.name, h, out, &cerr), cerr)
}

func startDeletePackage(p *C.ghpkg_client, tg *target, h C.uintptr_t, out **C.ghpkg_call) error {
	var cerr *C.ghpkg_error
	return started(C.go_delete_package(p, tg.kind, tg.owner, tg.ptype, tg.name, h, out, &cerr), cerr)
}

func startRestorePackage(p *C.ghpkg_client, tg *target, token string, h C.uintptr_t, out **C.ghpkg_call) error {
	ctoken, err := tg.cs.optional("token", token)
	if err != nil {
		return err
	}
	var cerr *C.ghpkg_error
	return started(C.go_restore_package(p, tg.kind, tg.owner, tg.ptype, tg.name, ctoken, h, out, &cerr), cerr)
}

func startGetVersion(p *C.ghpkg_client, tg *target, id uint64, h C.uintptr_t, out **C.ghpkg_call) error {
	var cerr *C.ghpkg_error
	return started(C.go_get_version(p, tg.kind, tg.owner, tg.ptype, tg.name, C.uint64_t(id), h, out, &cerr), cerr)
}

func startDeleteVersion(p *C.ghpkg_client, tg *target, id uint64, h C.uintptr_t, out **C.ghpkg_call) error {
	var cerr *C.ghpkg_error
	return started(C.go_delete_version(p, tg.kind, tg.owner, tg.ptype, tg.name, C.uint64_t(id), h, out, &cerr), cerr)
}

func startRestoreVersion(p *C.ghpkg_client, tg *target, id uint64, h C.uintptr_t, out **C.ghpkg_call) error {
	var cerr *C.ghpkg_error
	return started(C.go_restore_version(p, tg.kind, tg.owner, tg.ptype, tg.name, C.uint64_t(id), h, out, &cerr), cerr)
}
