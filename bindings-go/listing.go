package ghpkg

/*
#include "ghpkg.h"
*/
import "C"

import (
	"context"
	"iter"
	"sync/atomic"
)

// cursor walks one C listing. next returns ok=false at the end; free
// releases the listing and must not run while next does. limited reads the
// listing's paging-limit flag; like next, it must not run while next does.
type cursor[T any] struct {
	next    func() (item T, ok bool, err error)
	limited func() bool
	free    func()
}

// Listing is a listing that tells, once walked, whether GitHub's
// 10,000-item paging limit cut it short. [Listing.All] iterates it the way
// ListPackages and ListVersions do; [Listing.ReachedPagingLimit] then
// answers for the walk.
//
//	listing := client.ListPackagesPaged(ctx, ghpkg.Org("acme"), ghpkg.Container, ghpkg.AnyVisibility)
//	for pkg, err := range listing.All() {
//		if err != nil { return err }
//		fmt.Println(pkg.Name)
//	}
//	if listing.ReachedPagingLimit() {
//		// more packages may exist: list each visibility on its own
//	}
type Listing[T any] struct {
	all     iter.Seq2[T, error]
	limited atomic.Bool
}

// All iterates the listing: pages are fetched as the loop consumes items,
// and breaking out of the loop frees the listing. Each loop walks it anew
// from the first page; run one loop at a time.
func (l *Listing[T]) All() iter.Seq2[T, error] { return l.all }

// ReachedPagingLimit reports whether the walk stopped at GitHub's
// 10,000-item paging limit, so more items may exist than were listed.
// Meaningful once a loop over [Listing.All] has run to its end; false
// before.
func (l *Listing[T]) ReachedPagingLimit() bool { return l.limited.Load() }

// paged makes a Listing whose walks report the paging-limit flag to it.
func paged[T any](list func(report func(bool)) iter.Seq2[T, error]) *Listing[T] {
	l := &Listing[T]{}
	l.all = list(l.limited.Store)
	return l
}

// seq turns a listing into an iterator. open starts the listing (it sends
// nothing). Pages are fetched as the loop consumes items; breaking out of
// the loop frees the listing and cancels requests in flight. If ctx ends,
// the iterator yields ctx.Err() and stops at once. report, if not nil,
// receives the listing's paging-limit flag when it starts and after every
// item.
func seq[T any](ctx context.Context, open func() (*cursor[T], error), report func(bool)) iter.Seq2[T, error] {
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
		if report != nil {
			report(cur.limited())
		}
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
			if report != nil {
				report(cur.limited())
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

func packageCursor(it *C.ghpkg_package_listing) *cursor[*Package] {
	return &cursor[*Package]{
		next: func() (*Package, bool, error) {
			var pkg *C.ghpkg_package
			var cerr *C.ghpkg_error
			if st := C.ghpkg_package_listing_next(it, &pkg, &cerr); st != C.GHPKG_OK {
				return nil, false, errorFrom(st, cerr)
			}
			if pkg == nil {
				return nil, false, nil
			}
			defer C.ghpkg_package_free(pkg)
			return packageFrom(pkg), true, nil
		},
		limited: func() bool { return bool(C.ghpkg_package_listing_reached_paging_limit(it)) },
		free:    func() { C.ghpkg_package_listing_free(it) },
	}
}

// ListPackages lists the packages of one type that owner has and the
// caller can see, optionally only one visibility (AnyVisibility for all).
// Nothing is sent until the loop starts. GitHub serves at most 10,000
// packages through one listing; [Client.ListPackagesPaged] tells when that
// cut it short.
//
//	for pkg, err := range client.ListPackages(ctx, ghpkg.Org("acme"), ghpkg.Container, ghpkg.AnyVisibility) {
//		if err != nil { return err }
//		fmt.Println(pkg.Name)
//	}
func (c *Client) ListPackages(ctx context.Context, owner Owner, t PackageType, vis Visibility) iter.Seq2[*Package, error] {
	return c.listPackages(ctx, owner, t, vis, nil)
}

// ListPackagesPaged is ListPackages as a [Listing], which tells after the
// loop whether GitHub's 10,000-item paging limit cut the listing short.
func (c *Client) ListPackagesPaged(ctx context.Context, owner Owner, t PackageType, vis Visibility) *Listing[*Package] {
	return paged(func(report func(bool)) iter.Seq2[*Package, error] {
		return c.listPackages(ctx, owner, t, vis, report)
	})
}

func (c *Client) listPackages(ctx context.Context, owner Owner, t PackageType, vis Visibility, report func(bool)) iter.Seq2[*Package, error] {
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
			var it *C.ghpkg_package_listing
			var cerr *C.ghpkg_error
			if st := C.ghpkg_client_list_packages(p, tg.kind, tg.owner, ptype, cvis, &it, &cerr); st != C.GHPKG_OK {
				return errorFrom(st, cerr)
			}
			cur = packageCursor(it)
			return nil
		})
		return cur, err
	}, report)
}

