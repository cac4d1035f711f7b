package pause

import (
	"strings"
)

// fold spells common accented Latin letters in ASCII, so that "Café" becomes "cafe", not "caf".
var fold = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ã", "a", "ä", "a", "å", "a", "æ", "ae", "ç", "c",
	"è", "e", "é", "e", "ê", "e", "ë", "e", "ì", "i", "í", "i", "î", "i", "ï", "i",
	"ñ", "n", "ò", "o", "ó", "o", "ô", "o", "õ", "o", "ö", "o", "ø", "o", "œ", "oe",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ý", "y", "ÿ", "y", "ß", "ss", "ð", "d", "þ", "th",
	"ą", "a", "ć", "c", "č", "c", "ď", "d", "ę", "e", "ě", "e", "ğ", "g", "ı", "i", "ł", "l",
	"ń", "n", "ň", "n", "ő", "o", "ř", "r", "ś", "s", "š", "s", "ş", "s", "ť", "t", "ů", "u",
	"ű", "u", "ź", "z", "ż", "z", "ž", "z", "&", " and ", "@", " at ", "+", " plus ",
)

// Slugify makes a slug from a title: lower-case ASCII letters and digits, words joined by single
// hyphens, at most MaxSlug characters, cut at a word boundary where possible. It returns "" when
// the title has no letter or digit it can spell in ASCII.
func Slugify(title string) string {
	s := fold.Replace(strings.ToLower(title))
	var b strings.Builder
	hyphen := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case r == '\'' || r == '’':
			// "what's" is "whats", not "what-s".
		default:
			hyphen = true
		}
	}
	out := b.String()
	if len(out) > MaxSlug {
		out = out[:MaxSlug]
		if i := strings.LastIndexByte(out, '-'); i > MaxSlug/2 {
			out = out[:i]
		}
		out = strings.Trim(out, "-")
	}
	return out
}

// IsSlug reports whether s is a well-formed slug: 1 to MaxSlug lower-case ASCII letters, digits
// and hyphens, with no leading, trailing or doubled hyphen.
func IsSlug(s string) bool {
	if s == "" || len(s) > MaxSlug || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
