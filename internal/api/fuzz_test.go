package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// The schema-driven fuzz test: every operation of the served OpenAPI
// document is called many times with requests made from its own schemas,
// by a seeded PRNG: valid values, boundary values (empty, long strings,
// out-of-range and non-finite numbers, wrong types, missing required and
// extra fields, unicode including U+202E and NUL), malformed JSON, other
// media types, ids that name nothing, garbage path values, bad cursors,
// and no, a read-only or an unknown token. Each exchange goes through the
// same conforming transport as every API test (openapi_test.go), judged:
// the server never answers 5xx, every answer (status, content type, body)
// is one the document describes, and what the document refuses the server
// refuses too. The seed is in every failure; rerun one with
//
//	go test ./internal/api -run TestFuzzOperations -fuzz.seed=N
//
// and explore further with the native fuzz target:
//
//	go test ./internal/api -run '^$' -fuzz FuzzOperation -fuzztime 2m

var fuzzSeed = flag.Uint64("fuzz.seed", 20261207, "the seed of TestFuzzOperations' requests")

// fuzzRounds is how many requests TestFuzzOperations makes per operation
// and database.
const fuzzRounds = 24

// fuzzTarget is a server over the real app with a seeded leader: the
// document it serves, raw (to make requests from) and compiled (to judge
// the exchanges), and the ids that exist, by kind.
type fuzzTarget struct {
	base        string
	raw         map[string]any
	ops         []fuzzOp
	hc          *http.Client // judges each exchange against the document
	rec         *recorder
	write, read string
	ids         map[string][]string // kind (the path's first segment, or person, setting) → ids
	cursors     []string            // next_cursor values seen in answers
	backup      []byte              // the seeded ledger's export, a body importData takes
	now         atomic.Int64        // the app's clock, unix nanoseconds
}

// fuzzOp is one operation with the raw schemas of its parameters and body.
type fuzzOp struct {
	*operation
	path   string           // the template, /people/{person}/active
	params []map[string]any // the raw parameter objects
	body   map[string]any   // the body's raw schema, nil for none
}

