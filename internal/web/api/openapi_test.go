package api

import (
	"encoding"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web/server"
)

// openAPIBodies maps each operation with a request body to the Go type its
// handler decodes. A new operation with a body must be added here.
var openAPIBodies = map[string]reflect.Type{
	"signIn":                 reflect.TypeFor[signInRequest](),
	"createUnit":             reflect.TypeFor[service.UnitInput](),
	"createUser":             reflect.TypeFor[service.UserInput](),
	"registerPerson":         reflect.TypeFor[service.RegisterPersonInput](),
	"searchPersons":          reflect.TypeFor[service.SearchInput](),
	"addRelation":            reflect.TypeFor[service.RelationInput](),
	"openEmergency":          reflect.TypeFor[service.EmergencyInput](),
	"openCase":               reflect.TypeFor[service.OpenCaseInput](),
	"assignCase":             reflect.TypeFor[service.AssignInput](),
	"addNote":                reflect.TypeFor[service.NoteInput](),
	"saveNote":               reflect.TypeFor[service.NoteInput](),
	"addDecision":            reflect.TypeFor[service.DecisionInput](),
	"saveDecision":           reflect.TypeFor[service.DecisionInput](),
	"migrateCases":           reflect.TypeFor[service.MigrationInput](),
	"saveDefinitionDraft":    reflect.TypeFor[service.DefinitionsInput](),
	"publishDefinitionDraft": reflect.TypeFor[publishDraftRequest](),
	"transitionCase":         reflect.TypeFor[service.TransitionInput](),
	"saveForm":               reflect.TypeFor[service.FormInput](),
	"publishDefinitions":     reflect.TypeFor[service.DefinitionsInput](),
	"validateDefinitions":    reflect.TypeFor[service.DefinitionsInput](),
	"recordExecution":        reflect.TypeFor[service.ExecutionInput](),
	"createProvider":         reflect.TypeFor[service.ProviderInput](),
	"createAPIClient":        reflect.TypeFor[apiClientRequest](),
	"chooseProvider":         reflect.TypeFor[service.ChooseProviderInput](),
	"acceptOrder":            reflect.TypeFor[service.AcceptInput](),
	"returnOrder":            reflect.TypeFor[service.ReturnInput](),
	"savePlan":               reflect.TypeFor[service.PlanInput](),
	"reportPerformed":        reflect.TypeFor[service.PerformedInput](),
	"reportPerformedBatch":   reflect.TypeFor[service.BatchInput](),
	"reportFollowUp":         reflect.TypeFor[service.FollowUpInput](),
	// Alarms (alarms.go).
	"createAlarmCentre": reflect.TypeFor[alarmCentreRequest](),
	"postAlarm":         reflect.TypeFor[service.AlarmInput](),
	"registerDevice":    reflect.TypeFor[service.DeviceInput](),
	// Subscriptions (subscriptions.go).
	"createSubscription": reflect.TypeFor[service.SubscriptionInput](),
	"replaySubscription": reflect.TypeFor[replayRequest](),
}

// openAPIForms maps each operation with a form body (not JSON) to the
// fields its handler reads.
var openAPIForms = map[string][]string{
	"requestToken": {"client_id", "client_secret", "grant_type", "scope"},
}

// The maps some handlers encode, written as the equivalent structs.
type (
	openAPIUnits struct {
		Units []org.Unit `json:"units"`
	}
	openAPISearch struct {
		Persons []service.SearchResult `json:"persons"`
	}
	openAPIEvents struct {
		Events    []events.Event `json:"events"`
		NextAfter int64          `json:"next_after"`
	}
	openAPIAccessLog struct {
		Entries []audit.Entry `json:"entries"`
	}
	openAPIVerify struct {
		OK       bool            `json:"ok"`
		Entries  int64           `json:"entries"`
		Problems []audit.Problem `json:"problems"`
	}
	openAPIHealth struct {
		Status string `json:"status"`
		Uptime int    `json:"uptime_seconds"`
	}
	openAPIReady struct {
		Status string `json:"status"`
	}
	openAPIExecutions struct {
		Executions []store.Execution `json:"executions"`
	}
	openAPIReports struct {
		Reports []service.ReportInfo `json:"reports"`
	}
	openAPIRegisters struct {
		Registers []service.RegisterInfo `json:"registers"`
	}
	openAPIProviders struct {
		Providers []store.Provider `json:"providers"`
	}
	openAPIAPIClients struct {
		Clients []store.APIClient `json:"clients"`
	}
	openAPIOrderViews struct {
		Orders []service.OrderView `json:"orders"`
	}
	openAPIPlans struct {
		Plans []store.Plan `json:"plans"`
	}
	openAPIPerformed struct {
		Performed []store.Performed `json:"performed"`
	}
	openAPIAlarmCentres struct {
		Centres []service.AlarmCentre `json:"centres"`
	}
	openAPIAlarmTasks struct {
		Alarms []service.AlarmTask `json:"alarms"`
	}
	openAPIDevices struct {
		Devices []string `json:"devices"`
	}
	openAPISubscriptions struct {
		Subscriptions []service.SubscriptionInfo `json:"subscriptions"`
	}
)

