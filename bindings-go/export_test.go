package ghpkg

import (
	"context"
	"iter"
)

// Test hooks: the JSON the core wrote, and strict decoding, so the tests
// can check the Go types against it.

// DecodeEventStrict is ParseEvent refusing fields the Go types lack.
func DecodeEventStrict(data []byte) (Event, error) { return decodeEvent(data, true) }

// ApplyRaw is ApplyEvents with each event as the core's JSON.
func (r *Retention) ApplyRaw(ctx context.Context, plan *Plan, opts ApplyOptions) iter.Seq2[string, error] {
	return r.applyRaw(ctx, plan, opts)
}

// UndoRaw is Undo with the report as the core's JSON.
func (r *Retention) UndoRaw(ctx context.Context, journal string, opts *UndoOptions) (string, error) {
	return r.undoRaw(ctx, journal, opts)
}