// newFuzzTarget serves the API the way newEnv does, with a leader who has
// people, a team, promises, decisions, entries, journal notes, a pulse,
// a program, a webhook, tokens and an invitation, so ids exist.
func newFuzzTarget(tb testing.TB, db *store.DB, wrap func(http.Handler) http.Handler) *fuzzTarget {
	tb.Helper()
	ctx := context.Background()
	ft := &fuzzTarget{rec: &recorder{}, ids: map[string][]string{}}
	ft.now.Store(start.UnixNano())
	clock := func() time.Time { return time.Unix(0, ft.now.Load()).UTC() }
	a := app.New(db, app.Options{Now: clock})
	// The server answers through handler, which wrap breaks once the
	// ledger is seeded.
	var handler http.Handler = api.New(api.Config{Service: a, BaseURL: "https://tl.example"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	tb.Cleanup(srv.Close)
	doc, err := loadDocument(srv.URL)
	if err != nil {
		tb.Fatalf("the served OpenAPI document: %v", err)
	}
	ft.base = srv.URL
	ft.hc = &http.Client{
		Transport:     &conforming{doc: doc, next: http.DefaultTransport, report: ft.rec.report},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
	res, err := http.Get(srv.URL + api.Prefix + "/openapi.json")
	if err != nil {
		tb.Fatal(err)
	}
	err = json.NewDecoder(res.Body).Decode(&ft.raw)
	res.Body.Close()
	if err != nil {
		tb.Fatal(err)
	}
	byID := map[string]*operation{}
	for _, op := range doc.ops {
		byID[op.id] = op
	}
	for path, item := range ft.raw["paths"].(map[string]any) {
		for method, v := range item.(map[string]any) {
			o := v.(map[string]any)
			fo := fuzzOp{operation: byID[fmt.Sprint(o["operationId"])], path: path}
			if fo.operation == nil || fo.method != strings.ToUpper(method) {
				tb.Fatalf("%s %s: not in the compiled document", method, path)
			}
			for _, p := range asList(o["parameters"]) {
				fo.params = append(fo.params, p.(map[string]any))
			}
			fo.body, _ = dig(o, "requestBody", "content", "application/json", "schema").(map[string]any)
			ft.ops = append(ft.ops, fo)
		}
	}
	// The document is a map: order the operations so a seed means one sequence.
	sort.Slice(ft.ops, func(i, j int) bool { return ft.ops[i].id < ft.ops[j].id })

	u, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.com", Name: "Lena", Password: "correct horse battery"})
	if err != nil {
		tb.Fatal(err)
	}
	if _, ft.write, err = a.CreateToken(ctx, u.ID, "fuzz", tl.ScopeWrite); err != nil {
		tb.Fatal(err)
	}
	if _, ft.read, err = a.CreateToken(ctx, u.ID, "fuzz-reader", tl.ScopeRead); err != nil {
		tb.Fatal(err)
	}
	ft.seed(tb)
	// The people confirm their addresses through the mailed links, and a
	// week later they count toward a pulse's k.
	letters, err := mail.DeliverInProcess(ctx, db, a.MailRenderer("https://tl.example"), clock)
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range letters {
		if tok := linkIn(l.Text, "/v/"); tok != "" {
			if err := a.ConfirmAddress(ctx, tok); err != nil {
				tb.Fatalf("%s confirms: %v", l.To, err)
			}
		}
	}
	ft.now.Add(int64(tl.MemberWait))
	ft.seedPulse(tb)
	req, _ := http.NewRequest(http.MethodGet, ft.base+api.Prefix+"/export", nil)
	req.Header.Set("Authorization", "Bearer "+ft.write)
	if res, err := http.DefaultClient.Do(req); err == nil {
		ft.backup, _ = io.ReadAll(res.Body)
		res.Body.Close()
	}
	if wrap != nil {
		handler = wrap(handler)
	}
	return ft
}

// seed makes the leader's ledger through the API and keeps the ids.
func (ft *fuzzTarget) seed(tb testing.TB) {
	tb.Helper()
	post := func(kind, path string, body any) {
		tb.Helper()
		ft.post(tb, kind, path, body)
	}
	post("", "/teams", obj{"name": "Core"})
	for i, n := range []string{"Sam", "Ana", "Ben", "Kim", "Raj", "Zoë", "Lu"} {
		p := obj{"name": n, "email": strings.ToLower(n[:2]) + "@example.com"}
		if i >= 5 {
			p["team"] = "Core"
		}
		post("", "/people", p)
		ft.ids["person"] = append(ft.ids["person"], n)
	}
	for i, to := range []string{"Ana", "Ben", "Core"} {
		post("promises", "/promises", obj{"to": to, "what": fmt.Sprintf("review plan %d", i), "due": start.Add(time.Duration(24*(i+1)) * time.Hour)})
	}
	post("", "/decisions", obj{"what": "move the release", "why": "the tests are red", "affects": "Ben"})
	post("", "/decisions", obj{"what": "split the team", "affects": "Core"})
	for _, k := range []string{"recognition", "input-sought", "recognition"} {
		post("events", "/events", obj{"who": "Sam", "kind": k, "note": "in the all-hands"})
	}
	post("journal", "/journal", obj{"question": 1, "text": "I spoke first again"})
	post("journal", "/journal", obj{"text": "a free note"})
	post("programs", "/programs", obj{"name": "Pilot"})
	post("webhooks", "/webhooks", obj{"url": "https://hooks.example.com/tl"})
	post("tokens", "/tokens", obj{"name": "spare", "scope": "read"})
	post("", "/invitations", obj{"email": "new@example.org", "role": "member"})
	post("", "/calendar", nil)
	ft.ids["settings"] = []string{"half_life_days", "anonymity_k", "no_such_setting"}
}

// post creates something for the seeded ledger and keeps its id as kind.
func (ft *fuzzTarget) post(tb testing.TB, kind, path string, body any) {
	tb.Helper()
	var in io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		in = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(http.MethodPost, ft.base+api.Prefix+path, in)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+ft.write)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		tb.Fatalf("seeding POST %s: %d %s", path, res.StatusCode, out)
	}
	// The id is the answer's, or that of the object in it ({"pulse": {"id": …}}).
	var v map[string]any
	if json.Unmarshal(out, &v) != nil || kind == "" {
		return
	}
	id, _ := v["id"].(string)
	for _, inner := range v {
		if m, ok := inner.(map[string]any); ok && id == "" {
			id, _ = m["id"].(string)
		}
	}
	if id == "" {
		tb.Fatalf("seeding POST %s: no id in %s", path, out)
	}
	ft.ids[kind] = append(ft.ids[kind], id)
}

// seedPulse launches a pulse to the team, once its addresses count.
func (ft *fuzzTarget) seedPulse(tb testing.TB) {
	tb.Helper()
	ft.post(tb, "pulses", "/pulses", obj{"question": "What should we stop doing?"})
}

func asList(v any) []any { l, _ := v.([]any); return l }

// fuzzRequest is one request, in the parts the native fuzz target varies.
type fuzzRequest struct {
	op    int    // index into the target's operations
	value string // the path parameter's value, unescaped
	query string // the raw query
	key   string // the Idempotency-Key, "" for none
	body  []byte // nil: no body
	ctype uint8  // the Content-Type: an index into fuzzContentTypes
	auth  uint8  // the token: write, read, none, unknown
}

var fuzzContentTypes = []string{"application/json", "", "text/plain", "application/x-www-form-urlencoded",
	"application/json; charset=utf-8", "multipart/form-data; boundary=x", "application/xml", "application/merge-patch+json"}

// gen makes requests from the document's schemas.
type gen struct {
	r  *rand.Rand
	ft *fuzzTarget
}

func newGen(ft *fuzzTarget, seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), ft: ft}
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g *gen, xs ...T) T { return xs[g.r.IntN(len(xs))] }

