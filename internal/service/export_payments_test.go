package service

import (
	"context"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/trygg"
)

// ReadableCasesForTest is readableCases for the external tests: each
// case's ground and refusal.
func (s *Service) ReadableCasesForTest(ctx context.Context, a trygg.Actor, ids []string) (map[string]access.Relation, map[string]error, error) {
	got, err := s.readableCases(ctx, a, ids)
	if err != nil {
		return nil, nil, err
	}
	grounds, refusals := map[string]access.Relation{}, map[string]error{}
	for id, r := range got {
		grounds[id], refusals[id] = r.ground, r.err
	}
	return grounds, refusals, nil
}

// CaseForTest is caseFor (reading, not working) for the external tests.
func (s *Service) CaseForTest(ctx context.Context, a trygg.Actor, id string) (string, string, access.Relation, error) {
	c, p, ground, err := s.caseFor(ctx, a, id, false)
	return c.ID, p.ID, ground, err
}
