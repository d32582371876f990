package cli

import (
	"bytes"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
)

func TestDecodeBackup(t *testing.T) {
	good := "{\n  \"version\": 1,\n  \"exported_at\": \"2026-11-28T09:00:00Z\",\n  \"leaders\": [{\"id\": \"L1\", \"name\": \"Lena\", \"created_at\": \"2026-11-28T09:00:00Z\"}]\n}\n"
	b, err := DecodeBackup("b.json", strings.NewReader(good))
	if err != nil {
		t.Fatalf("DecodeBackup: %v", err)
	}
	if b.Version != 1 || len(b.Leaders) != 1 || b.Leaders[0].Name != "Lena" || b.Exported.Hour() != 9 {
		t.Errorf("decoded %+v", b)
	}

	tests := []struct {
		name, in, want string
	}{
		{"empty", "  \n", "b.json: the file is empty"},
		{"syntax", "{\n  \"version\": 1,\n  \"leaders\": [,]\n}", "b.json:3: not valid JSON"},
		{"cut", "{\n  \"version\": 1,\n  \"leaders\": [", "b.json:3: the file ends in the middle"},
		{"unknown", "{\n  \"version\": 1,\n  \"colour\": \"blue\"\n}", `b.json:3: unknown field "colour"`},
		{"type", "{\n  \"version\": \"one\"\n}", "b.json:2: version should be a number, not a JSON string"},
		{"list", "{\"leaders\": {}}", "leaders should be a list"},
		{"time", "{\n\"exported_at\": \"yesterday\"}", `"yesterday" is not a time in RFC 3339 form`},
		{"trailing", "{\"version\": 1}\n{}", "b.json:2: more data after the backup"},
		{"not object", "[1, 2]", "b.json:1: the backup should be an object, not a JSON array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeBackup("b.json", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error for %q", tt.in)
			}
			if tl.ErrorCode(err) != tl.EINVALID {
				t.Errorf("code %s, want EINVALID", tl.ErrorCode(err))
			}
			msg := tl.ErrorMessage(err)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q", msg, tt.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("message has several lines: %q", msg)
			}
		})
	}
}

func TestTable(t *testing.T) {
	tab := NewTable("name", "trust [low–high]", "note")
	tab.Row("Ana", "0.500 [0.10–0.90]", "")
	tab.Row("Bartholomew", "0.1", "tab\there\nand a newline")
	var buf bytes.Buffer
	if err := tab.Write(&buf); err != nil {
		t.Fatal(err)
	}
	want := "name         trust [low–high]   note\n" +
		"Ana          0.500 [0.10–0.90]\n" +
		"Bartholomew  0.1                tab here and a newline\n"
	if buf.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", buf.String(), want)
	}
	if tab.Len() != 2 {
		t.Errorf("Len = %d", tab.Len())
	}
}
