package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/trustledger/trustledger/internal/api"
)

// The OpenAPI document, proved against the server: every exchange of the
// API tests goes through conforming, an http.RoundTripper that checks the
// request and the answer against the operation the served document
// (/api/v1/openapi.json) describes for them: the path and method, the
// token the security scheme asks for, each parameter and the body against
// their schemas, and the answer's status, content type and body. A
// request the document does not allow, or an answer it does not
// describe, fails the test, so the document cannot drift from the
// server. Bodies are validated with github.com/santhosh-tekuri/jsonschema
// against the document's own JSON Schemas (OpenAPI 3.1 uses JSON Schema
// 2020-12, so nothing is converted).

// document is what the validator keeps of the OpenAPI document.
type document struct {
	prefix string          // the server's URL in the document: /api/v1
	own    map[string]bool // the paths that serve the document itself
	ops    []*operation
	// envelope is the error body, for answers to what no operation is.
	envelope *jsonschema.Schema
}

// operation is one method on one path of the document.
type operation struct {
	id       string
	method   string
	segments []string // the path template at "/": a literal or {name}
	params   []parameter
	bearer   bool               // the security requirement asks for a bearer token
	body     *jsonschema.Schema // nil: the operation takes no body
	required bool               // the body is required
	media    []string           // the body's media types
	// responses are the documented answers by status ("200", "default").
	responses map[string]response
}

type parameter struct {
	name, in string
	required bool
	kind     string // the schema's type: string, integer, number, boolean
	schema   *jsonschema.Schema
}

type response struct {
	media  []string
	schema *jsonschema.Schema // nil: no body
	// headers are the response headers the document declares, by their
	// canonical name.
	headers map[string]parameter
}

// sentHeaders are the response headers of the API's own that the
// document must declare on every answer that carries them.
var sentHeaders = []string{"Idempotent-Replayed", "Retry-After", "X-Request-Id", "Www-Authenticate"}

// compiled keeps the documents compiled so far by their text: every
// test server serves the same one, and compiling takes a while.
var compiled = struct {
	sync.Mutex
	docs map[string]*document
}{docs: map[string]*document{}}

// loadDocument fetches the document from a running API at base (the
// server's address) and compiles every schema it names.
func loadDocument(base string) (*document, error) {
	docURL := base + api.Prefix + "/openapi.json"
	res, err := http.Get(docURL)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", docURL, res.Status)
	}
	text, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	compiled.Lock()
	defer compiled.Unlock()
	if d := compiled.docs[string(text)]; d != nil {
		return d, nil
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("the document is not JSON: %w", err)
	}
	d, err := compileDocument(docURL, raw)
	if err != nil {
		return nil, err
	}
	compiled.docs[string(text)] = d
	return d, nil
}

