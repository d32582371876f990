package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	tl "github.com/trustledger/trustledger"
)

// refuseDuplicateKeys reads a JSON request body and answers 400 when an
// object in it names a member twice. encoding/json, which huma decodes
// with, keeps the last of the two and matches names without regard to
// case, so {"name":"Ana","NAME":"Bob"} would quietly mean Bob to us and
// Ana to a proxy or a log reader that keeps the first (RFC 8259, 4: the
// names "SHOULD be unique"). Names are compared the way the decoder
// matches them. It puts the body back for the handler and reports
// whether the request may go on.
func (a *API) refuseDuplicateKeys(w http.ResponseWriter, r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return true
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.Contains(ct, "json") {
		return true
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		a.writeError(w, r, bodyError(err))
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if where, name, ok := duplicateKey(body); ok {
		a.writeError(w, r, newError(http.StatusBadRequest, tl.EINVALID,
			fmt.Sprintf("the body names %q twice in %s: send each name once", name, where)))
		return false
	}
	return true
}

// duplicateKey finds the first object member named twice in a JSON
// document: where (a path like body.extra[1]) and the name. A document
// that does not parse is left to the decoder to report.
func duplicateKey(doc []byte) (where, name string, found bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	type frame struct {
		path  string
		seen  map[string]bool // nil for an array
		index int
		key   bool // an object expecting a name next
	}
	stack := []*frame{}
	pathOf := func() string {
		if len(stack) == 0 {
			return "body"
		}
		return stack[len(stack)-1].path
	}
	// child is the path of the value that starts now.
	var pending string
	child := func() string {
		if len(stack) == 0 {
			return "body"
		}
		f := stack[len(stack)-1]
		if f.seen == nil {
			p := fmt.Sprintf("%s[%d]", f.path, f.index)
			f.index++
			return p
		}
		return f.path + "." + pending
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", "", false // io.EOF or a syntax error: not ours to say
		}
		if len(stack) > 0 && stack[len(stack)-1].seen != nil && stack[len(stack)-1].key {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return "", "", false
				}
				if f := stack[len(stack)-1]; f.seen != nil {
					f.key = true
				}
				continue
			}
			f := stack[len(stack)-1]
			k, _ := tok.(string)
			folded := strings.ToLower(k)
			if f.seen[folded] {
				return pathOf(), k, true
			}
			f.seen[folded] = true
			pending = k
			f.key = false
			continue
		}
		switch d, _ := tok.(json.Delim); d {
		case '{':
			p := child()
			stack = append(stack, &frame{path: p, seen: map[string]bool{}, key: true})
			continue
		case '[':
			p := child()
			stack = append(stack, &frame{path: p})
			continue
		case ']':
			stack = stack[:len(stack)-1]
		default:
			child() // a scalar: counts as an array element
		}
		if len(stack) == 0 {
			return "", "", false
		}
		if f := stack[len(stack)-1]; f.seen != nil {
			f.key = true
		}
	}
}
