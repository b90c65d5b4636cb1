// Command bench compares the ghpkg Go binding with google/go-github against
// the ghpkg emulator on 127.0.0.1, side by side in one run on the same data:
// listing every package of an organization with 10,000 container packages,
// and 1,000 concurrent package reads. It prints a Markdown block with the
// median, min and max of each measurement and the ratio of the medians, and
// the emulator's CPU time for each client's reads. With -core-reads (the
// `reads` binary of the ghpkg-bench crate) the same reads are also made by
// ghpkg's Rust core alone, in a process of its own: the floor under what the
// binding's reads can cost.
//
// It is its own module, so the binding's module has no third-party
// dependency, and it is not part of the test suite. It links the release
// build of libghpkg.a and runs target/release/ghpkg-emulator (built with
// cargo when missing):
//
//	cargo build --release -p ghpkg-c
//	go run . [-rounds 5] [-latency-ms 20] [-packages 10000] [-reads 1000] [-core-reads PATH]
//
// scripts/bench.sh go runs it and records its output in BENCHMARKS.md.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	ghpkg "github.com/ghpkg/ghpkg/bindings-go"
	"github.com/google/go-github/v84/github"
)

const (
	org = "big"
	// slashOrg holds one package whose name contains '/', fetched once by
	// each client before the timed rounds to check that names are sent as
	// one encoded path segment.
	slashOrg  = "nested"
	slashName = "team-a/api-server"
	token     = "ghp_benchGoBindingVsGoGithub0000000000000"
)