func compileDocument(docURL string, raw any) (*document, error) {
	root, _ := raw.(map[string]any)
	if v, _ := root["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		return nil, fmt.Errorf("the validator reads OpenAPI 3.1 (JSON Schema 2020-12); the document is %q", v)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, raw); err != nil {
		return nil, err
	}
	compile := func(ptr ...string) (*jsonschema.Schema, error) {
		frag := ""
		for _, tok := range ptr {
			frag += "/" + url.PathEscape(strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
		}
		return c.Compile(docURL + "#" + frag)
	}
	d := &document{own: map[string]bool{}}
	servers, _ := root["servers"].([]any)
	if len(servers) != 1 {
		return nil, errors.New("the validator expects one server in the document")
	}
	d.prefix = strings.TrimRight(servers[0].(map[string]any)["url"].(string), "/")
	for _, p := range []string{"/openapi.json", "/openapi.yaml", "/openapi-3.0.json", "/openapi-3.0.yaml"} {
		d.own[d.prefix+p] = true
	}
	var err error
	if d.envelope, err = compile("components", "schemas", "Error"); err != nil {
		return nil, err
	}
	schemes, _ := dig(root, "components", "securitySchemes").(map[string]any)
	paths, _ := root["paths"].(map[string]any)
	for path, item := range paths {
		for method, v := range item.(map[string]any) {
			o, _ := v.(map[string]any)
			if o == nil || !httpMethods[method] {
				return nil, fmt.Errorf("%s: the validator does not read %q", path, method)
			}
			op := &operation{id: fmt.Sprint(o["operationId"]), method: strings.ToUpper(method),
				segments: strings.Split(strings.TrimPrefix(path, "/"), "/"), responses: map[string]response{}}
			where := []string{"paths", path, method}
			sec, ok := o["security"]
			if !ok {
				sec = root["security"]
			}
			if op.bearer, err = needsBearer(sec, schemes); err != nil {
				return nil, fmt.Errorf("%s %s: %w", op.method, path, err)
			}
			params, _ := o["parameters"].([]any)
			for i, p := range params {
				pm := p.(map[string]any)
				if _, ref := pm["$ref"]; ref {
					return nil, fmt.Errorf("%s %s: the validator does not follow $ref in parameters", op.method, path)
				}
				prm := parameter{name: fmt.Sprint(pm["name"]), in: fmt.Sprint(pm["in"])}
				prm.required, _ = pm["required"].(bool)
				prm.kind, _ = dig(pm, "schema", "type").(string)
				if prm.schema, err = compile(append(where, "parameters", strconv.Itoa(i), "schema")...); err != nil {
					return nil, err
				}
				op.params = append(op.params, prm)
			}
			if rb, ok := o["requestBody"].(map[string]any); ok {
				op.required, _ = rb["required"].(bool)
				content, _ := rb["content"].(map[string]any)
				for mt := range content {
					op.media = append(op.media, mt)
					// Every body of this API is JSON: one schema for all its media types.
					if op.body, err = compile(append(where, "requestBody", "content", mt, "schema")...); err != nil {
						return nil, err
					}
				}
			}
			responses, _ := o["responses"].(map[string]any)
			for status, r := range responses {
				out := response{headers: map[string]parameter{}}
				hdrs, _ := r.(map[string]any)["headers"].(map[string]any)
				for name, h := range hdrs {
					if _, ref := h.(map[string]any)["$ref"]; ref {
						return nil, fmt.Errorf("%s %s: the validator does not follow $ref in headers", op.method, path)
					}
					prm := parameter{name: name, in: "header"}
					prm.required, _ = h.(map[string]any)["required"].(bool)
					prm.kind, _ = dig(h, "schema", "type").(string)
					if prm.schema, err = compile(append(where, "responses", status, "headers", name, "schema")...); err != nil {
						return nil, err
					}
					out.headers[http.CanonicalHeaderKey(name)] = prm
				}
				content, _ := r.(map[string]any)["content"].(map[string]any)
				for mt := range content {
					out.media = append(out.media, mt)
					if out.schema, err = compile(append(where, "responses", status, "content", mt, "schema")...); err != nil {
						return nil, err
					}
				}
				op.responses[status] = out
			}
			d.ops = append(d.ops, op)
		}
	}
	return d, nil
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true, "trace": true}

// needsBearer reads a security requirement: whether every way it allows
// needs the bearer token (the only scheme the API has).
func needsBearer(sec any, schemes map[string]any) (bool, error) {
	reqs, _ := sec.([]any)
	if len(reqs) == 0 {
		return false, nil
	}
	for _, r := range reqs {
		m, _ := r.(map[string]any)
		if len(m) == 0 {
			return false, nil // {} allows a request without credentials
		}
		for name := range m {
			s, _ := schemes[name].(map[string]any)
			if s["type"] != "http" || !strings.EqualFold(fmt.Sprint(s["scheme"]), "bearer") {
				return false, fmt.Errorf("the validator knows only http bearer security, not %q", name)
			}
		}
	}
	return true, nil
}

// dig walks nested objects by key.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// ownPath reports whether r asks for the document itself, which describes
// the operations, not itself.
func (d *document) ownPath(r *http.Request) bool { return d.own[r.URL.Path] }

// find is the operation for r, nil with the reason when the document has none.
func (d *document) find(r *http.Request) (*operation, map[string]string, error) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), d.prefix+"/")
	if !ok {
		return nil, nil, fmt.Errorf("%s is not under the document's server %s", r.URL.Path, d.prefix)
	}
	segs := strings.Split(rest, "/")
	var best *operation
	var bestVars map[string]string
	bestLiterals, pathFound := -1, false
	for _, op := range d.ops {
		vars, literals, ok := op.match(segs)
		if !ok {
			continue
		}
		pathFound = true
		if op.method == r.Method && literals > bestLiterals {
			best, bestVars, bestLiterals = op, vars, literals
		}
	}
	if best == nil {
		if pathFound {
			return nil, nil, fmt.Errorf("the document has no %s on %s", r.Method, r.URL.Path)
		}
		return nil, nil, fmt.Errorf("the document has no path %s", r.URL.Path)
	}
	return best, bestVars, nil
}

