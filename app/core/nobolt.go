//go:build nobolt

package core

import (
	"errors"
	"pause"
)

// openBolt refuses: this build has no embedded store. The Lambda bootstrap is built with the
// tag nobolt (make lambda: both functions): there, a file would live and die with each instance, and bbolt would
// take about 300 KB of the bootstrap's 15 MB budget.
func openBolt(string) (pause.Stores, func() error, error) {
	return pause.Stores{}, nil, errors.New("PAUSE_STORE=bolt: this build has no embedded store (it was built with the tag nobolt, as the Lambda is): use PAUSE_STORE=dynamodb")
}
