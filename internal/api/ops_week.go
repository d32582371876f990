package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/scenario"
)

// AcceptedStep is this week's step once accepted, and the promise it made.
type AcceptedStep struct {
	Step    tl.Step    `json:"step"`
	Promise tl.Promise `json:"promise"`
}

func (a *API) registerWeek() {
	api, s := a.huma, a.svc

	huma.Register(api, op("getStatus", http.MethodGet, "/status", "Every relationship: power, trust, influence, quadrant, warnings", "model"),
		act(a, func(ctx context.Context, lid string, _ *struct{}) (*body[tl.StatusReport], error) {
			r, err := s.Status(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
	huma.Register(api, op("getWeek", http.MethodGet, "/week", "This week's one step, or why there is none, and earlier steps' outcomes", "week"),
		act(a, func(ctx context.Context, lid string, _ *struct{}) (*body[tl.WeekReport], error) {
			r, err := s.Week(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
	// A week with nothing eligible answers "step": null. huma cannot mark
	// a field of object type nullable, so the document gets a nullable
	// copy of Step here: the API's tests validate every answer against it.
	reg := api.OpenAPI().Components.Schemas
	if step, week := reg.Map()["Step"], reg.Map()["WeekReport"]; step != nil && week != nil {
		nullable := *step
		nullable.Nullable = true
		week.Properties["step"] = &nullable
	}
	huma.Register(api, op("acceptStep", http.MethodPost, "/week/step/acceptance", "Accept this week's step: it becomes a promise due at week's end", "week"),
		act(a, func(ctx context.Context, lid string, _ *struct{ Idempotent }) (*body[AcceptedStep], error) {
			st, c, err := s.AcceptStep(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(AcceptedStep{Step: *st, Promise: *c}), nil
		}))
	huma.Register(api, op("closeStep", http.MethodPost, "/week/step/closure", "Mark this week's accepted step done or skipped", "week"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Idempotent
			Body struct {
				Status string `json:"status" enum:"done,skipped"`
			}
		}) (*body[tl.Step], error) {
			st, err := s.CloseStep(ctx, lid, tl.StepStatus(in.Body.Status))
			if err != nil {
				return nil, err
			}
			return out(*st), nil
		}))

	huma.Register(api, op("getSettings", http.MethodGet, "/settings", "The model's settings as they apply to you", "settings"),
		act(a, func(ctx context.Context, lid string, _ *struct{}) (*body[engine.Settings], error) {
			st, err := s.Settings(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(st), nil
		}))
	huma.Register(api, op("setSetting", http.MethodPut, "/settings/{name}", "Change one model setting", "settings"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Name string `path:"name" maxLength:"100" doc:"The setting's name, as trustledger settings lists it."`
			Body struct {
				Value float64 `json:"value"`
			}
		}) (*body[engine.Settings], error) {
			if err := s.SetSetting(ctx, lid, in.Name, in.Body.Value); err != nil {
				return nil, err
			}
			st, err := s.Settings(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(st), nil
		}))

	huma.Register(api, op("exportData", http.MethodGet, "/export", "Your whole trust ledger as a JSON backup", "data"),
		act(a, func(ctx context.Context, lid string, _ *struct{}) (*body[tl.Backup], error) {
			b, err := s.Export(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(*b), nil
		}))
	huma.Register(api, largeBody(op("importData", http.MethodPost, "/import", "Load a JSON backup in one transaction (owner and admins)", "data"), tl.MaxImportBytes),
		func(ctx context.Context, in *struct {
			Idempotent
			Body tl.Backup
		}) (*body[ImportResult], error) {
			if err := s.Import(ctx, user(ctx).ID, &in.Body); err != nil {
				return nil, a.fail(ctx, err)
			}
			return out(ImportResult{Leaders: len(in.Body.Leaders), People: len(in.Body.People), Events: len(in.Body.Events)}), nil
		})

	huma.Register(api, op("simulate", http.MethodPost, "/simulations", "Replay a scenario (YAML) week by week through the engine", "simulator"),
		func(ctx context.Context, in *struct {
			Body struct {
				Name     string         `json:"name,omitempty" maxLength:"200" doc:"A file name, for messages."`
				Scenario scenarioString `json:"scenario" minLength:"1" doc:"The scenario file's text (YAML)."`
			}
		}) (*body[map[string]any], error) {
			name := orDefault(in.Body.Name, "scenario.yaml")
			sc, err := scenario.Parse(name, []byte(in.Body.Scenario))
			if err != nil {
				return nil, a.fail(ctx, tl.Errorf(tl.EINVALID, "%w", err))
			}
			res, err := scenario.Run(sc)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			var buf bytes.Buffer
			if err := scenario.WriteJSON(&buf, res); err != nil {
				return nil, a.fail(ctx, err)
			}
			var m map[string]any
			if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
				return nil, a.fail(ctx, err)
			}
			return out(m), nil
		})
}

// ImportResult counts what an import loaded.
type ImportResult struct {
	Leaders int `json:"leaders"`
	People  int `json:"relationships"`
	Events  int `json:"events"`
}