// match fills the template's variables from a request path's escaped
// segments, and counts the literal segments (a literal beats a variable:
// /promises/say-do is not /promises/{id}).
func (op *operation) match(segs []string) (map[string]string, int, bool) {
	if len(segs) != len(op.segments) {
		return nil, 0, false
	}
	vars, literals := map[string]string{}, 0
	for i, t := range op.segments {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, 0, false
			}
			vars[t[1:len(t)-1]] = v
			continue
		}
		if segs[i] != t {
			return nil, 0, false
		}
		literals++
	}
	return vars, literals, true
}

// checkRequest finds the request's operation and checks the request
// against it; it returns the operation (nil when the document has none)
// and every way the request breaks the document.
func (d *document) checkRequest(r *http.Request, body []byte) (*operation, error) {
	op, vars, err := d.find(r)
	if err != nil {
		return nil, err
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if op.bearer {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); !ok || strings.TrimSpace(tok) == "" {
			bad("%s needs a bearer token (security: bearer)", op.id)
		}
	}
	query := r.URL.Query()
	for _, p := range op.params {
		var vals []string
		switch p.in {
		case "path":
			vals = []string{vars[p.name]}
		case "query":
			vals = query[p.name]
			delete(query, p.name)
		case "header":
			vals = r.Header.Values(p.name)
		default:
			bad("parameter %s in %s: the validator does not read it", p.name, p.in)
			continue
		}
		switch {
		case len(vals) == 0:
			if p.required {
				bad("%s parameter %s is required", p.in, p.name)
			}
		case len(vals) > 1:
			bad("%s parameter %s is given %d times", p.in, p.name, len(vals))
		default:
			v, err := p.value(vals[0])
			if err == nil {
				err = p.schema.Validate(v)
			}
			if err != nil {
				bad("%s parameter %s=%q: %v", p.in, p.name, vals[0], err)
			}
		}
	}
	for name := range query {
		bad("query parameter %s is not in the document", name)
	}
	switch {
	case op.body == nil && len(body) > 0:
		bad("%s takes no request body", op.id)
	case op.body != nil && len(body) == 0:
		if op.required {
			bad("%s needs a request body", op.id)
		}
	case op.body != nil:
		if !mediaIn(r.Header.Get("Content-Type"), op.media) {
			bad("request Content-Type %q, the document has %v", r.Header.Get("Content-Type"), op.media)
		} else if err := validateJSON(op.body, body); err != nil {
			bad("request body: %v", err)
		}
	}
	return op, errors.Join(errs...)
}

// value is a parameter's text as the JSON value its schema's type means.
func (p parameter) value(s string) (any, error) {
	switch p.kind {
	case "integer":
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return nil, fmt.Errorf("not an integer")
		}
		return json.Number(s), nil
	case "number":
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return nil, fmt.Errorf("not a number")
		}
		return json.Number(s), nil
	case "boolean":
		return strconv.ParseBool(s)
	case "string", "":
		return s, nil
	}
	return nil, fmt.Errorf("the validator does not read %s parameters", p.kind)
}