// nasty are strings that break careless code.
var nasty = []string{
	"", " ", "\u202eevil\u202c", "nul\x00byte", "\x00", "😀👍🏽", "e\u0301\u0301\u0301", "\ufeffbom", "\u200b",
	"'; DROP TABLE people; --", "<script>alert(1)</script>", "../../etc/passwd", "%00", "%s%n", "${jndi:x}",
	"null", "NaN", "Infinity", "-0", "1e308", "0x10", "\\", "\"", "\r\n", "ǅǆ", "𝔘𝔫𝔦", strings.Repeat("a", 101),
	strings.Repeat("é", 1001), strings.Repeat("x", 4097), strings.Repeat("\u202e", 300),
}

// request makes the i-th request for op: most are valid or nearly so,
// the rest are broken in one way.
func (g *gen) request(opIndex int) fuzzRequest {
	op := g.ft.ops[opIndex]
	q := fuzzRequest{op: opIndex}
	switch n := g.r.IntN(100); {
	case n < 4:
		q.auth = 1 // read
	case n < 7:
		q.auth = 2 // none
	case n < 9:
		q.auth = 3 // unknown
	}
	vals := url.Values{}
	for _, p := range op.params {
		name, _ := p["name"].(string)
		schema, _ := p["schema"].(map[string]any)
		switch p["in"] {
		case "path":
			q.value = g.pathValue(op, name)
		case "query":
			if g.chance(0.5) {
				vals.Set(name, g.queryValue(name, schema))
			}
		case "header":
			if name == "Idempotency-Key" && g.chance(0.7) {
				q.key = fmt.Sprintf("k-%d", g.r.Uint64())
				if g.chance(0.2) { // a retry, the same key for another request, or a key out of bounds
					q.key = pick(g, fmt.Sprintf("k-%d", g.r.IntN(20)), strings.Repeat("k", 200), strings.Repeat("k", 201), "ünïcode", " ")
				}
			}
		}
	}
	if g.chance(0.04) {
		vals.Set(pick(g, "sort", "limit", "debug", "cursor"), pick(g, nasty...))
	}
	q.query = vals.Encode()
	if g.chance(0.03) {
		q.query += "&limit=1&limit=2"
	}
	if op.body != nil || g.chance(0.05) {
		q.body = g.body(op)
	}
	if q.body != nil && g.chance(0.1) {
		q.ctype = uint8(1 + g.r.IntN(len(fuzzContentTypes)-1))
	}
	return q
}

// pathValue is an id that exists, one that does not, or garbage.
func (g *gen) pathValue(op fuzzOp, name string) string {
	kind := strings.Split(strings.TrimPrefix(op.path, "/"), "/")[0]
	switch name {
	case "person":
		kind = "person"
	case "name":
		kind = "settings"
	}
	if ids := g.ft.ids[kind]; len(ids) > 0 && g.chance(0.6) {
		return pick(g, ids...)
	}
	return pick(g, append([]string{"no-such-id", "00000000-0000-0000-0000-000000000000", fmt.Sprintf("%x", g.r.Uint64()),
		"a/b", "..", ".", "%2F", "?x=1", "#frag", "Zoe", "zoë", "ZOË", "sam", "-1", "0", "9223372036854775808"}, nasty[1:]...)...)
}