// DockerConflicts lists the docker packages whose migration to the
// Container registry conflicts with an existing package.
func (c *Client) DockerConflicts(ctx context.Context, owner Owner) iter.Seq2[*Package, error] {
	return seq(ctx, func() (*cursor[*Package], error) {
		var cur *cursor[*Package]
		err := c.runOwner(owner, func(p *C.ghpkg_client, tg *target) error {
			var it *C.ghpkg_package_listing
			var cerr *C.ghpkg_error
			if st := C.ghpkg_client_docker_conflicts(p, tg.kind, tg.owner, &it, &cerr); st != C.GHPKG_OK {
				return errorFrom(st, cerr)
			}
			cur = packageCursor(it)
			return nil
		})
		return cur, err
	}, nil)
}

// ListVersions lists a package's versions: active ones (DefaultState or
// ActiveVersions), or those deleted in the last 30 days (DeletedVersions).
func (c *Client) ListVersions(ctx context.Context, owner Owner, t PackageType, name string, state VersionState) iter.Seq2[*Version, error] {
	return c.listVersions(ctx, owner, t, name, state, nil)
}

// ListVersionsPaged is ListVersions as a [Listing], which tells after the
// loop whether GitHub's 10,000-item paging limit cut the listing short.
func (c *Client) ListVersionsPaged(ctx context.Context, owner Owner, t PackageType, name string, state VersionState) *Listing[*Version] {
	return paged(func(report func(bool)) iter.Seq2[*Version, error] {
		return c.listVersions(ctx, owner, t, name, state, report)
	})
}

func (c *Client) listVersions(ctx context.Context, owner Owner, t PackageType, name string, state VersionState, report func(bool)) iter.Seq2[*Version, error] {
	return seq(ctx, func() (*cursor[*Version], error) {
		cstate, err := state.c()
		if err != nil {
			return nil, err
		}
		var cur *cursor[*Version]
		err = c.run(owner, t, name, func(p *C.ghpkg_client, tg *target) error {
			var it *C.ghpkg_version_listing
			var cerr *C.ghpkg_error
			if st := C.ghpkg_client_list_versions(p, tg.kind, tg.owner, tg.ptype, tg.name, cstate, &it, &cerr); st != C.GHPKG_OK {
				return errorFrom(st, cerr)
			}
			cur = &cursor[*Version]{
				next: func() (*Version, bool, error) {
					var v *C.ghpkg_version
					var cerr *C.ghpkg_error
					if st := C.ghpkg_version_listing_next(it, &v, &cerr); st != C.GHPKG_OK {
						return nil, false, errorFrom(st, cerr)
					}
					if v == nil {
						return nil, false, nil
					}
					defer C.ghpkg_version_free(v)
					return versionFrom(v), true, nil
				},
				limited: func() bool { return bool(C.ghpkg_version_listing_reached_paging_limit(it)) },
				free:    func() { C.ghpkg_version_listing_free(it) },
			}
			return nil
		})
		return cur, err
	}, report)
}