// checkResponse checks an answer against the operation (nil: the request
// matched none, and the answer must be the error envelope). A success must
// be documented by its status; "default" describes only errors.
func (d *document) checkResponse(op *operation, res *http.Response, body []byte) error {
	status := strconv.Itoa(res.StatusCode)
	if op == nil {
		if res.StatusCode < 400 {
			return fmt.Errorf("%s for a request no operation describes", res.Status)
		}
		return d.checkBody(response{media: []string{"application/json"}, schema: d.envelope}, res, body)
	}
	want, ok := op.responses[status]
	if !ok {
		want, ok = op.responses[status[:1]+"XX"]
	}
	if !ok && res.StatusCode >= 400 {
		want, ok = op.responses["default"]
	}
	if !ok {
		codes := make([]string, 0, len(op.responses))
		for c := range op.responses {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		return fmt.Errorf("%s answered %s; the document has %v", op.id, res.Status, codes)
	}
	if err := checkHeaders(want, res); err != nil {
		return err
	}
	return d.checkBody(want, res, body)
}

// checkHeaders checks the answer's headers against those the document
// declares for it: a required one must be there, the API's own
// (sentHeaders) must be declared, and each declared one must fit its
// schema.
func checkHeaders(want response, res *http.Response) error {
	var errs []error
	for _, name := range sentHeaders {
		if _, ok := want.headers[name]; !ok && len(res.Header.Values(name)) > 0 {
			errs = append(errs, fmt.Errorf("header %s: %q, but the document does not declare it for %s", name, res.Header.Get(name), res.Status))
		}
	}
	for name, h := range want.headers {
		vals := res.Header.Values(name)
		switch {
		case len(vals) == 0:
			if h.required {
				errs = append(errs, fmt.Errorf("header %s is required for %s", name, res.Status))
			}
		case len(vals) > 1:
			errs = append(errs, fmt.Errorf("header %s is sent %d times", name, len(vals)))
		default:
			v, err := h.value(vals[0])
			if err == nil {
				err = h.schema.Validate(v)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("header %s: %q: %v", name, vals[0], err))
			}
		}
	}
	return errors.Join(errs...)
}

func (d *document) checkBody(want response, res *http.Response, body []byte) error {
	if want.schema == nil {
		if len(body) > 0 {
			return fmt.Errorf("a body where the document has none: %.200s", body)
		}
		return nil
	}
	if !mediaIn(res.Header.Get("Content-Type"), want.media) {
		return fmt.Errorf("Content-Type %q, the document has %v", res.Header.Get("Content-Type"), want.media)
	}
	if err := validateJSON(want.schema, body); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	return nil
}

func mediaIn(header string, media []string) bool {
	mt, _, err := mime.ParseMediaType(header)
	if err != nil {
		return false
	}
	for _, m := range media {
		if strings.EqualFold(m, mt) {
			return true
		}
	}
	return false
}

func validateJSON(s *jsonschema.Schema, body []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w: %.200s", err, body)
	}
	return s.Validate(v)
}

// expectation says what the test means a request to be.
type expectation int

const (
	// conform: the document allows the request (every request, unless
	// the test says otherwise).
	conform expectation = iota
	// outside: the test sends a request the document refuses on purpose
	// (an empty name, no token, an unknown route), to see the server
	// refuse it as well; the validator must refuse it too.
	outside
	// judged: the test does not know (it calls every operation with an
	// empty body); the document decides, and what it refuses the server
	// must refuse.
	judged
)

type expectKey struct{}

func withExpectation(ctx context.Context, e expectation) context.Context {
	return context.WithValue(ctx, expectKey{}, e)
}

// conforming checks each exchange against the document and reports every
// difference; report is the test's Errorf.
type conforming struct {
	doc    *document
	next   http.RoundTripper
	report func(format string, args ...any)
}

func (c *conforming) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.doc.ownPath(r) {
		return c.next.RoundTrip(r)
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	exp, _ := r.Context().Value(expectKey{}).(expectation)
	name := r.Method + " " + r.URL.RequestURI()
	op, reqErr := c.doc.checkRequest(r, body)
	switch {
	case exp == conform && reqErr != nil:
		c.report("%s: the document does not allow this request:\n%v", name, reqErr)
	case exp == outside && reqErr == nil:
		c.report("%s: the test sends this request as one the document refuses, but the document allows it", name)
	}
	res, err := c.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	if reqErr != nil && res.StatusCode < 400 {
		c.report("%s: the server accepted (%s) a request the document refuses:\n%v", name, res.Status, reqErr)
	}
	if err := c.doc.checkResponse(op, res, resBody); err != nil {
		c.report("%s: the answer is not the one the document describes:\n%v", name, err)
	}
	return res, nil
}
