package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
)

// MaxBackupSize is the largest backup file DecodeBackup reads: large
// enough for millions of entries, small enough that a wrong file (a disk
// image, a log) is refused before it fills memory.
const MaxBackupSize = 4 << 30

// DecodeBackup reads a backup written by `trustledger export`. It is
// strict, because a backup that half-matches the format is more likely
// the wrong file than a newer one: unknown fields and anything after the
// JSON object are errors. Every error is a *trustledger.Error (EINVALID)
// naming the file and the line where the problem is, so a hand-edited
// backup can be fixed.
func DecodeBackup(name string, r io.Reader) (*tl.Backup, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBackupSize+1))
	if err != nil {
		return nil, tl.Errorf(tl.EINVALID, "%s: cannot read: %w", name, err)
	}
	if len(data) > MaxBackupSize {
		return nil, tl.Errorf(tl.EINVALID, "%s: larger than %d GB: this is not a trustledger backup", name, MaxBackupSize>>30)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, tl.Errorf(tl.EINVALID, "%s: the file is empty: make a backup with: trustledger export > backup.json", name)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b tl.Backup
	if err := dec.Decode(&b); err != nil {
		return nil, decodeError(name, data, dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, tl.Errorf(tl.EINVALID, "%s:%d: more data after the backup's closing brace: a backup is one JSON object", name, lineOf(data, dec.InputOffset()))
	}
	return &b, nil
}

// decodeError turns encoding/json's errors into one line with a line number.
func decodeError(name string, data []byte, offset int64, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var perr *time.ParseError
	msg := ""
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
		msg = "not valid JSON: " + strings.TrimPrefix(syn.Error(), "json: ")
	case errors.As(err, &typ):
		offset = typ.Offset
		field := typ.Field
		if field == "" {
			field = "the backup"
		}
		msg = fmt.Sprintf("%s should be %s, not a JSON %s", field, describeType(typ.Type.String()), typ.Value)
	case errors.As(err, &perr):
		msg = fmt.Sprintf("%q is not a time in RFC 3339 form (2026-11-28T09:00:00Z)", strings.Trim(perr.Value, `"`))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		offset = int64(len(data))
		msg = "the file ends in the middle of the backup: it was cut short"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		// The decoder stops after the object holding the field: point at
		// the field itself.
		if i := bytes.LastIndex(data[:min(max(offset, 0), int64(len(data)))], []byte(field)); i >= 0 {
			offset = int64(i)
		}
		msg = "unknown field " + field + ": this is not a trustledger backup, or it was edited"
	default:
		msg = "not a trustledger backup: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	return &tl.Error{Code: tl.EINVALID, Message: fmt.Sprintf("%s:%d: %s", name, lineOf(data, offset), msg), Err: err}
}

// describeType names a Go type the way the backup's reader thinks of it.
func describeType(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case t == "string" || strings.HasSuffix(t, "Kind") || strings.HasSuffix(t, "Status") || strings.HasSuffix(t, "Quadrant") || strings.HasSuffix(t, "Rule"):
		return "a string"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "float") || strings.HasPrefix(t, "uint"):
		return "a number"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "map["):
		return "an object"
	}
	return "an object"
}

// lineOf returns the 1-based line of byte offset in data.
func lineOf(data []byte, offset int64) int {
	if offset < 0 {
		offset = 0
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}
