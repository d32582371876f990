package web

import (
	"net/url"
	"strings"
	"testing"
)

// localPathAttacks are "next" values that a browser would follow off the
// site (or that hide what they are): tabs and newlines, which browsers
// drop from a URL, other control and space characters, backslashes,
// which browsers read as slashes, and schemes and hosts.
var localPathAttacks = []string{
	"",
	"x",
	"//",
	"//evil.example",
	"///evil.example",
	"/\\evil.example",
	"\\/evil.example",
	"/\t/evil.example",
	"/\n/evil.example",
	"/\r/evil.example",
	"/\r\n/evil.example",
	"/\x00/evil.example",
	"/\x0b/evil.example",
	"/\x0c/evil.example",
	"/ /evil.example",
	"/\u00a0/evil.example",
	"/\u2028/evil.example",
	"/\ufeff/evil.example",
	"/\t\\evil.example",
	"//\tevil.example",
	"/\\\\evil.example",
	"/%09/evil.example",
	"/%2F/evil.example",
	"/%2f%2fevil.example",
	"/%5C/evil.example",
	"/%5cevil.example",
	"/%0a/evil.example",
	"/./evil.example/..//evil.example",
	"/.//evil.example",
	"/..//evil.example",
	"/a/../..//evil.example",
	"https://evil.example",
	"javascript:alert(1)",
	"/log\t",
	"/log ",
	"/log\n",
	"\t/log",
	" /log",
	"/log#\t",
	"/%zz",
}

// localPathsKept are ordinary targets the site itself links to.
var localPathsKept = []string{
	"/",
	"/log",
	"/log?who=Ana",
	"/log?who=Ana%20Lima&week=2026-W10",
	"/people/3#notes",
	"/promises/",
	"/p/ab_cd-EF",
}

func TestLocalPathRefusesWhatBrowsersFollowOffSite(t *testing.T) {
	for _, p := range localPathAttacks {
		if localPath(p) {
			t.Errorf("localPath(%q) = true, want false", p)
		}
	}
	for _, p := range localPathsKept {
		if !localPath(p) {
			t.Errorf("localPath(%q) = false, want true", p)
		}
	}
}

// TestLoginNextStaysOnSite posts the attacks through the password sign-in
// and the sign-in form and checks the redirect goes home instead.
func TestLoginNextStaysOnSite(t *testing.T) {
	e := newEnv(t)
	e.owner("Lena", "lena@example.org")
	for _, p := range localPathAttacks {
		w := e.do("POST", "/login", form("email", "lena@example.org", "password", testPassword, "next", p), nil)
		if w.Code != 303 || w.Header().Get("Location") != "/" {
			t.Errorf("next=%q: %d Location %q, want 303 /", p, w.Code, w.Header().Get("Location"))
		}
		f := e.do("GET", "/login?next="+url.QueryEscape(p), nil, nil)
		if p != "" && strings.Contains(f.Body.String(), `name="next" value=`) && !strings.Contains(f.Body.String(), `name="next" value=""`) {
			t.Errorf("sign-in form keeps next=%q", p)
		}
	}
}

// FuzzLocalPath checks that no accepted value, read the way a browser
// reads a Location (tabs and newlines removed, backslashes as slashes),
// names a scheme or a host.
func FuzzLocalPath(f *testing.F) {
	for _, p := range append(localPathAttacks, localPathsKept...) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !localPath(p) {
			return
		}
		b := strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(p)
		for _, s := range []string{b, strings.ReplaceAll(b, "\\", "/")} {
			u, err := url.Parse(s)
			if err != nil {
				t.Fatalf("localPath(%q) = true, but it does not parse: %v", p, err)
			}
			if u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
				t.Fatalf("localPath(%q) = true, but it reads as scheme %q host %q", p, u.Scheme, u.Host)
			}
			if strings.HasPrefix(u.Path, "//") || strings.HasPrefix(u.EscapedPath(), "//") {
				t.Fatalf("localPath(%q) = true, but its path starts with //", p)
			}
		}
	})
}
