//go:build !nobolt

package core

import (
	"pause"
	"pause/bolt"
)

// openBolt opens the embedded store's file.
func openBolt(path string) (pause.Stores, func() error, error) {
	db, err := bolt.Open(path)
	if err != nil {
		return pause.Stores{}, nil, err
	}
	return db.Stores(), db.Close, nil
}
