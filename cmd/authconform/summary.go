package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/authconform/authconform/conformance"
)

// summary prints one table of the requirement reports in dirs: a row per
// requirement, a column per report, and whether every requirement passed
// somewhere and failed nowhere; then the screenshots and traces the
// reports link. It returns the exit status.
func summary(dirs []string, stdout, stderr io.Writer) int {
	if len(dirs) == 0 {
		fmt.Fprintln(stderr, "authconform: summary needs report folders, e.g. authconform summary reports/*")
		return exitUsage
	}
	var reports []*conformance.Report
	var names []string
	for _, dir := range dirs {
		rep, err := conformance.ReadReport(filepath.Join(dir, "report.json"))
		if err != nil {
			fmt.Fprintf(stderr, "authconform: %v; pass folders written by --report-dir\n", err)
			return exitUsage
		}
		reports = append(reports, rep)
		names = append(names, filepath.Base(dir))
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ID\t%s\tVERDICT\n", strings.Join(names, "\t"))
	status := exitPass
	for _, req := range conformance.Requirements("") {
		cells := make([]string, len(reports))
		seen, passed, failed := false, false, false
		for i, rep := range reports {
			cells[i] = "-"
			if s, ok := rep.Verdicts()[req.ID]; ok {
				cells[i], seen = string(s), true
				passed = passed || s == conformance.StatusPass
				failed = failed || s == conformance.StatusFail
			}
		}
		if !seen {
			continue
		}
		verdict := "pass"
		switch {
		case failed:
			verdict, status = "FAIL", exitFail
		case !passed:
			verdict = "not passed anywhere"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", req.ID, strings.Join(cells, "\t"), verdict)
	}
	if err := tw.Flush(); err != nil {
		return exitFail
	}
	// What the browser showed, for a person to look at.
	header := false
	for i, rep := range reports {
		for _, row := range rep.Rows {
			for _, a := range row.Artifacts {
				if !header {
					fmt.Fprintln(stdout, "\nScreenshots and traces:")
					header = true
				}
				fmt.Fprintf(stdout, "  %-13s %-5s %s\n", row.ID, row.Status, filepath.Join(dirs[i], a))
			}
		}
	}
	return status
}
