package browser

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// process is one entry of /proc.
type process struct {
	pid, ppid int
	comm      string
	state     byte
}

// processes reads every process from /proc. Processes that exit while it
// reads are left out.
func processes() map[int]process {
	out := map[int]process{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProcess(pid); ok {
			out[pid] = p
		}
	}
	return out
}

// readProcess parses /proc/PID/stat, whose second field is the command name
// in parentheses, which may itself contain spaces and parentheses.
func readProcess(pid int) (process, bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return process{}, false
	}
	s := string(data)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return process{}, false
	}
	fields := strings.Fields(s[end+1:])
	if len(fields) < 2 {
		return process{}, false
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return process{}, false
	}
	return process{pid: pid, ppid: ppid, comm: s[open+1 : end], state: fields[0][0]}, true
}

// chromiumDescendants returns the live (not zombie) processes below root
// whose command name starts with "chrom": chromium, chromium-headless-shell
// and chrome_crashpad_handler.
func chromiumDescendants(root int) map[int]process {
	all := processes()
	children := map[int][]int{}
	for _, p := range all {
		children[p.ppid] = append(children[p.ppid], p.pid)
	}
	out := map[int]process{}
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		for _, child := range children[pid] {
			queue = append(queue, child)
			p := all[child]
			if strings.HasPrefix(p.comm, "chrom") && p.state != 'Z' {
				out[child] = p
			}
		}
	}
	return out
}

// alive reports whether pid still runs as the same program, not as a
// zombie waiting to be reaped.
func alive(p process) bool {
	now, ok := readProcess(p.pid)
	return ok && now.comm == p.comm && now.state != 'Z'
}
