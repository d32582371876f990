package api

import (
	"encoding/base64"
	"net/http"

	tl "github.com/trustledger/trustledger"
)

// Page is one page of a list. Lists are in the order the app shows them;
// next_cursor, when present, fetches the next page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
}

// PageParams are the query parameters of every list.
type PageParams struct {
	Cursor string `query:"cursor" maxLength:"200" doc:"The next_cursor of the previous page; empty for the first page."`
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"100" doc:"How many items per page."`
}

func (p PageParams) limit() int {
	if p.Limit <= 0 {
		return 100
	}
	return p.Limit
}

// encodeCursor makes an opaque cursor from the id of the last item shown.
func encodeCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

// decodeCursor reads a cursor back into an id.
func decodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 {
		return "", badCursor()
	}
	return string(b), nil
}

func badCursor() *Error {
	return newError(http.StatusBadRequest, tl.EINVALID, "this cursor is not one this list gave out: start again without cursor")
}

// paginate pages a list the service returns whole, by the id of the last
// item of the previous page.
func paginate[T any](items []T, id func(*T) string, p PageParams) (Page[T], error) {
	after, err := decodeCursor(p.Cursor)
	if err != nil {
		return Page[T]{}, err
	}
	start := 0
	if after != "" {
		start = -1
		for i := range items {
			if id(&items[i]) == after {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return Page[T]{}, badCursor()
		}
	}
	end := min(start+p.limit(), len(items))
	out := Page[T]{Items: append([]T{}, items[start:end]...)}
	if end < len(items) && end > start {
		out.NextCursor = encodeCursor(id(&items[end-1]))
	}
	return out, nil
}

// EncodeCursor is the cursor that continues a list after the item with
// this id (for the ledger: entries older than this event).
func EncodeCursor(id string) string { return encodeCursor(id) }
