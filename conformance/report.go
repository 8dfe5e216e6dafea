package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// Row is one requirement's line in a report.
type Row struct {
	ID     string `json:"id"`
	Area   string `json:"area"`
	Level  Level  `json:"level"`
	Status Status `json:"status"`
	// Reason is the skip reason, the first violation or the observation.
	Reason string `json:"reason"`
	// Details is the full failure message, when there is one.
	Details string `json:"details,omitempty"`
	// Artifacts are files a person can look at, such as screenshots.
	Artifacts []string `json:"artifacts,omitempty"`
}

// RowOf turns a check's result into a report row.
func RowOf(r *Result, strict bool) Row {
	row := Row{ID: r.Requirement.ID, Area: r.Requirement.Area, Level: r.Requirement.Level,
		Status: r.Status(strict), Reason: r.Summary(), Artifacts: r.Artifacts()}
	if len(r.Violations()) > 0 {
		row.Details = r.FailureAll()
	}
	return row
}

// Report is the requirement table of a run.
type Report struct {
	Target  string `json:"target"`
	Profile string `json:"profile,omitempty"`
	Strict  bool   `json:"strict"`
	// LabelFilter is the filter the run was limited to, if any.
	LabelFilter string    `json:"label_filter,omitempty"`
	Finished    time.Time `json:"finished"`
	Rows        []Row     `json:"rows"`
}

// Counts returns how many rows have each status.
func (r *Report) Counts() map[Status]int {
	c := map[Status]int{}
	for _, row := range r.Rows {
		c[row.Status]++
	}
	return c
}

// Failed reports whether the run fails: a MUST row failed, or in a strict
// run any row failed.
func (r *Report) Failed() bool {
	for _, row := range r.Rows {
		if row.Status == StatusFail {
			return true
		}
	}
	return false
}

// Verdicts returns the status of each requirement id.
func (r *Report) Verdicts() map[string]Status {
	out := make(map[string]Status, len(r.Rows))
	for _, row := range r.Rows {
		out[row.ID] = row.Status
	}
	return out
}

// summaryLine returns "N pass, N fail, ..." in a fixed order.
func (r *Report) summaryLine() string {
	c := r.Counts()
	var parts []string
	for _, s := range []Status{StatusPass, StatusFail, StatusWarn, StatusSkip} {
		parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
	}
	return strings.Join(parts, ", ")
}

// WriteText prints the table for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "\nauthconform requirement report: %s\n", r.Target)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLEVEL\tSTATUS\tREASON")
	for _, row := range r.Rows {
		reason := row.Reason
		if len(reason) > 110 {
			reason = reason[:107] + "..."
		}
		for _, a := range row.Artifacts {
			reason += " [" + a + "]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", row.ID, row.Level, strings.ToUpper(string(row.Status)), reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s\n", r.summaryLine())
	return err
}

// WriteMarkdown writes the table as Markdown.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Conformance report\n\nTarget: `%s`", r.Target)
	if r.Profile != "" {
		fmt.Fprintf(&b, " (profile `%s`)", r.Profile)
	}
	fmt.Fprintf(&b, "\n\nStrict: %v. Finished: %s.", r.Strict, r.Finished.Format(time.RFC3339))
	if r.LabelFilter != "" {
		fmt.Fprintf(&b, " Only requirements matching --label-filter %q ran.", r.LabelFilter)
	}
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "%s\n\n| id | level | status | reason |\n|---|---|---|---|\n", r.summaryLine())
	for _, row := range r.Rows {
		reason := mdEscape(row.Reason)
		for _, a := range row.Artifacts {
			reason += fmt.Sprintf(" [%s](%s)", filepath.Base(a), a)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", row.ID, row.Level, row.Status, reason)
	}
	for _, row := range r.Rows {
		if row.Details != "" {
			fmt.Fprintf(&b, "\n## %s\n\n```\n%s```\n", row.ID, row.Details)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// WriteFiles writes report.md and report.json into dir, creating it.
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating report folder: %w", err)
	}
	var md strings.Builder
	if err := r.WriteMarkdown(&md); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte(md.String()), 0o644); err != nil {
		return fmt.Errorf("writing report.md: %w", err)
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding report.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing report.json: %w", err)
	}
	return nil
}

// ReadReport reads a report.json.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading report: %w", err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("decoding report %s: %w", path, err)
	}
	return &r, nil
}
