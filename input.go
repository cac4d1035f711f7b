package pause

import "strings"

func set[V any](dst *V, src *V) {
	if src != nil {
		*dst = *src
	}
}

// normalizeList trims entries and drops repeats; with lower, it also lower-cases them.
func normalizeList(list []string, lower bool) []string {
	if list == nil {
		return nil
	}
	out := make([]string, 0, len(list))
	seen := make(map[string]bool, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if lower {
			s = strings.ToLower(s)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
