package ghpkg

/*
#include "ghpkg.h"
*/
import "C"

import "context"

// target holds the C form of the arguments every package call shares.
type target struct {
	cs    cstrings
	kind  C.ghpkg_owner_kind
	owner *C.char
	ptype C.ghpkg_package_type
	name  *C.char
}

func newTarget(owner Owner) (*target, error) {
	tg := &target{kind: owner.kind}
	if owner.kind != C.GHPKG_OWNER_AUTHENTICATED_USER {
		var err error
		if tg.owner, err = tg.cs.add("owner", owner.login); err != nil {
			tg.cs.free()
			return nil, err
		}
	}
	return tg, nil
}

// runOwner converts the owner, calls f with the client, and frees the C copies.
func (c *Client) runOwner(owner Owner, f func(*C.ghpkg_client, *target) error) error {
	tg, err := newTarget(owner)
	if err != nil {
		return err
	}
	defer tg.cs.free()
	return c.use(func(p *C.ghpkg_client) error { return f(p, tg) })
}

// run is runOwner for calls about one package.
func (c *Client) run(owner Owner, t PackageType, name string, f func(*C.ghpkg_client, *target) error) error {
	ptype, err := t.c()
	if err != nil {
		return err
	}
	return c.runOwner(owner, func(p *C.ghpkg_client, tg *target) error {
		tg.ptype = ptype
		if tg.name, err = tg.cs.add("name", name); err != nil {
			return err
		}
		return f(p, tg)
	})
}

// GetPackage gets one package by type and name. Names may contain '/':
// they are always sent as one encoded path segment.
func (c *Client) GetPackage(ctx context.Context, owner Owner, t PackageType, name string) (*Package, error) {
	call, err := c.await(ctx, owner, t, name, startGetPackage)
	if err != nil {
		return nil, err
	}
	defer C.ghpkg_call_free(call)
	var pkg *C.ghpkg_package
	var cerr *C.ghpkg_error
	if st := C.ghpkg_call_take_package(call, &pkg, &cerr); st != C.GHPKG_OK {
		return nil, errorFrom(st, cerr)
	}
	defer C.ghpkg_package_free(pkg)
	return packageFrom(pkg), nil
}

// DeletePackage deletes a whole package; it can be restored for 30 days.
// GitHub refuses (KindRejected) a public package with a version over 5,000
// downloads. Needs delete:packages, and org admin rights for org packages.
func (c *Client) DeletePackage(ctx context.Context, owner Owner, t PackageType, name string) error {
	call, err := c.await(ctx, owner, t, name, startDeletePackage)
	if err != nil {
		return err
	}
	return finish(call)
}

// RestorePackage restores a package deleted in the last 30 days, unless
// its name was reused since. token is GitHub's optional package-token
// parameter ("" for none). Needs write:packages.
func (c *Client) RestorePackage(ctx context.Context, owner Owner, t PackageType, name, token string) error {
	call, err := c.await(ctx, owner, t, name, func(p *C.ghpkg_client, tg *target, h C.uintptr_t, out **C.ghpkg_call) error {
		return startRestorePackage(p, tg, token, h, out)
	})
	if err != nil {
		return err
	}
	return finish(call)
}

// GetVersion gets one version of a package by id.
func (c *Client) GetVersion(ctx context.Context, owner Owner, t PackageType, name string, id uint64) (*Version, error) {
	call, err := c.await(ctx, owner, t, name, func(p *C.ghpkg_client, tg *target, h C.uintptr_t, out **C.ghpkg_call) error {
		return startGetVersion(p, tg, id, h, out)
	})
	if err != nil {
		return nil, err
	}
	defer C.ghpkg_call_free(call)
	var v *C.ghpkg_version
	var cerr *C.ghpkg_error
	if st := C.ghpkg_call_take_version(call, &v, &cerr); st != C.GHPKG_OK {
		return nil, errorFrom(st, cerr)
	}
	defer C.ghpkg_version_free(v)
	return versionFrom(v), nil
}

// DeleteVersion deletes one version; it can be restored for 30 days.
// GitHub refuses (KindRejected) the last version (for containers, the last
// tagged one) and a public version with over 5,000 downloads.
func (c *Client) DeleteVersion(ctx context.Context, owner Owner, t PackageType, name string, id uint64) error {
	call, err := c.await(ctx, owner, t, name, func(p *C.ghpkg_client, tg *target, h C.uintptr_t, out **C.ghpkg_call) error {
		return startDeleteVersion(p, tg, id, h, out)
	})
	if err != nil {
		return err
	}
	return finish(call)
}

// RestoreVersion restores a version deleted in the last 30 days.
func (c *Client) RestoreVersion(ctx context.Context, owner Owner, t PackageType, name string, id uint64) error {
	call, err := c.await(ctx, owner, t, name, func(p *C.ghpkg_client, tg *target, h C.uintptr_t, out **C.ghpkg_call) error {
		return startRestoreVersion(p, tg, id, h, out)
	})
	if err != nil {
		return err
	}
	return finish(call)
}
