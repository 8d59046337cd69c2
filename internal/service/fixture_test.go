package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// demoWorld is a service over db with a small demo municipality loaded.
type demoWorld struct {
	svc *service.Service
	ds  *demo.Dataset
}

// newDemoWorld loads a demo of persons and staff (generated as of today;
// zero means now) into db.
func newDemoWorld(t testing.TB, db *store.DB, persons, staff int, today time.Time) *demoWorld {
	t.Helper()
	svc := storetest.Service(t, db, nil)
	ds := demo.Generate(demo.Options{Persons: persons, Staff: staff, Today: today})
	if _, err := svc.LoadDemo(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	return &demoWorld{svc: svc, ds: ds}
}

// actorFunc returns a lookup of demo users as actors that fails the test
// for an unknown username.
func (w *demoWorld) actorFunc(t testing.TB) func(username string) trygg.Actor {
	return func(username string) trygg.Actor {
		t.Helper()
		a, err := w.svc.ActorByUsername(context.Background(), demo.TenantID, username)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
}