// openAPIResults maps each operation with a JSON success response to the Go
// type its handler encodes. A nil type is a response the test does not check.
var openAPIResults = map[string]reflect.Type{
	"signIn":                 reflect.TypeFor[service.Session](),
	"getMe":                  reflect.TypeFor[meResponse](),
	"listUnits":              reflect.TypeFor[openAPIUnits](),
	"createUnit":             reflect.TypeFor[org.Unit](),
	"createUser":             reflect.TypeFor[store.User](),
	"registerPerson":         reflect.TypeFor[service.PersonView](),
	"searchPersons":          reflect.TypeFor[openAPISearch](),
	"getPerson":              reflect.TypeFor[service.PersonView](),
	"addRelation":            reflect.TypeFor[persons.Relation](),
	"openEmergency":          reflect.TypeFor[service.PersonView](),
	"openCase":               reflect.TypeFor[store.Case](),
	"getCase":                reflect.TypeFor[store.Case](),
	"assignCase":             reflect.TypeFor[store.Case](),
	"getCaseProcess":         reflect.TypeFor[service.CaseProcess](),
	"listNotes":              reflect.TypeFor[openAPINotes](),
	"addNote":                reflect.TypeFor[store.Note](),
	"saveNote":               reflect.TypeFor[store.Note](),
	"signNote":               reflect.TypeFor[store.Note](),
	"listDecisions":          reflect.TypeFor[openAPIDecisions](),
	"addDecision":            reflect.TypeFor[store.Decision](),
	"saveDecision":           reflect.TypeFor[store.Decision](),
	"finaliseDecision":       reflect.TypeFor[store.Decision](),
	"migrateCases":           reflect.TypeFor[service.MigrationPlan](),
	"getDefinitionDraft":     reflect.TypeFor[service.Draft](),
	"saveDefinitionDraft":    reflect.TypeFor[service.Draft](),
	"publishDefinitionDraft": reflect.TypeFor[store.DefinitionVersion](),
	"getInbox":               reflect.TypeFor[service.InboxView](),
	"transitionCase":         reflect.TypeFor[store.Case](),
	"saveForm":               reflect.TypeFor[service.FormView](),
	"signForm":               reflect.TypeFor[service.FormView](),
	"listDefinitionVersions": reflect.TypeFor[openAPIDefinitionVersions](),
	"publishDefinitions":     reflect.TypeFor[store.DefinitionVersion](),
	"validateDefinitions":    reflect.TypeFor[service.ValidationResult](),
	"getDefinitionVersion":   reflect.TypeFor[openAPIDefinitionFiles](),
	"listEvents":             reflect.TypeFor[openAPIEvents](),
	"listAccessLog":          reflect.TypeFor[openAPIAccessLog](),
	"verifyAccessLog":        reflect.TypeFor[openAPIVerify](),
	"getOpenAPI":             nil, // the document itself
	"getHealth":              reflect.TypeFor[openAPIHealth](),
	"getReadiness":           reflect.TypeFor[openAPIReady](),
	"listExecutions":         reflect.TypeFor[openAPIExecutions](),
	"recordExecution":        reflect.TypeFor[openAPIExecutions](),
	"getReportFile":          nil, // a text file, not JSON
	"listReports":            reflect.TypeFor[openAPIReports](),
	"runReport":              reflect.TypeFor[process.ReportResult](),
	"runReportCSV":           nil, // CSV, not JSON
	"listRegisters":          reflect.TypeFor[openAPIRegisters](),
	"checkRegister":          reflect.TypeFor[service.RegisterCheck](),
	"getRegisterFile":        nil, // the file, not JSON
	"listProviders":          reflect.TypeFor[openAPIProviders](),
	"createProvider":         reflect.TypeFor[store.Provider](),
	"listAPIClients":         reflect.TypeFor[openAPIAPIClients](),
	"createAPIClient":        reflect.TypeFor[service.NewAPIClient](),
	"requestToken":           reflect.TypeFor[tokenResponse](),
	"chooseProvider":         reflect.TypeFor[store.Decision](),
	"listCaseOrders":         reflect.TypeFor[openAPIOrderViews](),
	"listOrders":             reflect.TypeFor[service.OrdersPage](),
	"getOrderFeed":           reflect.TypeFor[service.FeedPage](),
	"getOrder":               reflect.TypeFor[service.OrderView](),
	"acceptOrder":            reflect.TypeFor[store.Order](),
	"returnOrder":            reflect.TypeFor[store.Order](),
	"listPlans":              reflect.TypeFor[openAPIPlans](),
	"savePlan":               reflect.TypeFor[store.Plan](),
	"listPerformed":          reflect.TypeFor[openAPIPerformed](),
	"reportPerformed":        reflect.TypeFor[store.Performed](),
	"reportPerformedBatch":   reflect.TypeFor[service.BatchResult](),
	"reportFollowUp":         reflect.TypeFor[store.FollowUp](),
	"getPaymentBasis":        reflect.TypeFor[service.PaymentBasis](),
	"getPaymentBasisCSV":     nil, // CSV, not JSON
	// Alarms (alarms.go).
	"listAlarmCentres":  reflect.TypeFor[openAPIAlarmCentres](),
	"createAlarmCentre": reflect.TypeFor[service.NewAlarmCentre](),
	"postAlarm":         reflect.TypeFor[service.AlarmResult](),
	"listAlarms":        reflect.TypeFor[openAPIAlarmTasks](),
	"listOrderDevices":  reflect.TypeFor[openAPIDevices](),
	// Subscriptions (subscriptions.go).
	"listSubscriptions":        reflect.TypeFor[openAPISubscriptions](),
	"createSubscription":       reflect.TypeFor[newSubscriptionResponse](),
	"getSubscription":          reflect.TypeFor[service.SubscriptionInfo](),
	"pauseSubscription":        reflect.TypeFor[service.SubscriptionInfo](),
	"resumeSubscription":       reflect.TypeFor[service.SubscriptionInfo](),
	"replaySubscription":       reflect.TypeFor[service.SubscriptionInfo](),
	"rotateSubscriptionSecret": reflect.TypeFor[rotatedSecretResponse](),
	// The analysis API (analysis.go).
	"getAnalysisDecisionTimes":    reflect.TypeFor[analysisDecisionTimes](),
	"getAnalysisFlow":             reflect.TypeFor[analysisFlow](),
	"getAnalysisDeadlines":        reflect.TypeFor[analysisDeadlines](),
	"getAnalysisPlannedPerformed": reflect.TypeFor[analysisPlannedPerformed](),
	"getAnalysisNeeds":            reflect.TypeFor[analysisNeeds](),
	"getAnalysisExecution":        reflect.TypeFor[analysisExecution](),
	"getAnalysisForecast":         reflect.TypeFor[analytics.ForecastOutcome](),
	"getAnalysisWeek":             reflect.TypeFor[analytics.TeamWeek](),
	"listAnalysisExports":         reflect.TypeFor[analysisExportTables](),
	"getAnalysisExport":           nil, // CSV or Parquet, not JSON
}

