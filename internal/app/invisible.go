package app

import (
	"unicode"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
)

// invisibleNames names the invisible characters people meet most; the
// others are called by their code point alone.
var invisibleNames = map[rune]string{
	0x00AD: "soft hyphen",
	0x061C: "Arabic letter mark",
	0x200B: "zero-width space",
	0x200C: "zero-width non-joiner",
	0x200D: "zero-width joiner",
	0x200E: "left-to-right mark",
	0x200F: "right-to-left mark",
	0x2028: "line separator",
	0x2029: "paragraph separator",
	0x202A: "left-to-right embedding",
	0x202B: "right-to-left embedding",
	0x202C: "pop directional formatting",
	0x202D: "left-to-right override",
	0x202E: "right-to-left override",
	0x2066: "left-to-right isolate",
	0x2067: "right-to-left isolate",
	0x2068: "first strong isolate",
	0x2069: "pop directional isolate",
	0xFEFF: "zero-width no-break space",
}

// checkVisible refuses format characters (Unicode category Cf: the
// bidirectional controls, zero-width characters, the byte order mark) and
// the line and paragraph separators. They show nothing, or turn the text
// around them ("Ana\u202Egnp.exe" reads "Anaexe.png"), so a name or a
// note could pass for another. The error says which character and where
// (counting characters from 1), as what is the subject of the sentence.
//
// Control characters other than the tab and line breaks, and bytes that
// are not UTF-8, are refused too: PostgreSQL cannot store a NUL, and
// both databases must keep the same texts.
func checkVisible(what, s string) error {
	if !utf8.ValidString(s) {
		return tl.Errorf(tl.EINVALID, "%s holds bytes that are not UTF-8 text: send it as UTF-8", what)
	}
	i := 0
	for _, r := range s {
		i++
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return tl.Errorf(tl.EINVALID, "%s holds the control character U+%04X at character %d: remove it", what, r, i)
		}
		if unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			name := invisibleNames[r]
			if name == "" {
				name = "an invisible formatting character"
			}
			return tl.Errorf(tl.EINVALID, "%s holds the invisible character U+%04X (%s) at character %d: remove it", what, r, name, i)
		}
	}
	return nil
}