func main() {
	rounds := flag.Int("rounds", 5, "timed rounds per measurement")
	latency := flag.Int("latency-ms", 20, "latency the emulator adds to every response")
	packages := flag.Int("packages", 10000, "container packages in the org (GitHub lists at most 10,000)")
	readsFlag := flag.String("reads", "1000,10000", "concurrent GetPackage calls per round (a comma-separated list of counts)")
	workspace := flag.String("workspace", "", "the ghpkg workspace (default: found above the working directory)")
	coreReads := flag.String("core-reads", "", "the ghpkg-bench `reads` binary: also time ghpkg's Rust core alone making the reads")
	flag.Parse()
	var reads []int
	for _, f := range strings.Split(*readsFlag, ",") {
		var r int
		if _, err := fmt.Sscan(f, &r); err != nil || r < 1 {
			fatalf("bad -reads %q", *readsFlag)
		}
		reads = append(reads, r)
	}
	if *rounds < 1 || *packages < 1 || *packages > 10000 {
		fatalf("need -rounds >= 1, 1 <= -packages <= 10000")
	}
	if *workspace == "" {
		*workspace = findWorkspace()
	}

	emu, err := startEmulator(*workspace, *packages, *latency)
	if err != nil {
		fatalf("emulator: %v", err)
	}
	defer emu.stop()
	err = run(emu, *rounds, *latency, *packages, reads, *coreReads)
	if err != nil {
		emu.stop()
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

// findWorkspace walks up from the working directory to the directory that
// holds include/ghpkg.h.
func findWorkspace() string {
	dir, err := os.Getwd()
	if err != nil {
		fatalf("%v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "include", "ghpkg.h")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			fatalf("no ghpkg workspace above the working directory; pass -workspace")
		}
		dir = parent
	}
}

func pkgName(i int) string { return fmt.Sprintf("pkg-%05d", i) }

// fixture is the emulator's fixture: org big with n container packages of
// one tagged version each, and a classic read:packages token whose hourly
// limit no run comes near.
func fixture(n int) map[string]any {
	pkgs := make([]map[string]any, 0, n+1)
	version := func(i int) []map[string]any {
		return []map[string]any{{"name": fmt.Sprintf("sha256:%064x", i), "tags": []string{"v1"}}}
	}
	for i := 1; i <= n; i++ {
		pkgs = append(pkgs, map[string]any{
			"owner": org, "name": pkgName(i), "package_type": "container",
			"visibility": "public", "versions": version(i),
		})
	}
	pkgs = append(pkgs, map[string]any{
		"owner": slashOrg, "name": slashName, "package_type": "container",
		"visibility": "public", "versions": version(n + 1),
	})
	return map[string]any{
		"users": []map[string]any{{"login": "octocat", "id": 1}},
		"orgs": []map[string]any{
			{"login": org, "id": 7, "admins": []string{"octocat"}},
			{"login": slashOrg, "id": 8, "admins": []string{"octocat"}},
		},
		"tokens": []map[string]any{{
			"token": token, "user": "octocat", "kind": "classic",
			"scopes": []string{"read:packages"}, "rate_limit": 100_000_000,
		}},
		"packages": pkgs,
	}
}

type emulator struct {
	cmd  *exec.Cmd
	dir  string
	url  string
	once sync.Once
}

// startEmulator writes the fixture and starts the release emulator with the
// secondary rate limit raised out of the way, building it when missing.
func startEmulator(workspace string, n, latencyMs int) (*emulator, error) {
	bin := filepath.Join(workspace, "target", "release", "ghpkg-emulator")
	if _, err := os.Stat(bin); err != nil {
		fmt.Fprintln(os.Stderr, "bench: building the release emulator")
		build := exec.Command("cargo", "build", "--release", "-p", "ghpkg-emulator", "--bin", "ghpkg-emulator")
		build.Dir = workspace
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("cargo build: %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "ghpkg-go-bench")
	if err != nil {
		return nil, err
	}
	text, err := json.Marshal(fixture(n))
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "fixture.json")
	if err := os.WriteFile(path, text, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--fixture", path, "--latency-ms", fmt.Sprint(latencyMs),
		"--secondary-points-per-minute", "1000000000")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	emu := &emulator{cmd: cmd, dir: dir}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		emu.stop()
		return nil, fmt.Errorf("no ready line: %w", err)
	}
	var ready struct {
		URL   string  `json:"url"`
		Token *string `json:"token"`
	}
	if err := json.Unmarshal([]byte(line), &ready); err != nil || ready.Token == nil || *ready.Token != token {
		emu.stop()
		return nil, fmt.Errorf("unexpected ready line %q", line)
	}
	emu.url = ready.URL
	return emu, nil
}

func (e *emulator) stop() {
	e.once.Do(func() {
		_ = e.cmd.Process.Kill()
		_ = e.cmd.Wait()
		_ = os.RemoveAll(e.dir)
	})
}

// contender is one client under test.
type contender struct {
	name string
	// list returns the names of every container package of org.
	list func(ctx context.Context) ([]string, error)
	// get returns the name of the package read.
	get func(ctx context.Context, owner, name string) (string, error)
	// inFlight caps the reads a caller lets run at once (0: no cap).
	inFlight int
}

func contenders(base string) ([]contender, error) {
	client, err := ghpkg.NewClient(ghpkg.WithBaseURL(base), ghpkg.WithToken(token))
	if err != nil {
		return nil, err
	}
	ours := contender{
		name: "ghpkg",
		list: func(ctx context.Context) ([]string, error) {
			var names []string
			for pkg, err := range client.ListPackages(ctx, ghpkg.Org(org), ghpkg.Container, ghpkg.AnyVisibility) {
				if err != nil {
					return nil, err
				}
				names = append(names, pkg.Name)
			}
			return names, nil
		},
		get: func(ctx context.Context, owner, name string) (string, error) {
			pkg, err := client.GetPackage(ctx, ghpkg.Org(owner), ghpkg.Container, name)
			if err != nil {
				return "", err
			}
			return pkg.Name, nil
		},
	}

	gh := github.NewClient(nil).WithAuthToken(token)
	gh.BaseURL, err = url.Parse(base + "/")
	if err != nil {
		return nil, err
	}
	theirs := contender{
		name: "go-github",
		// GitHub refuses more than 100 concurrent requests per token (the
		// emulator too): go-github has no limit of its own, so its caller
		// must keep to it. ghpkg's client does that itself.
		inFlight: 100,
		list: func(ctx context.Context) ([]string, error) {
			opts := &github.PackageListOptions{
				PackageType: github.Ptr("container"),
				ListOptions: github.ListOptions{PerPage: 100},
			}
			var names []string
			for {
				pkgs, resp, err := gh.Organizations.ListPackages(ctx, org, opts)
				if err != nil {
					return nil, err
				}
				for _, p := range pkgs {
					names = append(names, p.GetName())
				}
				if resp.NextPage == 0 {
					return names, nil
				}
				opts.Page = resp.NextPage
			}
		},
		get: func(ctx context.Context, owner, name string) (string, error) {
			pkg, _, err := gh.Organizations.GetPackage(ctx, owner, "container", name)
			if err != nil {
				return "", err
			}
			return pkg.GetName(), nil
		},
	}
	return []contender{ours, theirs}, nil
}

// readAll reads every name from its own goroutine and checks each answer.
func readAll(ctx context.Context, c contender, names []string) error {
	got := make([]string, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	var slots chan struct{}
	if c.inFlight > 0 {
		slots = make(chan struct{}, c.inFlight)
	}
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if slots != nil {
				slots <- struct{}{}
				defer func() { <-slots }()
			}
			got[i], errs[i] = c.get(ctx, org, name)
		}()
	}
	wg.Wait()
	for i, name := range names {
		if errs[i] != nil {
			return fmt.Errorf("%s: GetPackage(%q): %w", c.name, name, errs[i])
		}
		if got[i] != name {
			return fmt.Errorf("%s: GetPackage(%q) answered %q", c.name, name, got[i])
		}
	}
	return nil
}

func checkListing(c contender, names []string, n int) error {
	if len(names) != n {
		return fmt.Errorf("%s listed %d packages, want %d", c.name, len(names), n)
	}
	seen := make(map[string]bool, n)
	for _, name := range names {
		seen[name] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[pkgName(i)] {
			return fmt.Errorf("%s listed %d packages but not %s", c.name, n, pkgName(i))
		}
	}
	return nil
}

type series []time.Duration

func (s series) stats() (median, lo, hi time.Duration) {
	t := slices.Clone(s)
	slices.Sort(t)
	n := len(t)
	median = t[n/2]
	if n%2 == 0 {
		median = (t[n/2-1] + t[n/2]) / 2
	}
	return median, t[0], t[n-1]
}

// osThreads is the process's OS thread count (Linux), or 0 when unknown.
func osThreads() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "Threads:"); ok {
			var n int
			fmt.Sscan(strings.TrimSpace(rest), &n)
			return n
		}
	}
	return 0
}