// queryValue is a value for a query parameter: in range, on the edge,
// or not one at all.
func (g *gen) queryValue(name string, schema map[string]any) string {
	if name == "cursor" {
		if len(g.ft.cursors) > 0 && g.chance(0.4) {
			return pick(g, g.ft.cursors...)
		}
		junk := make([]byte, g.r.IntN(40))
		for i := range junk {
			junk[i] = byte(g.r.UintN(256))
		}
		return pick(g, "bm90LWFuLWlk", base64.RawURLEncoding.EncodeToString(junk), base64.StdEncoding.EncodeToString(junk),
			"!!!", "", base64.RawURLEncoding.EncodeToString([]byte(`{"at":"9999-12-31T23:59:59Z","id":"x"}`)),
			base64.RawURLEncoding.EncodeToString([]byte("-1|"+strings.Repeat("z", 300))), pick(g, nasty...))
	}
	if g.chance(0.6) {
		v := g.value(schema, 0)
		if s, ok := v.(string); ok {
			return s
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return pick(g, "0", "-1", "501", "1e308", "NaN", "abc", "", "99999999999999999999", "1.5", "+3", " 5", pick(g, nasty...))
}

// body is a JSON body made from op's schema, valid or broken in one way,
// or bytes that are not JSON.
func (g *gen) body(op fuzzOp) []byte {
	var v any = obj{}
	if op.body != nil {
		v = g.value(op.body, 0)
		if ex := fuzzExamples[op.id]; ex != nil && g.chance(0.4) {
			v = ex(g)
		}
	}
	switch n := g.r.IntN(100); {
	case n < 55: // as the schema says
	case n < 80: // one field broken
		if m, ok := v.(map[string]any); ok {
			g.breakField(m, op.body)
		}
	case n < 88: // not an object
		v = pick[any](g, nil, "text", 7, []any{obj{}}, true, math.MaxInt64)
	default: // not JSON
		b, _ := json.Marshal(v)
		return []byte(pick(g, "", "{", "}", `{"a":}`, `{"name":"x",}`, "[", "nul", `"unterminated`, string(b)+"garbage",
			string(b[:len(b)/2]), `{"name":"Ana","NAME":"Bob"}`, `{"a":1,"a":2}`, "\xff\xfe{}", `{"name":"\ud800"}`,
			"{\"name\":\"a\x00b\"}", strings.Repeat("[", 20000)+strings.Repeat("]", 20000),
			`{"value":1e999}`, `{"value":-1e999}`, `{"k":1e-400}`, `{"question":18446744073709551616}`))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b
}

// fuzzExamples make bodies the server takes, for the operations whose
// schema alone rarely makes one (a kind of entry with the fields it
// needs, a power base, a pulse's item).
var fuzzExamples = map[string]func(g *gen) any{
	"createEvent": func(g *gen) any {
		return obj{"who": pick(g, g.ft.ids["person"]...), "kind": pick(g, "recognition", "input-sought", "promise-kept", "credit-taken"),
			"note": g.text(0, 80)}
	},
	"setPersonPower":  func(g *gen) any { return obj{"power": obj{pick(g, "expert", "reward", "referent"): g.r.IntN(5)}} },
	"answerPulseSelf": func(g *gen) any { return obj{"answers": obj{pick(g, "a1", "a2", "b1", "i1"): 1 + g.r.IntN(5)}} },
	"addProgramCoach": func(g *gen) any { return obj{"email": "lena@example.com"} },
	"importData": func(g *gen) any {
		var v any
		json.Unmarshal(g.ft.backup, &v) // the leader's own export
		return v
	},
}

// breakField drops a required field, adds one the schema has not, or
// gives one a value of another type or size.
func (g *gen) breakField(m map[string]any, schema map[string]any) {
	schema = g.ft.resolve(schema)
	props, _ := schema["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	switch n := g.r.IntN(4); {
	case n == 0 && len(asList(schema["required"])) > 0:
		delete(m, fmt.Sprint(pick(g, asList(schema["required"])...)))
	case n == 1 || len(names) == 0:
		m[pick(g, "extra", "Name", "id", "leader_id", "__proto__", "")] = pick[any](g, 1, "x", nil)
	default:
		m[pick(g, names...)] = pick[any](g, nil, "", -1, 0, 1e308, -1e308, math.MaxInt64, math.MinInt64, 2.5, true,
			[]any{"x", 1}, obj{"a": obj{}}, strings.Repeat("x", 5000), pick(g, nasty...),
			"2026-02-30T25:61:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-03-04", "not a date")
	}
}

// resolve follows a $ref into the document's components.
func (ft *fuzzTarget) resolve(s map[string]any) map[string]any {
	for i := 0; i < 8 && s != nil; i++ {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		s, _ = dig(ft.raw, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...).(map[string]any)
	}
	return s
}

// value is a value the schema allows, mostly; names it knows (a person,
// a date) get values that mean something to the server.
func (g *gen) value(schema map[string]any, depth int) any {
	s := g.ft.resolve(schema)
	if s == nil {
		return nil
	}
	if e := asList(s["enum"]); len(e) > 0 {
		return pick(g, e...)
	}
	typ, _ := s["type"].(string)
	if typs := asList(s["type"]); len(typs) > 0 {
		typ = fmt.Sprint(typs[0])
		if g.chance(0.1) {
			typ = fmt.Sprint(pick(g, typs...))
		}
	}
	num := func(k string, d float64) float64 {
		if f, ok := s[k].(float64); ok {
			return f
		}
		return d
	}
	switch typ {
	case "object":
		m := obj{}
		if depth > 3 {
			return m
		}
		props, _ := s["properties"].(map[string]any)
		required := map[string]bool{}
		for _, r := range asList(s["required"]) {
			required[fmt.Sprint(r)] = true
		}
		names := make([]string, 0, len(props))
		for k := range props {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if required[k] || g.chance(0.3) || (usual[k] && g.chance(0.8)) {
				m[k] = g.named(k, props[k].(map[string]any), depth)
			}
		}
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			// The maps of the API: power bases → 0..4, pulse items → 1..5.
			for range 1 + g.r.IntN(3) {
				k := pick(g, "legitimate", "reward", "coercive", "informational", "expert", "referent", "a1", "a2", "b1", "b2", "i1", "i2", "charisma", "")
				if v := g.value(ap, depth+1); g.chance(0.8) && ap["type"] == "integer" {
					m[k] = g.r.IntN(6)
				} else {
					m[k] = v
				}
			}
		}
		return m
	case "array":
		items, _ := s["items"].(map[string]any)
		l := []any{}
		for range g.r.IntN(3) {
			if depth < 3 {
				l = append(l, g.value(items, depth+1))
			}
		}
		return l
	case "integer":
		lo, hi := num("minimum", -5), num("maximum", 1000)
		return pick(g, int64(lo), int64(hi), int64(lo)+g.r.Int64N(int64(hi-lo)+1), int64(hi)+1, int64(lo)-1)
	case "number":
		return pick(g, 0.0, 1.0, 30.0, 0.5, -1.0, 1e308, -1e308, 5e-324, 3.0, 90.0)
	case "boolean":
		return g.chance(0.5)
	case "null":
		return nil
	}
	// A string.
	switch s["format"] {
	case "date-time":
		return pick(g, start.Add(time.Duration(g.r.IntN(400)-100)*time.Hour), start.AddDate(0, 0, 7), start.AddDate(-30, 0, 0),
			start.AddDate(200, 0, 0), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), start.In(time.FixedZone("", 14*3600))).Format(time.RFC3339Nano)
	case "email":
		return pick(g, "x@example.com", "ana@example.com")
	}
	min, max := int(num("minLength", 0)), int(num("maxLength", 120))
	if g.chance(0.08) {
		return pick(g, nasty...)
	}
	return pick(g, g.text(min, min+12), g.text(min, max), g.text(max, max), g.text(min, min))
}

// usual are the fields a body may leave out that most requests give.
var usual = map[string]bool{"who": true, "email": true}

// named is a value for an object's field: the schema's, or for the names
// the server looks up, a name or id that exists now and then.
func (g *gen) named(name string, schema map[string]any, depth int) any {
	if g.chance(0.8) {
		switch name {
		case "to", "affects", "who", "person":
			return pick(g, append(g.ft.ids["person"], "Core", "Nobody")...)
		case "members":
			return []any{pick(g, g.ft.ids["person"]...), pick(g, g.ft.ids["person"]...)}
		case "email":
			return pick(g, "sam@example.com", "new@example.org", "x@example.com", "not-an-address", "a@b", "@", strings.Repeat("a", 250)+"@x.io")
		case "url":
			if g.chance(0.6) {
				return fmt.Sprintf("https://hooks.example.com/%d", g.r.IntN(1000))
			}
			return pick(g, "http://127.0.0.1:9/x", "http://10.0.0.1/x", "ftp://x", "https://[::1]/", "javascript:alert(1)", "https://", "not a url")
		case "base":
			return pick(g, "legitimate", "reward", "coercive", "informational", "expert", "referent", "charisma")
		case "team":
			return pick(g, "Core", "", "team", "Nowhere")
		case "due", "new_due", "closes":
			return start.Add(time.Duration(24+g.r.IntN(24*60)) * time.Hour).Format(time.RFC3339)
		case "kind":
			if _, ok := schema["enum"]; ok {
				break
			}
			return pick(g, "recognition", "promise-kept", "apology", "authority-granted", "input-sought", "no-such-kind")
		case "repairs", "reverses":
			return pick(g, append(g.ft.ids["events"], "nothing")...)
		case "time_zone":
			return pick(g, "Europe/Berlin", "UTC", "Mars/Olympus", "../../etc/localtime", "Local", "")
		case "csv":
			return pick(g, "email,name,role\nsam2@example.com,Sam Two,member\n", "email,name\n", "a,b,c\n\"unterminated", "email,name,role\n,,\n")
		case "scenario":
			if g.chance(0.5) {
				return fuzzScenario
			}
			return pick(g, "name: x\nweeks: 2\n", "{", "- [", "weeks: -1\n", "weeks: 1000000000\n", "",
				strings.Replace(fuzzScenario, "week: 2", "week: -2", 1), strings.Replace(fuzzScenario, "2026-01-05", "0000-00-00", 1))
		}
	}
	return g.value(schema, depth+1)
}

// fuzzScenario is a small scenario the simulator runs.
const fuzzScenario = `name: fuzz
start: 2026-01-05
people:
  - {name: Ana, kind: direct-report}
  - {name: Ben, kind: peer}
events:
  - {week: 1, day: 2, who: Ana, kind: recognition}
  - {week: 2, day: 3, who: Ben, kind: promise-broken}
`

// text is a string of length in [min, max] (capped at 4 KiB), sometimes
// with characters from outside ASCII.
func (g *gen) text(min, max int) string {
	if max > 4096 {
		max = 4096
	}
	if max < min {
		max = min
	}
	n := min + g.r.IntN(max-min+1)
	alphabet := []rune("abcdefghijklmnopqrstuvwxyz ABCDEF0123456789-_.")
	if g.chance(0.3) {
		alphabet = []rune("aé漢\u202e😀\u0000ß\t ")
	}
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(rs)
}

// send makes the request and judges the exchange; it returns the status
// and every way the exchange breaks the rules.
func (ft *fuzzTarget) send(q fuzzRequest) (int, []byte, string) {
	op := ft.ops[q.op%len(ft.ops)]
	var path strings.Builder
	path.WriteString(ft.base + api.Prefix)
	for _, seg := range op.segments {
		path.WriteString("/")
		if strings.HasPrefix(seg, "{") {
			path.WriteString(url.PathEscape(q.value))
		} else {
			path.WriteString(seg)
		}
	}
	if q.query != "" {
		vals, _ := url.ParseQuery(q.query)
		for name := range vals {
			// The server ignores a name it does not have; one with a space,
			// a control character or bytes that are not UTF-8 would only
			// garble the validator's report of it.
			if !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
				delete(vals, name)
			}
		}
		path.WriteString("?" + vals.Encode())
	}
	var body io.Reader
	if q.body != nil {
		body = bytes.NewReader(q.body)
	}
	req, err := http.NewRequestWithContext(withExpectation(context.Background(), judged), op.method, path.String(), body)
	if err != nil {
		return 0, nil, "" // not a request a client can send
	}
	if q.body != nil {
		if ct := fuzzContentTypes[int(q.ctype)%len(fuzzContentTypes)]; ct != "" {
			req.Header.Set("Content-Type", ct)
		}
	}
	switch q.auth % 4 {
	case 0:
		req.Header.Set("Authorization", "Bearer "+ft.write)
	case 1:
		req.Header.Set("Authorization", "Bearer "+ft.read)
	case 3:
		req.Header.Set("Authorization", "Bearer tl_"+strings.Repeat("0", 40))
	}
	if q.key != "" {
		req.Header.Set("Idempotency-Key", q.key)
	}
	res, err := ft.hc.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), "invalid header field") {
			return 0, nil, ""
		}
		return 0, nil, fmt.Sprintf("the request failed: %v", err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	problems := ft.problems(res.Header.Get("Idempotent-Replayed") == "true")
	if res.StatusCode >= 500 {
		problems = strings.TrimSpace(fmt.Sprintf("a 5xx for a client's request\n%s", problems))
	}
	if problems != "" {
		problems = fmt.Sprintf("%s %.300s\n%s", res.Status, bytes.TrimSpace(out), problems)
	}
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	if json.Unmarshal(out, &page) == nil && page.NextCursor != "" && len(ft.cursors) < 50 {
		ft.cursors = append(ft.cursors, page.NextCursor)
	}
	return res.StatusCode, out, problems
}

