package ghpkg

/*
#include "ghpkg.h"
*/
import "C"

import (
	"bytes"
	"context"
	"encoding/json"
)

// Row is one row of a catalog SELECT: exactly the resource's fields.
// Numbers are json.Number, so 64-bit ids keep every digit.
type Row map[string]any

// Params are a catalog call's parameters: strings, or a number for
// package_version_id. nil counts as absent.
type Params map[string]any

func paramsJSON(p Params) (string, error) {
	if p == nil {
		return "{}", nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", localError(KindInvalidArgument, "params cannot be encoded as JSON: "+err.Error())
	}
	return string(b), nil
}

func rowsFrom(text *C.char) ([]Row, error) {
	defer C.ghpkg_string_free(text)
	dec := json.NewDecoder(bytes.NewReader([]byte(C.GoString(text))))
	dec.UseNumber()
	var rows []Row
	if err := dec.Decode(&rows); err != nil {
		return nil, localError(KindDecode, "catalog rows: "+err.Error())
	}
	return rows, nil
}

// catalog runs one catalog call with its strings converted to C.
func (c *Client) catalog(ctx context.Context, resource, method string, params Params,
	f func(p *C.ghpkg_client, resource, method, params *C.char, rows **C.char, err **C.ghpkg_error) C.ghpkg_status,
) ([]Row, error) {
	text, err := paramsJSON(params)
	if err != nil {
		return nil, err
	}
	return blocking(ctx, func() ([]Row, error) {
		var cs cstrings
		defer cs.free()
		cres, err := cs.add("resource", resource)
		if err != nil {
			return nil, err
		}
		cmethod, err := cs.add("method", method)
		if err != nil {
			return nil, err
		}
		cparams, err := cs.add("params", text)
		if err != nil {
			return nil, err
		}
		var rows []Row
		err = c.use(func(p *C.ghpkg_client) error {
			var out *C.char
			var cerr *C.ghpkg_error
			if st := f(p, cres, cmethod, cparams, &out, &cerr); st != C.GHPKG_OK {
				return errorFrom(st, cerr)
			}
			if out == nil {
				return nil
			}
			var err error
			rows, err = rowsFrom(out)
			return err
		})
		return rows, err
	})
}

// CatalogSelect runs a StackQL-style SELECT on a catalog resource
// (packages, org_packages, package_versions, docker_migration_packages,
// or the full github.packages.* id): the method is chosen from the params
// the way StackQL does, every page of a listing is read, and params the
// method does not take but that name a field filter the rows.
func (c *Client) CatalogSelect(ctx context.Context, resource string, params Params) ([]Row, error) {
	return c.catalog(ctx, resource, "", params,
		func(p *C.ghpkg_client, r, _, q *C.char, rows **C.char, e **C.ghpkg_error) C.ghpkg_status {
			return C.ghpkg_client_catalog_select(p, r, q, rows, e)
		})
}

// CatalogDelete runs a DELETE on a catalog resource, choosing the method
// from the params (e.g. delete_package_for_org when org is given). A
// delete never filters: params the method does not take are an error.
func (c *Client) CatalogDelete(ctx context.Context, resource string, params Params) error {
	_, err := c.catalog(ctx, resource, "", params,
		func(p *C.ghpkg_client, r, _, q *C.char, _ **C.char, e **C.ghpkg_error) C.ghpkg_status {
			return C.ghpkg_client_catalog_delete(p, r, q, e)
		})
	return err
}

// CatalogExec calls any method of a catalog resource by its StackQL name
// (e.g. restore_package_for_org). It returns rows for SELECT methods and
// none otherwise.
func (c *Client) CatalogExec(ctx context.Context, resource, method string, params Params) ([]Row, error) {
	return c.catalog(ctx, resource, method, params,
		func(p *C.ghpkg_client, r, m, q *C.char, rows **C.char, e **C.ghpkg_error) C.ghpkg_status {
			return C.ghpkg_client_catalog_exec(p, r, m, q, rows, e)
		})
}