// peakThreads runs f and samples the OS thread count every 5 ms meanwhile.
func peakThreads(f func() error) (int, error) {
	peak := osThreads()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				peak = max(peak, osThreads())
			}
		}
	}()
	err := f()
	close(stop)
	<-done
	return max(peak, osThreads()), err
}

func run(emu *emulator, rounds, latencyMs, n int, reads []int, coreReads string) error {
	ctx := context.Background()
	cs, err := contenders(emu.url)
	if err != nil {
		return err
	}

	// Untimed: each client reads the package whose name contains '/'.
	// This also opens each client's first connection.
	var notes []string
	for _, c := range cs {
		got, err := c.get(ctx, slashOrg, slashName)
		switch {
		case err != nil:
			notes = append(notes, fmt.Sprintf("%s could not read `%s`: %v", c.name, slashName, err))
		case got != slashName:
			notes = append(notes, fmt.Sprintf("%s read `%s` as `%s`", c.name, slashName, got))
		}
	}

	lists := make([]series, len(cs))
	listCPU := make([]series, len(cs))
	gets := make([][]series, len(reads))
	getCPU := make([][]series, len(reads))
	serverCPU := make([][]series, len(reads))
	threads := make([][]int, len(reads))
	for k := range reads {
		gets[k] = make([]series, len(cs))
		getCPU[k] = make([]series, len(cs))
		serverCPU[k] = make([]series, len(cs))
		threads[k] = make([]int, len(cs))
	}
	for r := range rounds {
		// Alternate which client goes first from round to round.
		order := []int{0, 1}
		if r%2 == 1 {
			order = []int{1, 0}
		}
		for _, i := range order {
			c := cs[i]
			// Collect the other client's garbage first, or its cost lands here.
			runtime.GC()
			cpu0, start := cpuTime(), time.Now()
			listed, err := c.list(ctx)
			elapsed, cpu := time.Since(start), cpuTime()-cpu0
			if err != nil {
				return fmt.Errorf("%s: listing: %w", c.name, err)
			}
			if err := checkListing(c, listed, n); err != nil {
				return err
			}
			lists[i] = append(lists[i], elapsed)
			listCPU[i] = append(listCPU[i], cpu)
		}
		for k, count := range reads {
			names := make([]string, count)
			for j := range names {
				names[j] = pkgName(j%n + 1)
			}
			for _, i := range order {
				c := cs[i]
				runtime.GC()
				cpu0, srv0, start := cpuTime(), emu.cpuTime(), time.Now()
				peak, err := peakThreads(func() error { return readAll(ctx, c, names) })
				elapsed, cpu, srv := time.Since(start), cpuTime()-cpu0, emu.cpuTime()-srv0
				if err != nil {
					return err
				}
				gets[k][i] = append(gets[k][i], elapsed)
				getCPU[k][i] = append(getCPU[k][i], cpu)
				serverCPU[k][i] = append(serverCPU[k][i], srv)
				threads[k][i] = max(threads[k][i], peak)
			}
		}
		fmt.Fprintf(os.Stderr, "bench: round %d/%d: list %v / %v\n", r+1, rounds,
			lists[0][r].Round(time.Millisecond), lists[1][r].Round(time.Millisecond))
	}

	// ghpkg's Rust core alone, against the same server, after the rounds.
	var core []coreRun
	if coreReads != "" {
		for _, count := range reads {
			r, err := runCore(coreReads, emu, n, count, rounds)
			if err != nil {
				return fmt.Errorf("Rust core reads: %w", err)
			}
			core = append(core, r)
		}
	}

	pages := (n + 99) / 100
	fmt.Printf("### ghpkg (Go binding) vs go-github %s: %s packages, %d ms latency per response\n\n",
		github.Version, thousands(n), latencyMs)
	fmt.Printf("Median of %d rounds; min and max in parentheses. %s, %s/%s, GOMAXPROCS %d.\n\n",
		rounds, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	fmt.Println("| operation | ghpkg | go-github | ghpkg vs go-github |")
	fmt.Println("|---|---|---|---|")
	row := func(what string, s []series) {
		fmt.Printf("| %s | %s | %s | %s |\n", what, cell(s[0]), cell(s[1]), ratio(s[0], s[1]))
	}
	cpuRow := func(what string, s []series) {
		fmt.Printf("| client CPU, %s | %s ms | %s ms | %s |\n", what, medianMs(s[0]), medianMs(s[1]), cpuRatio(s[0], s[1]))
	}
	row(fmt.Sprintf("list all %s packages (%d pages of 100)", thousands(n), pages), lists)
	cpuRow("listing", listCPU)
	for k, count := range reads {
		row(fmt.Sprintf("%s concurrent `GetPackage` calls", thousands(count)), gets[k])
		cpuRow(fmt.Sprintf("%s reads", thousands(count)), getCPU[k])
		fmt.Printf("| emulator CPU, %s reads | %s ms | %s ms | |\n", thousands(count), medianMs(serverCPU[k][0]), medianMs(serverCPU[k][1]))
		fmt.Printf("| peak OS threads of the process, %s reads | %d | %d | |\n", thousands(count), threads[k][0], threads[k][1])
	}
	for k, count := range reads {
		if k >= len(core) {
			break
		}
		c := core[k]
		row(fmt.Sprintf("%s concurrent reads, ghpkg's Rust core alone (no Go, no C ABI)", thousands(count)), []series{c.wall, gets[k][1]})
		cpuRow(fmt.Sprintf("%s reads, Rust core alone", thousands(count)), []series{c.cpu, getCPU[k][1]})
		fmt.Printf("| emulator CPU, %s reads, Rust core alone | %s ms | | |\n", thousands(count), medianMs(c.server))
	}
	fmt.Println()
	fmt.Println("ghpkg: `ListPackages` with its default read-ahead of 4 pages; go-github:")
	fmt.Println("`Organizations.ListPackages` with `PerPage: 100`, following `resp.NextPage`.")
	fmt.Println("Reads: one goroutine per call, one client each; go-github's callers keep to GitHub's")
	fmt.Println("100 concurrent requests with a semaphore, ghpkg's client queues beyond 100 itself.")
	fmt.Println("Every listing and read is checked. Client CPU is this process's user + system time")
	fmt.Println("(the emulator runs in a process of its own), median of the rounds; the emulator's CPU is")
	fmt.Println("its threads' on-CPU time during each client's reads.")
	if len(core) > 0 {
		fmt.Println("The Rust core alone: the same reads from `ghpkg-bench`'s `reads` binary, in a process")
		fmt.Println("of its own, after the rounds (its own CPU: every thread's on-CPU time).")
	}
	for _, note := range notes {
		fmt.Printf("\nNote: %s.\n", note)
	}
	return nil
}

// coreRun is what the Rust core alone measured, one value per round.
type coreRun struct{ wall, cpu, server series }

// runCore runs the `reads` binary against emu: count concurrent reads,
// rounds times, after an untimed round.
func runCore(bin string, emu *emulator, n, count, rounds int) (coreRun, error) {
	cmd := exec.Command(bin, "--url", emu.url, "--token", token, "--org", org,
		"--packages", fmt.Sprint(n), "--count", fmt.Sprint(count), "--rounds", fmt.Sprint(rounds),
		"--server-pid", fmt.Sprint(emu.cmd.Process.Pid))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return coreRun{}, err
	}
	var r coreRun
	msDur := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var m struct {
			Wall   float64 `json:"wall_ms"`
			CPU    float64 `json:"cpu_ms"`
			Server float64 `json:"server_cpu_ms"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			return coreRun{}, fmt.Errorf("unexpected line %q", line)
		}
		r.wall = append(r.wall, msDur(m.Wall))
		r.cpu = append(r.cpu, msDur(m.CPU))
		r.server = append(r.server, msDur(m.Server))
	}
	if len(r.wall) != rounds {
		return coreRun{}, fmt.Errorf("%d rounds reported, want %d", len(r.wall), rounds)
	}
	return r, nil
}

// cpuTime is the on-CPU time of the emulator's threads so far (Linux), or
// 0 when unknown.
func (e *emulator) cpuTime() time.Duration {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", e.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	var ns int64
	for _, t := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", e.cmd.Process.Pid, t.Name()))
		if err != nil {
			continue
		}
		var v int64
		if _, err := fmt.Sscan(string(data), &v); err == nil {
			ns += v
		}
	}
	return time.Duration(ns)
}

// cpuTime is the CPU time (user + system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func medianMs(s series) string {
	m, _, _ := s.stats()
	return ms(m)
}

// cpuRatio compares two CPU times: how many times less ours used.
func cpuRatio(ours, theirs series) string {
	a, _, _ := ours.stats()
	b, _, _ := theirs.stats()
	if a <= 0 || b <= 0 {
		return "n/a"
	}
	if b >= a {
		return fmt.Sprintf("%.2fx less CPU", float64(b)/float64(a))
	}
	return fmt.Sprintf("%.2fx more CPU", float64(a)/float64(b))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond)) }

func cell(s series) string {
	median, lo, hi := s.stats()
	return fmt.Sprintf("%s ms (%s–%s)", ms(median), ms(lo), ms(hi))
}

func ratio(ours, theirs series) string {
	a, _, _ := ours.stats()
	b, _, _ := theirs.stats()
	if a <= 0 || b <= 0 {
		return "n/a"
	}
	word, x := "faster", float64(b)/float64(a)
	if x < 1 {
		word, x = "slower", 1/x
	}
	if x < 2 {
		return fmt.Sprintf("%.2fx %s", x, word)
	}
	return fmt.Sprintf("%.1fx %s", x, word)
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}
