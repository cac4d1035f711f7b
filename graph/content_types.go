package graph

// optional returns a pointer to n, or nil (null) when n is 0: a limit that a field does not
// have.
func optional(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}