// tolerated are what the document refuses and the server, like most,
// lets pass: a query parameter the operation does not have, one given
// twice (the first counts) or empty (as if left out), a body where
// the operation takes none, and a JSON body sent without a Content-Type
// or as another JSON media type (application/merge-patch+json); and a
// null for a field the body may leave out (isTolerated). The document has no way to say so; the
// fuzz test passes these and reports every other difference.
var tolerated = regexp.MustCompile(`^(query parameter \S* is not in the document|query parameter \S* is given \d+ times|(?s:query parameter \S*="": .*)|\S+ takes no request body|request Content-Type "([^"]*\+json[^"]*)?", the document has \[application/json\])$`)

// problems takes what the conforming transport reported of the last
// exchange, less what is tolerated, and for a replayed answer, less
// whether the request was one the server should refuse.
func (ft *fuzzTarget) problems(replayed bool) string {
	ft.rec.mu.Lock()
	msgs := ft.rec.msgs
	ft.rec.msgs = nil
	ft.rec.mu.Unlock()
	var out []string
	for _, m := range msgs {
		if head, reasons, ok := strings.Cut(m, " a request the document refuses:\n"); ok && strings.Contains(head, "the server accepted") {
			if replayed {
				// The answer is the first request's with this key and
				// body, judged when it was made; the retry may differ
				// in what the key does not cover (its Content-Type).
				continue
			}
			var left []string
			for _, r := range reasonsOf(reasons) {
				if !isTolerated(r) {
					left = append(left, r)
				}
			}
			if len(left) == 0 {
				continue
			}
			m = head + " a request the document refuses:\n" + strings.Join(left, "\n")
		}
		out = append(out, m)
	}
	return strings.Join(out, "\n")
}

