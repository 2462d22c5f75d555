package records_test

import (
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
)

func TestValidateBadDatasets(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *records.Dataset)
		want   string
	}{
		{"NationalIDLetter", func(d *records.Dataset) { d.Citizens[2].NationalID = "87654321A" },
			`citizen "cit-0003": national id is not a valid, normalized DNI or NIE`},
		{"NationalIDNotNormalized", func(d *records.Dataset) { d.Citizens[0].NationalID = "12.345.678-z" },
			`citizen "cit-0001": national id is not a valid`},
		{"NationalIDDuplicate", func(d *records.Dataset) { d.Citizens[3].NationalID = d.Citizens[0].NationalID },
			`citizen "cit-0004": same national id as citizen "cit-0001"`},
		{"PhoneNotE164", func(d *records.Dataset) { d.Citizens[1].Phone = "600 000 002" },
			`citizen "cit-0002": phone is not E.164`},
		{"PhoneDuplicate", func(d *records.Dataset) { d.Citizens[4].Phone = d.Citizens[1].Phone },
			`citizen "cit-0005": same phone as citizen "cit-0002"`},
		{"CitizenDuplicate", func(d *records.Dataset) { d.Citizens[4].ID = "cit-0001" },
			`citizen "cit-0001": duplicate id`},
		{"Lang", func(d *records.Dataset) { d.Citizens[0].Lang = "en" },
			`citizen "cit-0001": lang "en", want ca or es`},
		{"Employment", func(d *records.Dataset) { d.Citizens[0].Profile.Employment = "jobless" },
			`unknown employment "jobless"`},
		{"RefFormat", func(d *records.Dataset) { d.Applications[0].Ref = "EXP-26-101" },
			`reference "EXP-26-101" does not match EXP-YYYY-NNNNNN`},
		{"RefDuplicate", func(d *records.Dataset) { d.Applications[1].Ref = d.Applications[0].Ref },
			`application "EXP-2026-000101": duplicate reference`},
		{"UnknownCitizen", func(d *records.Dataset) { d.Applications[0].CitizenID = "cit-9999" },
			`application "EXP-2026-000101": unknown citizen "cit-9999"`},
		{"UnknownAdministration", func(d *records.Dataset) { d.Applications[0].AdministrationID = "nasa" },
			`application "EXP-2026-000101": unknown administration "nasa"`},
		{"UnknownStatus", func(d *records.Dataset) { d.Applications[0].Status = "lost" },
			`application "EXP-2026-000101": unknown status "lost"`},
		{"EmptyHistory", func(d *records.Dataset) { d.Applications[0].History = nil },
			`application "EXP-2026-000101": empty history`},
		{"HistoryEndsElsewhere", func(d *records.Dataset) { d.Applications[0].Status = records.StatusApproved },
			`application "EXP-2026-000101": history ends at "needs_documents", status is "approved"`},
		{"UpdatedAt", func(d *records.Dataset) { d.Applications[0].UpdatedAt = d.Applications[0].UpdatedAt.Add(1) },
			`application "EXP-2026-000101": updated at differs from the last history step`},
		{"HistoryOrder", func(d *records.Dataset) {
			h := d.Applications[0].History
			h[0].At, h[1].At = h[1].At, h[0].At
		}, `application "EXP-2026-000101": history step 1 is earlier than the one before`},
		{"NeedsDocumentsWithoutDocuments", func(d *records.Dataset) { d.Applications[0].MissingDocuments = nil },
			`application "EXP-2026-000101": needs documents but lists none`},
		{"TextWithoutSpanish", func(d *records.Dataset) { delete(d.Administrations[0].Name, "es") },
			`administration "generalitat": name: no es text`},
		{"TextWithoutCatalan", func(d *records.Dataset) {
			d.Applications[0].MissingDocuments[0] = records.Localized{"es": "certificado"}
		},
			`application "EXP-2026-000101": missing document: no ca text`},
		{"NextStepBlank", func(d *records.Dataset) { d.Applications[0].NextStep["ca"] = "  " },
			`application "EXP-2026-000101": next step: no ca text`},
		{"HoldingCategory", func(d *records.Dataset) { d.Holdings[0].Category = "secrets" },
			`holding #0 of citizen "cit-0001": unknown category "secrets"`},
		{"HoldingRecordCategory", func(d *records.Dataset) { d.Holdings[0].Category = records.CategoryAccessLog },
			`unknown category "access_log"`},
		{"EventAdministration", func(d *records.Dataset) { d.AccessEvents[0].AdministrationID = "nasa" },
			`access event #0 (id 1): unknown administration "nasa"`},
		{"EventDuplicateID", func(d *records.Dataset) { d.AccessEvents[1].ID = d.AccessEvents[0].ID },
			`access event #1 (id 1): duplicate id`},
		{"EventPurpose", func(d *records.Dataset) { d.AccessEvents[0].Purpose = nil },
			`access event #0 (id 1): purpose: no ca text`},
		{"BenefitRule", func(d *records.Dataset) { d.Benefits[0].Rule = "salary < 1000" },
			`benefit "rgc": rule: ERROR: <input>:1:1: undeclared reference to 'salary'`},
		{"BenefitAdministration", func(d *records.Dataset) { d.Benefits[1].AdministrationID = "nasa" },
			`benefit "imv": unknown administration "nasa"`},
		{"BenefitWhy", func(d *records.Dataset) { d.Benefits[1].Why = records.Localized{"ca": "perquè sí"} },
			`benefit "imv": why: no es text`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := demo.Dataset(testNow)
			tt.change(d)
			err := d.Validate()
			if err == nil {
				t.Fatal("Validate() = nil")
			}
			if records.ErrorCode(err) != records.EINVALID {
				t.Errorf("code = %q, want %q", records.ErrorCode(err), records.EINVALID)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v\nwant it to contain %s", err, tt.want)
			}
		})
	}
}

