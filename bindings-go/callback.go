package ghpkg

// The C side of calls that do not block: libghpkg runs this callback on one
// of its threads when a call started by async.go completes. (A file with an
// //export may only declare things in its preamble, so the helpers that
// start calls live in async.go.)

/*
#include "ghpkg.h"
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

//export ghpkgGoCallDone
func ghpkgGoCallDone(userData unsafe.Pointer, status C.ghpkg_status) {
	h := cgo.Handle(uintptr(userData))
	h.Value().(chan struct{}) <- struct{}{}
	h.Delete()
}