// reasonsOf splits the validator's joined reasons; a schema's details
// ("- at '/x': …", indented) stay with the reason they explain.
func reasonsOf(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if len(out) > 0 && (strings.HasPrefix(line, "-") || strings.HasPrefix(line, " ")) {
			out[len(out)-1] += "\n" + line
			continue
		}
		out = append(out, line)
	}
	return out
}

// isTolerated: one of the tolerated, or a body whose only fault is a
// null for a field it may leave out, which the server reads as left out.
func isTolerated(reason string) bool {
	first, details, _ := strings.Cut(reason, "\n")
	if !strings.HasPrefix(first, "request body: jsonschema validation failed") {
		return tolerated.MatchString(reason)
	}
	for _, d := range strings.Split(details, "\n") {
		if !nullOnly.MatchString(d) {
			return false
		}
	}
	return details != ""
}

var nullOnly = regexp.MustCompile(`^\s*- at '[^']*': got null, want \w+$`)

// describe is a request as a failure message shows it.
func (ft *fuzzTarget) describe(q fuzzRequest) string {
	op := ft.ops[q.op%len(ft.ops)]
	return fmt.Sprintf("%s (%s %s) value=%q query=%q key=%q content-type=%q auth=%s body=%.400q",
		op.id, op.method, op.path, q.value, q.query, q.key, fuzzContentTypes[int(q.ctype)%len(fuzzContentTypes)],
		[]string{"write", "read", "none", "unknown"}[q.auth%4], q.body)
}

