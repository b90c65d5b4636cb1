package ghpkg

/*
#include "ghpkg.h"
*/
import "C"

import (
	"context"
	"iter"
)

// cursor walks one C listing. next returns ok=false at the end; free
// releases the listing and must not run while next does.
type cursor[T any] struct {
	next func() (item T, ok bool, err error)
	free func()
}

// seq turns a listing into an iterator. open starts the listing (it sends
// nothing). Pages are fetched as the loop consumes items; breaking out of
// the loop frees the listing and cancels requests in flight. If ctx ends,
// the iterator yields ctx.Err() and stops at once.
func seq[T any](ctx context.Context, open func() (*cursor[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		cur, err := open()
		if err != nil {
			yield(zero, err)
			return
		}
		owned := true // false once a background goroutine owns the cursor
		defer func() {
			if owned {
				cur.free()
			}
		}()
		type step struct {
			item T
			ok   bool
			err  error
		}
		for {
			var s step
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			if ctx.Done() == nil {
				s.item, s.ok, s.err = cur.next()
			} else {
				done := make(chan step, 1)
				go func() {
					item, ok, err := cur.next()
					done <- step{item, ok, err}
				}()
				select {
				case s = <-done:
				case <-ctx.Done():
					owned = false
					go func() {
						<-done
						cur.free()
					}()
					yield(zero, ctx.Err())
					return
				}
			}
			if s.err != nil {
				yield(zero, s.err)
				return
			}
			if !s.ok || !yield(s.item, nil) {
				return
			}
		}
	}
}

func packageCursor(it *C.ghpkg_package_iter) *cursor[*Package] {
	return &cursor[*Package]{
		next: func() (*Package, bool, error) {
			var pkg *C.ghpkg_package
			var cerr *C.ghpkg_error
			if st := C.ghpkg_package_iter_next(it, &pkg, &cerr); st != C.GHPKG_OK {
				return nil, false, errorFrom(st, cerr)
			}
			if pkg == nil {
				return nil, false, nil
			}
			defer C.ghpkg_package_free(pkg)
			return packageFrom(pkg), true, nil
		},
		free: func() { C.ghpkg_package_iter_free(it) },
	}
}

// ListPackages lists the packages of one type that owner has and the
// caller can see, optionally only one visibility (AnyVisibility for all).
// Nothing is sent until the loop starts. GitHub serves at most 10,000
// packages through one listing.
//
//	for pkg, err := range client.ListPackages(ctx, ghpkg.Org("acme"), ghpkg.Container, ghpkg.AnyVisibility) {
//		if err != nil { return err }
//		fmt.Println(pkg.Name)
//	}
func (c *Client) ListPackages(ctx context.Context, owner Owner, t PackageType, vis Visibility) iter.Seq2[*Package, error] {
	return seq(ctx, func() (*cursor[*Package], error) {
		ptype, err := t.c()
		if err != nil {
			return nil, err
		}
		cvis, err := vis.c()
		if err != nil {
			return nil, err
		}
		var cur *cursor[*Package]
		err = c.runOwner(owner, func(p *C.ghpkg_client, tg *target) error {
			var it *C.ghpkg_package_iter
			var cerr *C.ghpkg_error
			if st := C.ghpkg_client_list_packages(p, tg.kind, tg.owner, ptype, cvis, &it, &cerr); st != C.GHPKG_OK {
				return errorFrom(st, cerr)
			}
			cur = packageCursor(it)
			return nil
		})
		return cur, err
	})
}

// DockerConflicts lists the docker packages whose migration to the
// Container registry conflicts with an existing package.
func (c *Client) DockerConflicts(ctx context.Context, owner Owner) iter.Seq2[*Package, error] {
	return seq(ctx, func() (*cursor[*Package], error) {
		var cur *cursor[*Package]
		err := c.runOwner(owner, func(p *C.ghpkg_client, tg *target) error {
			var it *C.ghpkg_package_iter
			var cerr *C.ghpkg_error
			if st := C.ghpkg_client_docker_conflicts(p, tg.kind, tg.owner, &it, &cerr); st != C.GHPKG_OK {
				return errorFrom(st, cerr)
			}
			cur = packageCursor(it)
			return nil
		})
		return cur, err
	})
}

// ListVersions lists a package's versions: active ones (DefaultState or
// ActiveVersions), or those deleted in the last 30 days (DeletedVersions).
func (c *Client) ListVersions(ctx context.Context, owner Owner, t PackageType, name string, state VersionState) iter.Seq2[*Version, error] {
	return seq(ctx, func() (*cursor[*Version], error) {
		cstate, err := state.c()
		if err != nil {
			return nil, err
		}
		var cur *cursor[*Version]
		err = c.run(owner, t, name, func(p *C.ghpkg_client, tg *target) error {
			var it *C.ghpkg_version_iter
			var cerr *C.ghpkg_error
			if st := C.ghpkg_client_list_versions(p, tg.kind, tg.owner, tg.ptype, tg.name, cstate, &it, &cerr); st != C.GHPKG_OK {
				return errorFrom(st, cerr)
			}
			cur = &cursor[*Version]{
				next: func() (*Version, bool, error) {
					var v *C.ghpkg_version
					var cerr *C.ghpkg_error
					if st := C.ghpkg_version_iter_next(it, &v, &cerr); st != C.GHPKG_OK {
						return nil, false, errorFrom(st, cerr)
					}
					if v == nil {
						return nil, false, nil
					}
					defer C.ghpkg_version_free(v)
					return versionFrom(v), true, nil
				},
				free: func() { C.ghpkg_version_iter_free(it) },
			}
			return nil
		})
		return cur, err
	})
}