func TestValidateAllowsAssistantEvents(t *testing.T) {
	d := demo.Dataset(testNow)
	d.AccessEvents = append(d.AccessEvents, records.AccessEvent{
		ID: 10_000, CitizenID: "cit-0001", At: testNow, AdministrationID: records.AccessorAssistant,
		Unit: localized("MyGov", "MyGov"), Category: records.CategoryApplications,
		Purpose:    localized("Consulta dels teus tràmits", "Consulta de tus trámites"),
		LegalBasis: localized("RGPD art. 15", "RGPD art. 15"), Channel: "telegram",
	})
	if err := d.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
}

func TestValidateKeepsPersonalDataOut(t *testing.T) {
	d := demo.Dataset(testNow)
	d.Citizens[0].NationalID = "12345678A"
	d.Citizens[1].Phone = "600 000 002"
	d.Citizens[2].Phone = d.Citizens[3].Phone
	err := d.Validate()
	if err == nil {
		t.Fatal("Validate() = nil")
	}
	for _, secret := range []string{"12345678", "600 000 002", d.Citizens[3].Phone, "Maria", "Puig"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("Validate() = %v, quotes %q", err, secret)
		}
	}
}

func TestValidateManyProblems(t *testing.T) {
	d := demo.Dataset(testNow)
	for i := range d.Citizens {
		d.Citizens[i].Lang = "fr"
	}
	for i := range d.Applications {
		d.Applications[i].CitizenID = "nobody"
	}
	err := d.Validate()
	if err == nil {
		t.Fatal("Validate() = nil")
	}
	if msg := err.Error(); strings.Count(msg, "; ") != records.MaxProblems || !strings.HasSuffix(msg, "more") {
		t.Errorf("Validate() = %v, want %d problems and a count of the rest", err, records.MaxProblems)
	}
}

func TestValidateEmpty(t *testing.T) {
	if err := (&records.Dataset{}).Validate(); err != nil {
		t.Errorf("empty dataset: Validate() = %v", err)
	}
}

// testNow is the clock of the tests: a fixed day, so that ages and dates are stable.
var testNow = time.Date(2026, time.November, 27, 10, 30, 0, 0, time.UTC)

// localized returns a records.Localized in Catalan and Spanish.
func localized(ca, es string) records.Localized { return records.Localized{"ca": ca, "es": es} }