// TestFuzzOperations sends fuzzRounds requests made from the document to
// every operation it has, on SQLite and PostgreSQL: no 5xx, and every
// answer one the document describes.
func TestFuzzOperations(t *testing.T) {
	for _, c := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		t.Run(c.name, func(t *testing.T) {
			seed, rounds := *fuzzSeed, fuzzRounds
			if testing.Short() {
				rounds = 4
			}
			began := time.Now()
			ft := newFuzzTarget(t, c.open(t), nil)
			if len(ft.ops) < 60 {
				t.Errorf("the document has %d operations; expected the whole API", len(ft.ops))
			}
			run := ft.run(seed, rounds)
			for _, f := range run.failures {
				t.Error(f)
			}
			if run.failed > 0 {
				t.Errorf("seed %d: %d of %d requests failed (rerun with -fuzz.seed=%d)", seed, run.failed, run.requests, seed)
			}
			t.Logf("seed %d: %d requests over %d operations in %v; statuses %v",
				seed, run.requests, len(ft.ops), time.Since(began).Round(time.Millisecond), run.statuses)
		})
	}
}

// fuzzRun is what one run of the generator found.
type fuzzRun struct {
	requests, failed int
	statuses         map[int]int
	failures         []string       // the first of each operation and status
	failedOps        map[string]int // operation id → failed requests
	succeeded        map[string]int // operation id → 2xx answers
}

