package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"pause"
)

// Webhook endpoints live in the bucket "webhooks": "endpoints" (id → endpointRecord) and
// "deliveries" (endpoint id, NUL, delivery id → deliveryRecord; delivery ids are ULIDs, so an
// endpoint's deliveries are in order of time).
var (
	webhookBucket    = []byte("webhooks")
	endpointsBucket  = []byte("endpoints")
	deliveriesBucket = []byte("deliveries")
)

type endpointRecord struct {
	ID             string     `json:"id"`
	URL            string     `json:"url"`
	Description    string     `json:"description"`
	EventTypes     []string   `json:"eventTypes"`
	Enabled        bool       `json:"enabled"`
	SealedSecret   string     `json:"sealedSecret"`
	SecretHint     string     `json:"secretHint"`
	CreatedAt      time.Time  `json:"createdAt"`
	CreatedBy      string     `json:"createdBy"`
	UpdatedAt      time.Time  `json:"updatedAt"`
	DisabledAt     *time.Time `json:"disabledAt,omitempty"`
	DisabledReason string     `json:"disabledReason,omitempty"`
	Cursor         uint64     `json:"cursor"`
	Attempts       int        `json:"attempts"`
	FailingSince   *time.Time `json:"failingSince,omitempty"`
	NextAttemptAt  *time.Time `json:"nextAttemptAt,omitempty"`
	Version        int        `json:"version"`
}

type deliveryRecord struct {
	ID         string        `json:"id"`
	EndpointID string        `json:"endpointId"`
	EventID    string        `json:"eventId"`
	EventType  string        `json:"eventType"`
	Generation uint64        `json:"generation"`
	Kind       string        `json:"kind"`
	Attempt    int           `json:"attempt"`
	At         time.Time     `json:"at"`
	Succeeded  bool          `json:"succeeded"`
	StatusCode int           `json:"statusCode"`
	Error      string        `json:"error,omitempty"`
	Duration   time.Duration `json:"duration"`
}

// webhookStore is pause.WebhookStore on the file.
type webhookStore struct{ db *bbolt.DB }

func (s webhookStore) init(tx *bbolt.Tx) error {
	b, err := tx.CreateBucketIfNotExists(webhookBucket)
	if err != nil {
		return err
	}
	if _, err := b.CreateBucketIfNotExists(endpointsBucket); err != nil {
		return err
	}
	_, err = b.CreateBucketIfNotExists(deliveriesBucket)
	return err
}

func (s webhookStore) buckets(tx *bbolt.Tx) (endpoints, deliveries *bbolt.Bucket) {
	b := tx.Bucket(webhookBucket)
	return b.Bucket(endpointsBucket), b.Bucket(deliveriesBucket)
}

func putEndpoint(b *bbolt.Bucket, ep *pause.Endpoint) error {
	data, err := json.Marshal(endpointRecord(*ep))
	if err != nil {
		return fmt.Errorf("encode endpoint %s: %w", ep.ID, err)
	}
	return b.Put([]byte(ep.ID), data)
}

func getEndpoint(b *bbolt.Bucket, id string) (*pause.Endpoint, error) {
	data := b.Get([]byte(id))
	if data == nil {
		return nil, pause.Errorf(pause.ENOTFOUND, "No webhook endpoint has id %s.", id)
	}
	var r endpointRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("decode endpoint %s: %w", id, err)
	}
	ep := pause.Endpoint(r)
	return &ep, nil
}

// CreateEndpoint stores the endpoint and the audit entry in one transaction.
func (s webhookStore) CreateEndpoint(ctx context.Context, ep *pause.Endpoint, audit *pause.AuditEntry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		eps, _ := s.buckets(tx)
		if eps.Get([]byte(ep.ID)) != nil {
			return pause.Errorf(pause.ECONFLICT, "Another webhook endpoint has the id %s.", ep.ID)
		}
		if err := putEndpoint(eps, ep); err != nil {
			return err
		}
		return writeAudit(tx, audit)
	})
	return wrap(err, "create webhook endpoint %s", ep.ID)
}

