package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// voidElements never have an end tag (HTML Living Standard, 13.1.2).
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

// wellFormed reports the first place where a page's elements do not nest:
// every element but the void ones must be closed explicitly and in order.
// This is stricter than HTML, which lets a parser close <p>, <li> or <td>
// implicitly, and is what html-validate's close-order and
// no-implicit-close rules ask for. Comments, the doctype and the text of
// <script> and <style> are skipped; attribute values may hold '>'.
func wellFormed(page string) error {
	var open []string
	line := func(i int) int { return strings.Count(page[:i], "\n") + 1 }
	for i := 0; i < len(page); {
		lt := strings.IndexByte(page[i:], '<')
		if lt < 0 {
			break
		}
		i += lt
		rest := page[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest, "-->")
			if end < 0 {
				return fmt.Errorf("line %d: a comment is not closed", line(i))
			}
			i += end + 3
			continue
		case strings.HasPrefix(rest, "<!"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return fmt.Errorf("line %d: a declaration is not closed", line(i))
			}
			i += end + 1
			continue
		}
		closing := strings.HasPrefix(rest, "</")
		j := 1
		if closing {
			j = 2
		}
		k := j
		for k < len(rest) && (rest[k] >= 'a' && rest[k] <= 'z' || rest[k] >= 'A' && rest[k] <= 'Z' || rest[k] >= '0' && rest[k] <= '9' || rest[k] == '-') {
			k++
		}
		if k == j { // a '<' in text (html/template escapes these, so rare)
			return fmt.Errorf("line %d: a bare '<' in text", line(i))
		}
		name := strings.ToLower(rest[j:k])
		// Find the end of the tag, stepping over quoted attribute values.
		var quote byte
		end := -1
		for m := k; m < len(rest); m++ {
			c := rest[m]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '>':
				end = m
			}
			if end >= 0 {
				break
			}
		}
		if end < 0 {
			return fmt.Errorf("line %d: <%s is not closed with '>'", line(i), name)
		}
		selfClosing := rest[end-1] == '/'
		at := line(i)
		i += end + 1
		switch {
		case closing:
			if voidElements[name] {
				return fmt.Errorf("line %d: </%s> closes a void element", at, name)
			}
			if len(open) == 0 {
				return fmt.Errorf("line %d: </%s> closes nothing", at, name)
			}
			if top := open[len(open)-1]; top != name {
				return fmt.Errorf("line %d: </%s> closes <%s> (open: %s)", at, name, top, strings.Join(open, " > "))
			}
			open = open[:len(open)-1]
		case voidElements[name]:
		case selfClosing && inSVG(open):
			// Foreign content (SVG) may close an element with "/>".
		case selfClosing:
			return fmt.Errorf("line %d: <%s/> is not a void element", at, name)
		default:
			open = append(open, name)
			if name == "script" || name == "style" || name == "textarea" || name == "title" {
				// Raw or escapable raw text up to the end tag.
				close := strings.Index(strings.ToLower(page[i:]), "</"+name)
				if close < 0 {
					return fmt.Errorf("line %d: <%s> is not closed", at, name)
				}
				i += close
			}
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("at the end, still open: %s", strings.Join(open, " > "))
	}
	return nil
}

func inSVG(open []string) bool {
	for _, n := range open {
		if n == "svg" {
			return true
		}
	}
	return false
}

// checkHTML fails t when an HTML answer's elements do not nest. The
// request helpers call it on every page the web tests render.
func checkHTML(t testing.TB, target string, h http.Header, body string) {
	t.Helper()
	if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Content-Encoding") != "" || body == "" {
		return
	}
	if err := wellFormed(body); err != nil {
		t.Errorf("%s: the page is not well formed: %v", target, err)
	}
}

func TestWellFormed(t *testing.T) {
	for _, c := range []struct {
		page string
		ok   bool
	}{
		{`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>a <b></title></head><body><p class="x>y">a<br>b</p><!-- <div> --></body></html>`, true},
		{`<script>if (a < b && "</div>") {}</script><input value='>'>`, true},
		{`<section><h2>a</h2>`, false},
		{`<ul><li>a<li>b</ul>`, false},
		{`<div><p>a</div></p>`, false},
		{`<div/>`, false},
		{`<svg viewBox="0 0 1 1"><rect width="1"/><g><path d="M0 0"/></g></svg>`, true},
		{`</br>`, false},
	} {
		if err := wellFormed(c.page); (err == nil) != c.ok {
			t.Errorf("%q: got %v, want ok=%v", c.page, err, c.ok)
		}
	}
}