// run sends rounds requests to every operation, in an order the seed
// shuffles, so what one request changes (an erasure, a revoked token)
// meets the others.
func (ft *fuzzTarget) run(seed uint64, rounds int) fuzzRun {
	g := newGen(ft, seed)
	var order []int
	for i := range ft.ops {
		for range rounds {
			order = append(order, i)
		}
	}
	g.r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	out := fuzzRun{requests: len(order), statuses: map[int]int{}, failedOps: map[string]int{}, succeeded: map[string]int{}}
	seen := map[string]bool{}
	for n, i := range order {
		q := g.request(i)
		status, _, problems := ft.send(q)
		out.statuses[status]++
		if status < 300 {
			out.succeeded[ft.ops[i].id]++
		}
		if problems == "" {
			continue
		}
		out.failed++
		out.failedOps[ft.ops[i].id]++
		if k := fmt.Sprintf("%s %d", ft.ops[i].id, status); !seen[k] && len(seen) < 40 {
			seen[k] = true
			out.failures = append(out.failures, fmt.Sprintf("seed %d, request %d: %s\nanswered %s", seed, n, ft.describe(q), problems))
		}
	}
	return out
}

// TestFuzzOperationsCatchesFaults proves the fuzz test can fail: the same
// run against the real server behind a wrapper that breaks three
// operations (a 500 for a JSON object, a body the schema refuses, a
// status the document does not have) reports each of them, and nothing
// else.
func TestFuzzOperationsCatchesFaults(t *testing.T) {
	broken := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			switch p := strings.TrimPrefix(r.URL.Path, api.Prefix); {
			case r.Method == http.MethodPost && p == "/events" && bytes.HasPrefix(body, []byte("{")):
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, `{"error":{"code":"internal","message":"broken on purpose"}}`)
			case r.Method == http.MethodGet && p == "/promises/say-do":
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"kept":"all of them","due":2}`)
			case r.Method == http.MethodDelete && strings.HasPrefix(p, "/webhooks/"):
				w.WriteHeader(http.StatusAccepted)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
	ft := newFuzzTarget(t, storetest.OpenSQLite(t), broken)
	run := ft.run(*fuzzSeed, 6)
	for _, id := range []string{"createEvent", "getSayDo", "deleteWebhook"} {
		if run.failedOps[id] == 0 {
			t.Errorf("the fuzz run did not catch the broken %s; it reported:\n%s", id, strings.Join(run.failures, "\n"))
		}
	}
	for id := range run.failedOps {
		if id != "createEvent" && id != "getSayDo" && id != "deleteWebhook" {
			t.Errorf("the fuzz run reported %s, which is not broken:\n%s", id, strings.Join(run.failures, "\n"))
		}
	}
	if run.statuses[http.StatusInternalServerError] == 0 {
		t.Error("no 500 came back from the broken createEvent")
	}
	t.Logf("caught: %v", run.failedOps)
}

// FuzzOperation lets go's fuzzer vary the generator's requests: the
// corpus is a few made for each operation, and any input is an
// operation (by index), a path value, a query, a key, a body, a content
// type and a token. The same rules hold: no 5xx, every answer described.
func FuzzOperation(f *testing.F) {
	ft := newFuzzTarget(f, storetest.OpenSQLite(f), nil)
	g := newGen(ft, *fuzzSeed)
	for i := range ft.ops {
		for range 3 {
			q := g.request(i)
			f.Add(i, q.value, q.query, q.key, q.body, q.ctype, q.auth)
		}
	}
	f.Fuzz(func(t *testing.T, op int, value, query, key string, body []byte, ctype, auth uint8) {
		if op < 0 {
			op = -op
		}
		q := fuzzRequest{op: op % len(ft.ops), value: value, query: query, key: key, body: body, ctype: ctype, auth: auth}
		if len(body) == 0 && ft.ops[q.op].body == nil {
			q.body = nil
		}
		if _, _, problems := ft.send(q); problems != "" {
			t.Errorf("%s\nanswered %s", ft.describe(q), problems)
		}
	})
}