// Endpoint reads the endpoint.
func (s webhookStore) Endpoint(ctx context.Context, id string) (*pause.Endpoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var ep *pause.Endpoint
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		eps, _ := s.buckets(tx)
		ep, err = getEndpoint(eps, id)
		return err
	})
	return ep, wrap(err, "get webhook endpoint %s", id)
}

// Endpoints reads every endpoint, by id.
func (s webhookStore) Endpoints(ctx context.Context) ([]*pause.Endpoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := []*pause.Endpoint{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		eps, _ := s.buckets(tx)
		return eps.ForEach(func(k, _ []byte) error {
			ep, err := getEndpoint(eps, string(k))
			if err == nil {
				out = append(out, ep)
			}
			return err
		})
	})
	return out, wrap(err, "list webhook endpoints")
}

// UpdateEndpoint replaces the endpoint at its version, with the audit entry, in one
// transaction.
func (s webhookStore) UpdateEndpoint(ctx context.Context, ep *pause.Endpoint, audit *pause.AuditEntry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		eps, _ := s.buckets(tx)
		old, err := getEndpoint(eps, ep.ID)
		if err != nil {
			return err
		}
		if old.Version != ep.Version-1 {
			return pause.Errorf(pause.ECONFLICT, "This webhook endpoint changed since version %d (it is at version %d).", ep.Version-1, old.Version)
		}
		if err := putEndpoint(eps, ep); err != nil {
			return err
		}
		if audit != nil {
			return writeAudit(tx, audit)
		}
		return nil
	})
	return wrap(err, "update webhook endpoint %s", ep.ID)
}

// DeleteEndpoint deletes the endpoint and its deliveries, with the audit entry, in one
// transaction.
func (s webhookStore) DeleteEndpoint(ctx context.Context, id string, audit *pause.AuditEntry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		eps, dels := s.buckets(tx)
		if _, err := getEndpoint(eps, id); err != nil {
			return err
		}
		prefix := append([]byte(id), 0)
		c := dels.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		if err := eps.Delete([]byte(id)); err != nil {
			return err
		}
		return writeAudit(tx, audit)
	})
	return wrap(err, "delete webhook endpoint %s", id)
}

// AddDelivery records the delivery, and drops the endpoint's oldest beyond
// pause.MaxDeliveries.
func (s webhookStore) AddDelivery(ctx context.Context, d *pause.Delivery) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := json.Marshal(deliveryRecord(*d))
	if err != nil {
		return fmt.Errorf("bolt: encode delivery: %w", err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		_, dels := s.buckets(tx)
		prefix := append([]byte(d.EndpointID), 0)
		if err := dels.Put(append(prefix, d.ID...), data); err != nil {
			return err
		}
		n := 0
		c := dels.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			n++
		}
		for k, _ := c.Seek(prefix); n > pause.MaxDeliveries && k != nil; k, _ = c.Seek(prefix) {
			if err := c.Delete(); err != nil {
				return err
			}
			n--
		}
		return nil
	})
	return wrap(err, "record a delivery to %s", d.EndpointID)
}

// Deliveries reads the endpoint's deliveries from the newest.
func (s webhookStore) Deliveries(ctx context.Context, endpointID string, first int) ([]*pause.Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := []*pause.Delivery{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		_, dels := s.buckets(tx)
		prefix := append([]byte(endpointID), 0)
		c := dels.Cursor()
		// The last key of the endpoint: seek past its prefix, then step back.
		k, _ := c.Seek(append([]byte(endpointID), 1))
		var v []byte
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < first; k, v = c.Prev() {
			var r deliveryRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode delivery %q: %w", k, err)
			}
			d := pause.Delivery(r)
			out = append(out, &d)
		}
		return nil
	})
	return out, wrap(err, "deliveries to %s", endpointID)
}