// openAPIDocument is the part of an OpenAPI document the tests read.
type openAPIDocument struct {
	OpenAPI    string                                 `json:"openapi"`
	Paths      map[string]map[string]openAPIOperation `json:"paths"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	RequestBody *openAPIContent            `json:"requestBody"`
	Responses   map[string]*openAPIContent `json:"responses"`
}

type openAPIContent struct {
	Content map[string]struct {
		Schema map[string]any `json:"schema"`
	} `json:"content"`
}

var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// servedOpenAPI fetches the document through the real handler.
func servedOpenAPI(t *testing.T) openAPIDocument {
	t.Helper()
	db := storetest.Open(t, "sqlite", nil)
	s := server.New(server.Config{DefaultTenant: "test"}, storetest.Service(t, db, nil), slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	h := s.Handler(Routes(s))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: status %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET /api/openapi.json: Content-Type %q, want application/json", ct)
	}
	var doc openAPIDocument
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("GET /api/openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	return doc
}

// documentedRoutes returns the table's API routes as "METHOD /path", with
// ServeMux wildcards in OpenAPI form ("{id...}" becomes "{id}").
func documentedRoutes(t *testing.T) []string {
	t.Helper()
	s := server.New(server.Config{}, nil, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	var out []string
	for _, rt := range Routes(s) {
		if !rt.API {
			continue
		}
		if rt.Method == "" {
			t.Errorf("API route %q has no method; an operation needs one", rt.Path)
			continue
		}
		if strings.Contains(rt.Path, "{$}") {
			t.Errorf("API route %q: {$} has no OpenAPI form", rt.Path)
		}
		out = append(out, rt.Method+" "+strings.ReplaceAll(rt.Path, "...}", "}"))
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIOperationsMatchRoutes fails when a route is added, removed or
// changed without the document, or the other way round.
func TestOpenAPIOperationsMatchRoutes(t *testing.T) {
	doc := servedOpenAPI(t)
	var documented []string
	ids := map[string]string{}
	for path, item := range doc.Paths {
		for method, op := range item {
			if !slices.Contains(openAPIMethods, method) {
				continue // parameters, summary and the like
			}
			key := strings.ToUpper(method) + " " + path
			documented = append(documented, key)
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", key)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %q already used by %s", key, op.OperationID, other)
			}
			ids[op.OperationID] = key
		}
	}
	slices.Sort(documented)
	routes := documentedRoutes(t)
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.json documents %s, which is not an API route in Routes", d)
		}
	}
}

// TestOpenAPIRequestBodiesMatchGoTypes compares every request-body schema,
// nested objects included, with the json fields of the Go type the handler
// decodes, and checks that unknown fields are documented as refused.
func TestOpenAPIRequestBodiesMatchGoTypes(t *testing.T) {
	doc := servedOpenAPI(t)
	seen := map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			if !slices.Contains(openAPIMethods, method) || op.RequestBody == nil {
				continue
			}
			seen[op.OperationID] = true
			if fields, ok := openAPIForms[op.OperationID]; ok {
				compareOpenAPIForm(t, doc, op, fields)
				continue
			}
			typ, ok := openAPIBodies[op.OperationID]
			if !ok {
				t.Errorf("%s %s (%s) has a request body but no Go type in openAPIBodies", strings.ToUpper(method), path, op.OperationID)
				continue
			}
			media, ok := op.RequestBody.Content["application/json"]
			if !ok || len(op.RequestBody.Content) != 1 {
				t.Errorf("%s: request body must be application/json only", op.OperationID)
				continue
			}
			compareOpenAPISchema(t, doc, op.OperationID, media.Schema, typ, false)
		}
	}
	for id := range openAPIBodies {
		if !seen[id] {
			t.Errorf("openAPIBodies names %s, which has no documented request body", id)
		}
	}
	for id := range openAPIForms {
		if !seen[id] {
			t.Errorf("openAPIForms names %s, which has no documented request body", id)
		}
	}
}

// compareOpenAPIForm checks that op's body is a form alone whose schema's
// properties are the fields the handler reads.
func compareOpenAPIForm(t *testing.T, doc openAPIDocument, op openAPIOperation, fields []string) {
	t.Helper()
	media, ok := op.RequestBody.Content["application/x-www-form-urlencoded"]
	if !ok || len(op.RequestBody.Content) != 1 {
		t.Errorf("%s: request body must be application/x-www-form-urlencoded only", op.OperationID)
		return
	}
	schema := resolveOpenAPISchema(t, doc, op.OperationID, media.Schema)
	props, _ := schema["properties"].(map[string]any)
	documented := slices.Sorted(maps.Keys(props))
	if want := slices.Sorted(slices.Values(fields)); !slices.Equal(documented, want) {
		t.Errorf("%s: form properties %v, the handler reads %v", op.OperationID, documented, want)
	}
}

// TestOpenAPIResponsesMatchGoTypes compares every JSON success-response
// schema, nested objects included, with the json fields of the Go type the
// handler encodes, and its required list with the fields that are never
// left out (no omitempty or omitzero).
func TestOpenAPIResponsesMatchGoTypes(t *testing.T) {
	doc := servedOpenAPI(t)
	seen := map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			if !slices.Contains(openAPIMethods, method) {
				continue
			}
			for status, resp := range op.Responses {
				if !strings.HasPrefix(status, "2") || resp == nil || len(resp.Content) == 0 {
					continue
				}
				seen[op.OperationID] = true
				typ, ok := openAPIResults[op.OperationID]
				if !ok {
					t.Errorf("%s %s (%s) has a %s body but no Go type in openAPIResults", strings.ToUpper(method), path, op.OperationID, status)
					continue
				}
				if typ == nil { // not JSON, or the document itself
					continue
				}
				media, ok := resp.Content["application/json"]
				if !ok || len(resp.Content) != 1 {
					t.Errorf("%s %s: response must be application/json only", op.OperationID, status)
					continue
				}
				compareOpenAPISchema(t, doc, op.OperationID+" "+status, media.Schema, typ, true)
			}
		}
	}
	for id := range openAPIResults {
		if !seen[id] {
			t.Errorf("openAPIResults names %s, which has no documented JSON success response", id)
		}
	}
}

// compareOpenAPISchema checks that schema (after $ref) is a closed object
// whose properties are exactly the json fields of typ, and recurses into
// fields that are structs or lists of structs. For a response it also checks that
// the required properties are the fields encoding/json always writes.
func compareOpenAPISchema(t *testing.T, doc openAPIDocument, where string, schema map[string]any, typ reflect.Type, response bool) {
	t.Helper()
	schema = resolveOpenAPISchema(t, doc, where, schema)
	if schema == nil {
		return
	}
	if schema["additionalProperties"] != false {
		t.Errorf("%s: additionalProperties must be false (the server refuses unknown fields)", where)
	}
	props, _ := schema["properties"].(map[string]any)
	var documented []string
	for name := range props {
		documented = append(documented, name)
	}
	slices.Sort(documented)
	fields := goJSONFields(typ)
	var want []string
	for name := range fields {
		want = append(want, name)
	}
	slices.Sort(want)
	if !slices.Equal(documented, want) {
		t.Errorf("%s: schema properties %v, Go type %v has json fields %v", where, documented, typ, want)
		return
	}
	if response {
		var required, always []string
		list, _ := schema["required"].([]any)
		for _, r := range list {
			name, _ := r.(string)
			required = append(required, name)
		}
		for name, f := range fields {
			if !f.optional {
				always = append(always, name)
			}
		}
		slices.Sort(required)
		slices.Sort(always)
		if !slices.Equal(required, always) {
			t.Errorf("%s: required %v, but Go type %v always writes %v", where, required, typ, always)
		}
	}
	for name, f := range fields {
		prop, _ := props[name].(map[string]any)
		if st, ok := objectStruct(f.typ); ok {
			compareOpenAPISchema(t, doc, where+"."+name, prop, st, response)
		} else if st, ok := objectStruct(elemOf(f.typ)); ok && f.typ.Kind() == reflect.Slice {
			items, _ := resolveOpenAPISchema(t, doc, where+"."+name, prop)["items"].(map[string]any)
			compareOpenAPISchema(t, doc, where+"."+name+"[]", items, st, response)
		}
	}
}

// resolveOpenAPISchema follows a local $ref, if any.
func resolveOpenAPISchema(t *testing.T, doc openAPIDocument, where string, schema map[string]any) map[string]any {
	t.Helper()
	if schema == nil {
		t.Errorf("%s: no schema", where)
		return nil
	}
	ref, ok := schema["$ref"].(string)
	if !ok {
		return schema
	}
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	target, found := doc.Components.Schemas[name]
	if !ok || !found {
		t.Errorf("%s: unresolvable $ref %q", where, ref)
		return nil
	}
	return target
}

// selfCodecs are the interfaces through which a type encodes or decodes
// itself instead of field by field.
var selfCodecs = []reflect.Type{
	reflect.TypeFor[json.Marshaler](), reflect.TypeFor[json.Unmarshaler](),
	reflect.TypeFor[encoding.TextMarshaler](), reflect.TypeFor[encoding.TextUnmarshaler](),
}

// objectStruct reports whether t (or what it points to) is a JSON object
// field by field, rather than through its own methods (as time.Time is).
func objectStruct(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return t, false
	}
	p := reflect.PointerTo(t)
	for _, c := range selfCodecs {
		if p.Implements(c) {
			return t, false
		}
	}
	return t, true
}

func elemOf(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		return t.Elem()
	}
	return t
}

// goJSONField is a field as encoding/json sees it.
type goJSONField struct {
	typ reflect.Type
	// optional is set by omitempty or omitzero: the encoder may leave it out.
	optional bool
}

// goJSONFields returns the fields encoding/json uses for t by name: exported
// fields, renamed by their tag, "-" left out, and the fields of untagged
// embedded structs promoted. It does not apply Go's rules for conflicting
// names; the tests do not need them.
func goJSONFields(t reflect.Type) map[string]goJSONField {
	out := map[string]goJSONField{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, jf := range goJSONFields(ft) {
					out[n] = jf
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := false
		for o := range strings.SplitSeq(opts, ",") {
			optional = optional || o == "omitempty" || o == "omitzero"
		}
		out[name] = goJSONField{typ: f.Type, optional: optional}
	}
	return out
}

type openAPIDefinitionVersions struct {
	Versions []store.DefinitionVersion `json:"versions"`
}

type openAPIDefinitionFiles struct {
	Version int64                  `json:"version"`
	Files   []store.DefinitionFile `json:"files"`
}

type openAPINotes struct {
	Notes []store.Note `json:"notes"`
}

type openAPIDecisions struct {
	Decisions []store.Decision `json:"decisions"`
}
